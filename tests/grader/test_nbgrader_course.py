"""nbgrader's own commands grade with our grader, and `python -m grader autograde` on an
nbgrader course folder writes the gradebook nbgrader would: identical per-cell scores,
names from the roster, timestamps, late penalties, "Tests Failed?" where a part lost points,
nothing flagged for manual grading, released assignments, and generate_feedback showing
our messages. One light assignment (03, with a crash, a hang and a cheat) and the two
graded on checkpoints handed in beside the notebook (06, and 07's reference and blank)."""

import csv
import html

import pytest
from nbgrader.apps import NbGraderAPI

from grader.authoring.implementations import implementations
from grader.batch.nbgrader_course import RESULTS_FOLDER
from grader.batch.results_store import ResultsStore
from grader.course.nbgrader_config import course_config
from grader.course.points import part_points
from nbgrader_course_case import (HOSTILE, LATE_STUDENT, P03, cell_grades, course_case,
                                  lost_parts, nbgrader)

pytestmark = pytest.mark.slow
# one group per assignment: its course folder is graded once, by the process that runs
# all of that assignment's tests
ASSIGNMENTS = [pytest.param(a, marks=pytest.mark.xdist_group(f"nbgrader-course-{a}"), id=a)
               for a in (P03, "06_fc_vs_cnn_fashionmnist", "07_cifar10")]


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def case(request, tmp_path_factory):
    assignment = request.param
    return dict(course_case(assignment, tmp_path_factory), assignment=assignment)


def _api(root):
    return NbGraderAPI(config=course_config(root))


def _notebook_submissions(root, assignment):
    api = _api(root)
    notebook = api.get_notebooks(assignment)[0]["name"]
    return {s["student"]: s for s in api.get_notebook_submissions(assignment, notebook)}


def test_both_paths_give_identical_gradebooks(case):
    plain, ours = cell_grades(case["plain"]), cell_grades(case["ours"])
    students = {student for student, _ in ours}
    assert students == set(case["students"])
    assert len(ours) == len(case["students"]) * len(part_points(case["assignment"]))
    assert plain == ours


def test_scores_are_ours_with_the_real_maxima(case):
    assignment, ours = case["assignment"], case["ours"]
    maxima = part_points(assignment)
    store = ResultsStore(ours / RESULTS_FOLDER)
    for (student, grade_id), (auto, manual, needs_manual, _) in cell_grades(ours).items():
        part = store.load(student, assignment)["result"]["parts"][grade_id]
        assert auto == pytest.approx(part["score"]) and manual is None and not needs_manual
        assert part["max_score"] == maxima[grade_id]
    for student in case["students"]:
        lost = {g for (s, g), (auto, *_) in cell_grades(ours).items()
                if s == student and auto < maxima[g]}
        expected = lost_parts(assignment, student)
        if expected is None:
            assert lost == set(maxima), student
        elif student in HOSTILE:
            assert expected <= lost, student     # a hang or crash may cost its callers too
        else:
            assert lost == expected, student


def test_the_ta_sees_names_timestamps_failed_tests_and_no_manual_grading(case):
    assignment, ours = case["assignment"], case["ours"]
    api = _api(ours)
    submissions = {s["student"]: s for s in api.get_submissions(assignment)}
    assert set(submissions) == set(case["students"])
    for student, row in submissions.items():
        assert (row["first_name"], row["last_name"]) == (f"First-{student}", f"Last-{student}")
        assert row["autograded"] and not row["needs_manual_grade"]
        day = "2025-03-02" if student == LATE_STUDENT[assignment] else "2025-03-01"
        assert row["timestamp"].startswith(day), row["timestamp"]
    maxima = part_points(assignment)
    grades = cell_grades(ours)
    for student, row in _notebook_submissions(ours, assignment).items():
        lost = any(grades[student, g][0] < m for g, m in maxima.items())
        assert row["failed_tests"] == lost, student
    assert api.get_assignment(assignment)["status"] == "released"
    assert api.get_assignment(assignment)["duedate"] is not None


def test_a_late_submission_is_penalised(case):
    """Penalty "zero" (nbgrader's LateSubmissionPlugin): the whole score is taken off."""
    late_student = LATE_STUDENT[case["assignment"]]
    for root in (case["plain"], case["ours"]):
        grades = cell_grades(root)
        earned = sum(auto for (s, _), (auto, *_) in grades.items() if s == late_student)
        penalties = {s: penalty for (s, _), (*_, penalty) in grades.items()}
        assert earned > 0 and penalties[late_student] == pytest.approx(earned)
        assert {s for s, penalty in penalties.items() if penalty} == {late_student}
    # our grades.csv says it as `nbgrader export` does: score after the penalty, raw before
    with open(case["ours"] / RESULTS_FOLDER / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    late = rows[late_student]
    assert float(late["score"]) == 0 < float(late["raw_score"]) == float(
        late["late_submission_penalty"])
    assert all(float(row["late_submission_penalty"]) == 0 and row["score"] == row["raw_score"]
               for student, row in rows.items() if student != late_student)


def test_the_formgrader_notebook_shows_real_maxima_and_our_messages(case):
    import nbformat
    assignment, ours = case["assignment"], case["ours"]
    maxima = part_points(assignment)
    path = next((ours / "autograded" / "reference" / assignment).glob("*.ipynb"))
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nbformat.read(str(path), 4).cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"}
    assert set(cells) == set(maxima)
    for grade_id, cell in cells.items():
        assert cell.metadata["nbgrader"]["points"] == maxima[grade_id]
        stream, result = cell.outputs
        assert stream.name == "stdout" and "\u2714 passed" in stream.text
        assert float(result.data["text/plain"]) == maxima[grade_id]


def test_generate_feedback_gives_students_our_messages(case):
    assignment, ours = case["assignment"], case["ours"]
    nbgrader("generate_feedback", assignment, "--force", cwd=ours)
    for sample in implementations(assignment):
        if sample.student not in case["students"]:
            continue
        page = next((ours / "feedback" / sample.student / assignment).glob("*.html"))
        text = " ".join(page.read_text().split())      # messages are wrapped in the cells
        for part, phrase in sample.loses.items():
            assert part in text and html.escape(phrase, quote=False) in text, (sample.student,
                                                                             phrase)
        assert "\u2718 failed" in text
        # the check cells read as released: no hidden-test hook naming the grader's files
        assert "HIDDEN TESTS" not in text and "grader/checks" not in text
    if assignment == P03:   # the cheat's own check cell is not what ran
        page = next((ours / "feedback" / "cheat" / assignment).glob("*.html")).read_text()
        assert "all checks passed" not in page and "test_pad2d: 4 / 4" not in page
