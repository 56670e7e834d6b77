"""Grade a whole class: SUBMISSIONS_DIR/<student>/<assignment>/*.ipynb.

Only what is not up to date is graded: a stored result whose content key (the
submission's files and the grader, see ``grader.batch.submissions``) matches is reused. The
rest is graded N at a time here (``jobs``) or on a Dask cluster (``scheduler``), each
result stored and written to the nbgrader gradebook as it arrives (``grader.batch``).
At the end the gradebook, ``grades.csv`` and the feedback pages are brought in line with
the stored results, so a killed run followed by a new one ends as an uninterrupted run.
"""

import csv
import io
import itertools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader.batch import feedback
from grader.batch.local import LocalBackend, Outcome, Recorder, batch_lock
from grader.batch.results_store import ResultsStore, atomic_write, write_if_changed
from grader.batch.submissions import discover, with_keys
from grader.batch.unit import zero_result
from grader.course.nbgrader_config import write_config_file
from grader.sandbox import launch

PARTS_CHANGED = "Cannot add or remove cells"     # nbgrader's refusal (converters/base.py)

UNSANDBOXED_BANNER = "NOT SANDBOXED: {count} of {total} submissions were graded without " \
                     "the bubblewrap sandbox ({warning})"


@dataclass
class BatchOutcome:
    rows: list                      # one result dict (+ "student") per graded submission
    output_dir: Path
    graded: int = 0                 # graded by this run
    up_to_date: int = 0             # reused from an earlier run
    ungraded: list = field(default_factory=list)   # (submission, reason)
    sandbox_warning: str = ""
    nbgrader_ok: bool = True        # nbgrader's own steps (course folders) went through


def write_csv(path, rows):
    """grades.csv: a line per submission, its score and each part's. Rows of an nbgrader
    course carry nbgrader's ``late_penalty``: then ``score`` is after the penalty and
    ``raw_score`` before it, as ``nbgrader export`` writes them."""
    part_ids = sorted({g for row in rows for g in row["parts"]})
    late = any("late_penalty" in row for row in rows)
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(["student", "assignment", "score", "max_score"]
                    + (["raw_score", "late_submission_penalty"] if late else []) + part_ids)
    for row in rows:
        penalty = row.get("late_penalty", 0.0)
        writer.writerow([row["student"], row["assignment"], f"{row['score'] - penalty:g}",
                         f"{row['max_score']:g}"]
                        + ([f"{row['score']:g}", f"{penalty:g}"] if late else [])
                        + [f"{row['parts'][g]['score']:g}" if g in row["parts"] else ""
                           for g in part_ids])
    write_if_changed(path, text.getvalue())


def _older_than(path, reference):
    return not path.exists() or path.stat().st_mtime_ns < reference.stat().st_mtime_ns


def _write_derived_files(output_dir, store, submission, result, formgrader_copy=True):
    """Feedback page and formgrader copy, unless already made from this result."""
    stored = store.path(submission.student, submission.assignment)
    student, assignment = submission.student, submission.assignment
    page = output_dir / "feedback" / student / assignment / "feedback.html"
    if _older_than(page, stored):
        atomic_write(page, feedback.render(student, result))
    # nbgrader's formgrader expects graded notebooks here
    copy = (output_dir / "nbgrader" / "autograded" / student / assignment
            / f"{submission.notebook_id}.ipynb")
    if formgrader_copy and _older_than(copy, stored) and not submission.problem \
            and submission.path.is_file():
        atomic_write(copy, submission.path.read_bytes())


def _sync_gradebook(root, writer, submissions, records):
    """Rewrite the gradebook entries that differ from the stored results (a run killed
    between storing a result and recording it, a deleted or older gradebook)."""
    from grader.batch import gradebook
    in_gradebook, cells = gradebook.scores(root), gradebook.grade_cells(root)
    for submission in submissions:
        record = records.get((submission.student, submission.assignment))
        if record is None:
            continue
        parts = record["result"]["parts"]
        expected = {g: float(parts[g]["score"]) if g in parts else 0.0
                    for g in cells.get(submission.assignment, ())}
        found = {g: in_gradebook.get((submission.assignment, submission.student, g))
                 for g in expected}
        if found != expected:
            writer.record(submission.student, submission.assignment, submission.notebook_id,
                          record["result"])


def _sandbox_warning(rows):
    unsandboxed = [r for r in rows if (r.get("sandbox") or {}).get("active", True) is False]
    if not unsandboxed:
        return ""
    warning = unsandboxed[0]["sandbox"].get("warning") or "the sandbox was off"
    return UNSANDBOXED_BANNER.format(count=len(unsandboxed), total=len(rows), warning=warning)


def _plan(submissions, store, regrade_failed):
    """(records reused, submissions to grade)."""
    records, todo = {}, []
    for submission in submissions:
        record = store.current(submission)
        if record is None or (regrade_failed and record.get("failed")):
            todo.append(submission)
        else:
            records[submission.student, submission.assignment] = record
    return records, todo


def _without_grading(todo):
    """Outcomes of submissions that cannot be graded at all (a linked or huge notebook)."""
    for submission in todo:
        result = zero_result(submission.assignment, submission.problem)
        result["notes"].append(submission.problem)
        yield Outcome(submission, result, "discovery")


