"""``python -m grader autograde COURSE_DIR`` on an nbgrader course folder:

    COURSE_DIR/submitted/<student>/<assignment>/<notebook>.ipynb (+ checkpoints, timestamp.txt)

The submissions are graded in parallel by the class batch (``grader.batch.autograde``: job
slots or Dask, stored results reused), into the folder's own gradebook. Then nbgrader's own
Autograde converter runs over them with the course's preprocessors
(``grader.batch.nbgrader_preprocessors``) reading those stored results, so ``autograded/``,
the timestamps, late penalties and every gradebook entry are written by nbgrader itself,
exactly as a plain ``nbgrader autograde ASSIGNMENT`` in that folder would write them.

Before that the assignments are released to the folder's exchange (the formgrader shows
them as released, not "draft"), students get their names from a roster CSV (the file
``nbgrader db student import`` reads: id,first_name,last_name,email) and due dates are set.
"""

import csv
import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

from grader.batch.autograde import autograde_batch, write_csv
from grader.course.nbgrader_config import course_config, write_config_file, written_late_penalty

RESULTS_FOLDER = "grader_results"   # our stored results, grades.csv and feedback pages
ROSTER_COLUMNS = ("first_name", "last_name", "email")


def is_course_dir(path):
    """An nbgrader course folder: it has a ``submitted/`` folder."""
    return (Path(path) / "submitted").is_dir()


def read_roster(path):
    """{student id: {first_name, last_name, email}} from nbgrader's roster CSV format."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if rows and "id" not in rows[0]:
        raise ValueError(f"{path}: a roster needs an 'id' column (id,first_name,last_name,email)")
    return {row["id"].strip(): {k: (row.get(k) or "").strip() or None for k in ROSTER_COLUMNS}
            for row in rows if (row.get("id") or "").strip()}


def parse_duedates(pairs):
    """{assignment: due date} from ``ASSIGNMENT=WHEN`` options (nbgrader's date syntax)."""
    from nbgrader.utils import parse_utc
    duedates = {}
    for pair in pairs or ():
        assignment, sep, when = pair.partition("=")
        if not sep or not assignment or not when:
            raise ValueError(f"--duedate {pair!r}: expected ASSIGNMENT=DATE")
        duedates[assignment.strip()] = parse_utc(when.strip())
    return duedates


@contextmanager
def _course_gradebook(root):
    """nbgrader's Gradebook of the course folder ``root`` (its SQLAlchemy warnings hidden)."""
    from nbgrader.api import Gradebook
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(course_config(root).CourseDirectory.db_url) as gradebook:
            yield gradebook


def _update_gradebook(root, roster, duedates):
    with _course_gradebook(root) as gradebook:
        for student, names in roster.items():
            gradebook.update_or_create_student(student, **names)
        for assignment, duedate in duedates.items():
            gradebook.update_or_create_assignment(assignment, duedate=duedate)


def _reported(outcome, what):
    """Whether an NbGraderAPI call went through; its log on stderr if not."""
    if not outcome.get("success"):
        print(f"nbgrader {what} reported problems:\n"
              f"{outcome.get('error') or outcome.get('log')}", file=sys.stderr)
    return bool(outcome.get("success"))


def lay_out_course(root, assignments, late_penalty=None):
    """Make ``root`` an nbgrader course folder for these assignments (source/, release/,
    the gradebook, nbgrader_config.py), ready for a plain ``nbgrader autograde``."""
    from grader.course.generate import generate
    for assignment in sorted(assignments):
        generate(assignment, root)
    return write_config_file(root, late_penalty)


def nbgrader_autograde(root, assignments, results_dir, late_penalty=None):
    """Release the assignments to the folder's exchange, then run nbgrader's Autograde
    converter on every submission, with our stored results as the grade cells' outputs."""
    from nbgrader.apps import NbGraderAPI
    config = course_config(root, late_penalty)
    config.GradeWithCourseGrader.results_dir = str(results_dir)
    (Path(root) / "exchange").mkdir(exist_ok=True)
    api = NbGraderAPI(config=config)
    released = api.get_released_assignments()
    ok = True
    for assignment in sorted(assignments):
        if assignment not in released:
            ok &= _reported(api.release_assignment(assignment), "release_assignment")
        ok &= _reported(api.autograde(assignment, "*", force=True, create=True),
                        f"autograde {assignment}")
    return ok


def autograde_course(root, only=None, output_dir=None, roster=None, duedates=None,
                     late_penalty=None, **batch_options):
    """Grade an nbgrader course folder (see the module docstring); returns the BatchOutcome."""
    root = Path(root).resolve()
    late_penalty = late_penalty or written_late_penalty(root)
    roster = read_roster(roster) if roster else {}
    duedates = parse_duedates(duedates)
    output_dir = Path(output_dir or root / RESULTS_FOLDER)
    outcome = autograde_batch(root / "submitted", only, output_dir, nbgrader_root=root,
                              late_penalty=late_penalty, **batch_options)
    assignments = {row["assignment"] for row in outcome.rows}
    unknown = sorted(set(duedates) - assignments)
    if unknown:
        print(f"--duedate: no submissions of {unknown}", file=sys.stderr)
    _update_gradebook(root, roster, {a: d for a, d in duedates.items() if a in assignments})
    outcome.nbgrader_ok = nbgrader_autograde(root, assignments, output_dir, late_penalty)
    _take_late_penalties(root, outcome.rows)
    write_csv(output_dir / "grades.csv", outcome.rows)
    return outcome


def _take_late_penalties(root, rows):
    """Each row's ``late_penalty``: what nbgrader's late-submission plugin took off in the
    gradebook (nbgrader's formgrader shows scores before it; its export after it)."""
    from nbgrader.api import MissingEntry
    with _course_gradebook(root) as gradebook:
        for row in rows:
            try:
                submission = gradebook.find_submission(row["assignment"], row["student"])
            except MissingEntry:
                continue
            row["late_penalty"] = float(submission.late_submission_penalty or 0.0)
