"""What a batch grades, stores and rebuilds, with a stand-in grading unit (instant, and
told what to return): skipping, rebuilding the gradebook, failures, ungraded work, the
lock, the sandbox banner. Real grading runs in test_batch_local.py and test_batch_dask.py."""

import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest
from subprocess_unit import SubprocessUnit

from grader.batch import gradebook, local as batch
from grader.batch.autograde import autograde_batch
from grader.batch.report import class_table
from grader.batch.unit import GradingUnavailable
from grader.cli import main
from grader.course.generate import generate
from grader.course.layout import NOTEBOOKS_DIR, REPO_ROOT
from grader.course.points import part_points
from grader.sandbox import bubblewrap

ASSIGNMENT = "04_param_counting"
STUDENTS = ("ann", "bob", "cid")


class StandIn:
    """Grading units that return a result chosen per student, and count their calls."""

    def __init__(self):
        self.calls = []
        self.behaviour = {}      # student -> "full" (default), "zero", "unavailable", ...
        # read here, in the main thread: CPython 3.11's ast.parse is not thread-safe
        # (SystemError "AST constructor recursion depth mismatch")
        self.maxima = part_points(ASSIGNMENT)

    def make_unit(self, require_sandbox=False):
        return _StandInUnit(self)


class _StandInUnit:
    def __init__(self, owner):
        self.owner = owner

    def warm_up(self):
        """Nothing to start."""

    def grade(self, path, assignment):
        student = Path(path).parent.parent.name
        self.owner.calls.append(student)
        behaviour = self.owner.behaviour.get(student, "full")
        if behaviour == "crash":
            raise RuntimeError("unit bug")
        if behaviour == "unavailable":
            raise GradingUnavailable("--require-sandbox: bwrap is not installed")
        if behaviour == "malformed":
            return {"assignment": assignment, "parts": "everything passed"}
        maxima = self.owner.maxima
        parts = {g: {"score": m if behaviour == "full" else 0, "max_score": m, "tests": []}
                 for g, m in maxima.items()}
        return {"assignment": assignment, "parts": parts, "max_score": sum(maxima.values()),
                "score": sum(p["score"] for p in parts.values()),
                "sandbox": {"active": behaviour != "unsandboxed",
                            "warning": "NOT SANDBOXED: test" if behaviour == "unsandboxed"
                            else None}}

    def close(self):
        pass


@pytest.fixture
def stand_in(monkeypatch):
    units = StandIn()
    monkeypatch.setattr(batch, "make_unit", units.make_unit)
    return units


@pytest.fixture(scope="module")
def course_root(tmp_path_factory):
    """An output folder whose gradebook knows the assignment (nbgrader takes seconds to
    register a new one, far less to confirm it)."""
    root = tmp_path_factory.mktemp("template") / "graded"
    generate(ASSIGNMENT, root / "nbgrader")
    return root


@pytest.fixture
def class_dir(tmp_path, course_root):
    shutil.copytree(course_root, tmp_path / "graded")
    for student in STUDENTS:
        folder = tmp_path / "submissions" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copyfile(NOTEBOOKS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                        folder / f"{ASSIGNMENT}.ipynb")
    return tmp_path / "submissions", tmp_path / "graded"


def _run(class_dir, **options):
    submissions, output = class_dir
    return autograde_batch(submissions, output_dir=output, jobs=2, progress=False, **options)


def test_an_unchanged_batch_grades_nothing_and_rewrites_nothing(stand_in, class_dir, capsys):
    first = _run(class_dir)
    assert (first.graded, first.up_to_date, sorted(stand_in.calls)) == (3, 0, list(STUDENTS))
    output = class_dir[1]
    files = [output / "grades.csv", output / "nbgrader" / "gradebook.db",
             output / "feedback" / "ann" / ASSIGNMENT / "feedback.html",
             output / "results" / "ann" / f"{ASSIGNMENT}.json"]
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in files]
    again = _run(class_dir)
    assert (again.graded, again.up_to_date, len(stand_in.calls)) == (0, 3, 3)
    assert "nothing to grade: 3 results up to date" in capsys.readouterr().err
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in files] == before
    assert again.rows == first.rows


def test_a_changed_notebook_is_graded_again_alone(stand_in, class_dir):
    _run(class_dir)
    notebook = class_dir[0] / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(notebook.read_text().replace("YOUR CODE HERE", "MY CODE HERE"))
    stand_in.behaviour["bob"] = "zero"
    outcome = _run(class_dir)
    assert (outcome.graded, stand_in.calls[3:]) == (1, ["bob"])
    assert {r["student"]: r["score"] for r in outcome.rows} == {"ann": 24, "bob": 0, "cid": 24}


def test_the_gradebook_is_rebuilt_from_the_stored_results(stand_in, class_dir):
    """A run killed between storing a result and recording it, or a lost gradebook."""
    _run(class_dir)
    root = class_dir[1] / "nbgrader"
    expected = gradebook.scores(root)
    with sqlite3.connect(gradebook.db_path(root)) as connection:
        connection.execute("UPDATE grade SET auto_score = 0")
    _run(class_dir)
    assert gradebook.scores(root) == expected
    gradebook.db_path(root).unlink()
    outcome = _run(class_dir)
    assert outcome.graded == 0 and gradebook.scores(root) == expected
    assert len(stand_in.calls) == 3