def _open_backend(gradeable, jobs, scheduler, require_sandbox):
    if not gradeable:
        return None
    if scheduler:
        from grader.batch.dask_backend import DaskBackend
        return DaskBackend(scheduler, require_sandbox)
    jobs = jobs or max(1, min(len(gradeable), os.cpu_count() or 1))
    return LocalBackend(jobs, require_sandbox)


def _check_options(scheduler, require_sandbox):
    """Fail on a mistyped address or a missing sandbox before doing any work."""
    if scheduler:
        from grader.batch.dask_backend import check_address
        check_address(scheduler)
    elif require_sandbox:
        launch.launcher(require=True)


def autograde_batch(submissions_dir, only=None, output_dir=None, jobs=None, progress=True,
                    scheduler=None, require_sandbox=False, regrade_failed=False,
                    nbgrader_root=None, late_penalty=None):
    """Grade what is not up to date; see the module docstring. Returns a BatchOutcome.
    ``nbgrader_root``: the nbgrader course folder whose gradebook to write (default
    OUTPUT/nbgrader, where a copy of each notebook is put for the formgrader; a course
    folder's autograded/ is nbgrader's to write, see ``grader.batch.nbgrader_course``)."""
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions_dir}")
    _check_options(scheduler, require_sandbox)
    output_dir = Path(output_dir or f"{submissions_dir}-graded")
    output_dir.mkdir(parents=True, exist_ok=True)
    with batch_lock(output_dir):
        submissions = with_keys(discover(submissions_dir, only))
        store = ResultsStore(output_dir)
        store.remove_leftovers()
        records, todo = _plan(submissions, store, regrade_failed)
        gradeable = [s for s in todo if not s.problem]
        backend = _open_backend(gradeable, jobs, scheduler, require_sandbox)
        try:
            # Grading starts before the gradebook is set up: that takes seconds (nbgrader)
            # and the first results wait for it.
            outcomes = itertools.chain(_without_grading([s for s in todo if s.problem]),
                                       backend.start(gradeable) if backend else ())
            root = Path(nbgrader_root or output_dir / "nbgrader")
            recorder = _record((root, late_penalty, nbgrader_root is None), store, submissions,
                               records, todo, outcomes, progress)
        finally:
            if backend is not None:
                backend.close()
        return _finish(output_dir, store, submissions, records, recorder,
                       formgrader_copy=nbgrader_root is None)


def _register(root, assignments, derived):
    """Register each assignment's notebooks and grade cells in the gradebook at ``root``.

    nbgrader refuses to add or remove grade cells of a notebook that has submissions, so a
    course whose parts changed (a new exercise) cannot update an old gradebook. One this batch
    derives from its stored results (OUTPUT/nbgrader) is then rebuilt from them; a course
    folder's gradebook is the TA's, and the error says what nbgrader refused."""
    from grader.course.generate import ReleaseError, generate
    for assignment in assignments:
        try:
            generate(assignment, root)
        except ReleaseError as error:
            if not (derived and PARTS_CHANGED in str(error)):
                raise
            print(f"the parts of {assignment} changed since {root / 'gradebook.db'} was made: "
                  "rebuilding that gradebook from the stored results", file=sys.stderr)
            (Path(root) / "gradebook.db").unlink()
            return _register(root, assignments, derived=False)


def _record(course, store, submissions, records, todo, outcomes, progress):
    """Set up the gradebook of ``course`` (its root, the late penalty, whether it is derived
    from the stored results), record every outcome, then bring the gradebook in line with
    every stored result."""
    from grader.batch import gradebook
    root, late_penalty, derived = course
    _register(root, sorted({s.assignment for s in submissions}), derived)
    write_config_file(root, late_penalty)
    if todo:
        print(f"grading {len(todo)} of {len(submissions)} submissions "
              f"({len(records)} results up to date)", file=sys.stderr)
    else:
        print(f"nothing to grade: {len(records)} results up to date", file=sys.stderr)
    with gradebook.GradebookWriter(root) as writer:
        recorder = Recorder(store, writer, len(todo), len(records), progress)
        try:
            for outcome in outcomes:
                recorder.take(outcome)
        finally:
            recorder.close()
        _sync_gradebook(root, writer, submissions, {**records, **recorder.records})
    return recorder


def _finish(output_dir, store, submissions, records, recorder, formgrader_copy=True):
    up_to_date = len(records)
    records = {**records, **recorder.records}
    rows = []
    for submission in submissions:
        record = records.get((submission.student, submission.assignment))
        if record is not None:
            _write_derived_files(output_dir, store, submission, record["result"],
                                 formgrader_copy)
            rows.append(dict(record["result"], student=submission.student))
    write_csv(output_dir / "grades.csv", rows)
    outcome = BatchOutcome(rows, output_dir, graded=len(recorder.records),
                           up_to_date=up_to_date, ungraded=recorder.ungraded,
                           sandbox_warning=_sandbox_warning(rows))
    if outcome.sandbox_warning:
        print(f"\n{'!' * 78}\nWARNING: {outcome.sandbox_warning}\n{'!' * 78}", file=sys.stderr)
    return outcome


def autograde(submissions_dir, only=None, output_dir=None, jobs=None, progress=True, **options):
    """Grade everything found; returns (rows, output_dir), one row per graded submission."""
    outcome = autograde_batch(submissions_dir, only, output_dir, jobs, progress, **options)
    return outcome.rows, outcome.output_dir
