"""Autograde building blocks without running any grading: discovery, gradebook, feedback."""

import shutil

import pytest

from grader.batch import feedback, gradebook
from grader.batch.autograde import discover, write_csv
from grader.course.generate import generate
from grader.course.layout import NOTEBOOKS_DIR
from grader.course.points import part_points

ASSIGNMENT = "01_conv1d"


def _submit(root, student, assignment, name):
    folder = root / student / assignment
    folder.mkdir(parents=True)
    shutil.copyfile(NOTEBOOKS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder / name)


def test_discover_finds_one_notebook_per_student_and_skips_unknown(tmp_path, capsys):
    _submit(tmp_path, "bob", ASSIGNMENT, "01_conv1d.ipynb")
    _submit(tmp_path, "ann", ASSIGNMENT, "my copy.ipynb")
    _submit(tmp_path, "cid", "99_unknown", "x.ipynb")
    (tmp_path / "dan" / ASSIGNMENT).mkdir(parents=True)  # a folder, but no notebook
    found = discover(tmp_path)
    assert [(s.student, s.path.name) for s in found] == [("ann", "my copy.ipynb"),
                                                         ("bob", "01_conv1d.ipynb"),
                                                         ("dan", "01_conv1d.ipynb")]
    assert not found[2].path.exists() and found[2].files == []   # graded 0, with a note
    assert "99_unknown" in capsys.readouterr().err
    assert discover(tmp_path, only=["02_conv2d"]) == []


def _result(scores):
    maxima = part_points(ASSIGNMENT)
    parts = {g: {"score": scores.get(g, 0), "max_score": m, "tests": []} for g, m in maxima.items()}
    return {"assignment": ASSIGNMENT, "parts": parts, "score": sum(scores.values()),
            "max_score": sum(maxima.values())}


def test_gradebook_records_and_regrading_replaces_scores(tmp_path):
    generate(ASSIGNMENT, tmp_path)
    first = gradebook.record(tmp_path, "ann", ASSIGNMENT, ASSIGNMENT, _result({"test_convolve1d": 4}))
    assert first == (4, sum(part_points(ASSIGNMENT).values()))
    gradebook.record(tmp_path, "ann", ASSIGNMENT, ASSIGNMENT, _result({"test_conv1d": 9}))
    assert gradebook.totals(tmp_path, ASSIGNMENT)["ann"][0] == pytest.approx(9)


def test_feedback_escapes_student_controlled_text():
    result = _result({})
    result["parts"]["test_convolve1d"]["tests"] = [
        {"name": "a check", "passed": False, "points": 1,
         "message": "`convolve1d` raised ValueError: <script>alert(1)</script>"}]
    page = feedback.render("<img src=x>", result)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img src=x>" not in page


def test_csv_has_a_column_per_part(tmp_path):
    row = dict(_result({"test_convolve1d": 4}), student="ann")
    write_csv(tmp_path / "grades.csv", [row])
    header, line = (tmp_path / "grades.csv").read_text().splitlines()
    assert header.split(",")[:4] == ["student", "assignment", "score", "max_score"]
    assert "test_convolve1d" in header and line.startswith("ann,01_conv1d,4,30")


def test_a_late_penalty_is_taken_off_the_score_in_the_csv_and_the_table(tmp_path):
    from grader.batch.report import class_table
    late = dict(_result({"test_convolve1d": 4}), student="ann", late_penalty=4.0)
    on_time = dict(_result({"test_convolve1d": 3}), student="bob", late_penalty=0.0)
    write_csv(tmp_path / "grades.csv", [late, on_time])
    header, ann, bob = (tmp_path / "grades.csv").read_text().splitlines()
    assert header.split(",")[:6] == ["student", "assignment", "score", "max_score", "raw_score",
                                     "late_submission_penalty"]
    assert ann.startswith("ann,01_conv1d,0,30,4,4,") and bob.startswith("bob,01_conv1d,3,30,3,0,")
    table = class_table([late, on_time])
    assert "0/30 (4 - late 4)" in table and "3/30 " in table and "late 0" not in table


def test_class_table_has_one_table_per_assignment_with_its_own_parts():
    from grader.batch.report import class_table

    def row(student, assignment, parts):
        return {"student": student, "assignment": assignment,
                "score": sum(s for s, _ in parts.values()),
                "max_score": sum(m for _, m in parts.values()),
                "parts": {g: {"score": s, "max_score": m} for g, (s, m) in parts.items()}}
    text = class_table([row("bo", "02_b", {"test_pad2d": (1, 2)}),
                        row("al", "01_a", {"test_conv1d": (9, 9), "test_len": (0, 3)}),
                        row("bo", "01_a", {"test_conv1d": (4, 9), "test_len": (3, 3)})])
    first, second = text.split("\n\n")
    assert first.splitlines()[0] == "01_a" and "pad2d" not in first
    assert first.splitlines()[1].split() == ["student", "score", "conv1d", "/9", "len", "/3"]
    assert [line.split()[:2] for line in first.splitlines()[3:]] == [["al", "9/12"], ["bo", "7/12"]]
    assert second.splitlines()[0] == "02_b" and "pad2d /2" in second and "conv1d" not in second


def test_the_demo_selection_names_existing_samples(tmp_path):
    from grader.authoring.implementations import demo_selection, implementations
    from grader.authoring.samples import write_samples
    from grader.course.layout import assignments
    for assignment in assignments():
        students = {i.student for i in implementations(assignment)}
        assert demo_selection(assignment) and set(demo_selection(assignment)) <= students
    written = write_samples("01_conv1d", tmp_path, only=demo_selection("01_conv1d"))
    assert set(written) == {"reference", "blank", *demo_selection("01_conv1d")}
    assert {p.name for p in tmp_path.iterdir()} == set(written)