def test_failures_are_stored_as_zero_and_graded_again_on_request(stand_in, class_dir):
    stand_in.behaviour["ann"] = "malformed"
    first = _run(class_dir)
    ann = next(r for r in first.rows if r["student"] == "ann")
    assert ann["score"] == 0 and ann["max_score"] == 24
    assert "could not be graded automatically" in ann["notes"][0]
    assert "malformed" in ann["internal_errors"][0]
    assert _run(class_dir).graded == 0
    stand_in.behaviour["ann"] = "full"
    outcome = _run(class_dir, regrade_failed=True)
    assert outcome.graded == 1 and stand_in.calls[-1] == "ann"
    assert {r["student"]: r["score"] for r in outcome.rows}["ann"] == 24


def test_a_machine_that_cannot_grade_leaves_the_submission_for_the_next_run(
        stand_in, class_dir):
    stand_in.behaviour["cid"] = "unavailable"
    outcome = _run(class_dir)
    assert [(s.student, "bwrap" in reason) for s, reason in outcome.ungraded] == [("cid", True)]
    assert [r["student"] for r in outcome.rows] == ["ann", "bob"]
    assert not (class_dir[1] / "results" / "cid").exists()
    stand_in.behaviour["cid"] = "full"
    assert _run(class_dir).graded == 1


def test_a_linked_notebook_scores_zero_without_being_graded(stand_in, class_dir):
    notebook = class_dir[0] / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook.unlink()
    notebook.symlink_to(REPO_ROOT / "course" / "solutions" / ASSIGNMENT / notebook.name)
    outcome = _run(class_dir)
    assert "bob" not in stand_in.calls
    bob = next(r for r in outcome.rows if r["student"] == "bob")
    assert bob["score"] == 0 and "symbolic link" in " ".join(bob["notes"])
    assert not (class_dir[1] / "nbgrader" / "autograded" / "bob").exists()


def test_grading_outside_the_sandbox_is_announced(stand_in, class_dir, capsys):
    stand_in.behaviour["bob"] = "unsandboxed"
    outcome = _run(class_dir)
    assert "1 of 3 submissions were graded without the bubblewrap sandbox" \
        in outcome.sandbox_warning
    assert outcome.sandbox_warning in capsys.readouterr().err
    assert class_table(outcome.rows).startswith("!!! NOT SANDBOXED: 1 of 3 submissions")


def test_only_one_run_writes_to_an_output_folder(stand_in, class_dir):
    with batch.batch_lock(class_dir[1]):
        with pytest.raises(batch.BatchBusy):
            _run(class_dir)
    assert stand_in.calls == []


def test_a_unit_that_crashes_costs_only_its_submission(stand_in, class_dir):
    stand_in.behaviour["ann"] = "crash"
    outcome = _run(class_dir)
    scores = {r["student"]: r["score"] for r in outcome.rows}
    assert outcome.graded == 3 and scores == {"ann": 0, "bob": 24, "cid": 24}
    ann = outcome.rows[0]
    assert "grading crashed: RuntimeError: unit bug" in ann["internal_errors"][0]


def test_require_sandbox_where_bwrap_is_missing_fails_before_grading(class_dir, monkeypatch,
                                                                      capsys):
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))   # no bwrap on it
    bubblewrap.probe.cache_clear()
    try:
        code = main(["autograde", str(class_dir[0]), "--output", str(class_dir[1]),
                     "--require-sandbox"])
    finally:
        bubblewrap.probe.cache_clear()
    assert code == 2
    assert "autograde: --require-sandbox: bwrap is not installed" in capsys.readouterr().err
    assert not (class_dir[1] / "results").exists()


@pytest.mark.parametrize("options, message", [
    (["--jobs", "0"], "--jobs must be at least 1"),
    (["--scheduler", "127.0.0.1:8786"], "bad scheduler address '127.0.0.1:8786': expected "
                                        "tcp://HOST:PORT"),
    (["--scheduler", "tcp://127.0.0.1:8786/x"], "bad scheduler address")])
def test_bad_options_are_clear_errors(class_dir, capsys, options, message):
    code = main(["autograde", str(class_dir[0]), "--output", str(class_dir[1]), *options])
    assert code == 2 and message in capsys.readouterr().err


def test_the_real_unit_passes_require_sandbox_on_and_reports_a_refusal(class_dir, monkeypatch):
    """grade-notebook --require-sandbox where bwrap is missing: nothing to record, a reason."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable))
    notebook = class_dir[0] / "ann" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    unit = SubprocessUnit(require_sandbox=True)
    assert unit.command(notebook, ASSIGNMENT)[-1] == "--require-sandbox"
    with pytest.raises(GradingUnavailable, match="--require-sandbox: bwrap is not installed"):
        unit.grade(notebook, ASSIGNMENT)


def test_a_machine_without_the_class_disk_grades_a_missing_notebook_as_missing():
    """On a Dask worker the submission arrives as bytes: without its notebook it is graded
    like a missing notebook locally (0 with a note), not failed as a crash."""
    from grader.batch.unit import grade_files

    class Recording:
        def grade(self, path, assignment):
            return {"path_exists": path.exists(), "checkpoint": (path.parent / "mlp.pt").read_bytes()}

    answer = grade_files(Recording(), {"mlp.pt": b"weights"}, "04_param_counting.ipynb",
                         ASSIGNMENT)
    assert answer == {"path_exists": False, "checkpoint": b"weights"}
    with pytest.raises(ValueError, match="unsafe file name"):
        grade_files(Recording(), {"../x.pt": b""}, "04_param_counting.ipynb", ASSIGNMENT)
