"""Building blocks of crash-safe batches, without grading: atomic result files, content
keys, discovery of what a submission is, one gradebook transaction per submission."""

import json
import shutil

import pytest

from grader.batch import gradebook, results_store, submissions
from grader.batch.results_store import ResultsStore, atomic_write
from grader.batch.submissions import content_key, discover, grader_fingerprint, with_keys
from grader.course.generate import generate
from grader.course.layout import NOTEBOOKS_DIR, REPO_ROOT
from grader.course.points import part_points

ASSIGNMENT = "04_param_counting"
RELEASED = NOTEBOOKS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _submit(root, student, notebook=RELEASED, name=f"{ASSIGNMENT}.ipynb"):
    folder = root / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(notebook, folder / name)
    return folder


def _result(score_of=lambda maximum: maximum):
    maxima = part_points(ASSIGNMENT)
    parts = {g: {"score": score_of(m), "max_score": m, "tests": []} for g, m in maxima.items()}
    return {"assignment": ASSIGNMENT, "parts": parts,
            "score": sum(p["score"] for p in parts.values()), "max_score": sum(maxima.values())}


def test_atomic_write_replaces_whole_files_and_leaves_nothing_behind_on_failure(
        tmp_path, monkeypatch):
    target = tmp_path / "out" / "grades.csv"
    atomic_write(target, "first\n")
    atomic_write(target, "second\n")
    assert target.read_text() == "second\n"

    def crash(*args):
        raise OSError("disk full")
    monkeypatch.setattr(results_store.os, "replace", crash)
    with pytest.raises(OSError):
        atomic_write(target, "third\n")
    assert target.read_text() == "second\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["grades.csv"]


def test_half_written_and_unreadable_results_are_ignored_and_temp_files_removed(tmp_path):
    _submit(tmp_path / "in", "ann")
    found = with_keys(discover(tmp_path / "in"))
    store = ResultsStore(tmp_path / "out")
    record = store.save(found[0], _result(), "local")
    assert store.current(found[0]) == record
    folder = store.path("ann", ASSIGNMENT).parent
    leftover = folder / f"{results_store.TEMP_PREFIX}{ASSIGNMENT}.json.123.abcd"
    leftover.write_text('{"format": "cnn-course-result/1", "key": "')  # a killed write
    assert store.current(found[0]) == record
    assert store.remove_leftovers() == [leftover] and not leftover.exists()
    store.path("ann", ASSIGNMENT).write_text(json.dumps(record)[:40])   # truncated by hand
    assert store.current(found[0]) is None
    store.path("ann", ASSIGNMENT).write_text(json.dumps({"format": "other"}))
    assert store.load("ann", ASSIGNMENT) is None


def test_a_stored_result_is_current_only_for_the_same_files_and_grader(tmp_path):
    folder = _submit(tmp_path, "ann")
    (folder / "model.pt").write_bytes(b"weights-1")
    first = with_keys(discover(tmp_path))[0]
    assert [p.name for p in first.files] == [f"{ASSIGNMENT}.ipynb", "model.pt"]
    store = ResultsStore(tmp_path / "out")
    store.save(first, _result(), "local")
    assert store.current(with_keys(discover(tmp_path))[0]) is not None
    (folder / "model.pt").write_bytes(b"weights-2")
    assert store.current(with_keys(discover(tmp_path))[0]) is None
    assert content_key(first, fingerprint="another grader") != first.key


def test_the_grader_fingerprint_covers_the_assignments_checks_and_the_grading_code(tmp_path):
    repo = tmp_path / "repo"
    for package in submissions.GRADING_CODE:
        shutil.copytree(REPO_ROOT / package, repo / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    fingerprint = grader_fingerprint.__wrapped__
    before = fingerprint(ASSIGNMENT, repo)
    assert before == grader_fingerprint(ASSIGNMENT)
    (repo / "grader" / "checks" / "01_conv1d" / "reference.py").write_text("# edited\n")
    assert fingerprint(ASSIGNMENT, repo) == before           # another notebook's checks
    check = next((repo / "grader" / "checks" / ASSIGNMENT).glob("test_*.py"))
    check.write_text(check.read_text() + "\n# edited\n")
    after_check = fingerprint(ASSIGNMENT, repo)
    assert after_check != before
    with open(repo / "gradeworker" / "protocol.py", "a") as handle:
        handle.write("\n# edited\n")
    assert fingerprint(ASSIGNMENT, repo) != after_check


def test_links_are_never_followed_and_oversized_submissions_are_not_read(tmp_path, monkeypatch):
    solution = REPO_ROOT / "course" / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    linked = tmp_path / "in" / "lou" / ASSIGNMENT
    linked.mkdir(parents=True)
    (linked / f"{ASSIGNMENT}.ipynb").symlink_to(solution)
    folder = _submit(tmp_path / "in", "ann")
    (folder / "stolen.pt").symlink_to(solution)
    (folder / "notes.txt").write_text("not part of the submission")
    found = {s.student: s for s in with_keys(discover(tmp_path / "in"))}
    assert found["ann"].files == [folder / f"{ASSIGNMENT}.ipynb"] and not found["ann"].problem
    assert "symbolic link" in found["lou"].problem
    monkeypatch.setattr(submissions, "MAX_SUBMISSION_BYTES", 1000)
    assert "larger than" in discover(tmp_path / "in", only=[ASSIGNMENT])[0].problem


def test_one_submission_is_one_gradebook_transaction(tmp_path):
    generate(ASSIGNMENT, tmp_path)
    broken = _result()
    broken["parts"][sorted(broken["parts"])[-1]]["score"] = "not a number"
    with gradebook.GradebookWriter(tmp_path) as writer:
        with pytest.raises(ValueError):
            writer.record("ann", ASSIGNMENT, ASSIGNMENT, broken)   # after adding ann
        writer.record("bob", ASSIGNMENT, ASSIGNMENT, _result())
    scores = gradebook.scores(tmp_path)
    assert {student for _, student, _ in scores} == {"bob"}      # nothing of ann's half
    assert gradebook.totals(tmp_path, ASSIGNMENT) == {"bob": (24.0, 24.0)}
    assert gradebook.integrity(tmp_path) == "ok"


def test_the_gradebook_scores_every_autograded_cell_and_marks_it_graded(tmp_path):
    generate(ASSIGNMENT, tmp_path)
    partial = _result()
    dropped = sorted(partial["parts"])[0]
    del partial["parts"][dropped]
    gradebook.record(tmp_path, "ann", ASSIGNMENT, ASSIGNMENT, partial)
    scores = gradebook.scores(tmp_path)
    assert scores[ASSIGNMENT, "ann", dropped] == 0.0
    assert set(g for _, _, g in scores) == set(part_points(ASSIGNMENT))
    assert gradebook.grade_cells(tmp_path) == {ASSIGNMENT: set(part_points(ASSIGNMENT))}
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{gradebook.db_path(tmp_path)}") as book:
        notebook = book.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "ann")
        assert not notebook.needs_manual_grade
