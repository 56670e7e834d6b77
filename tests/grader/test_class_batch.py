"""What a TA gets from a class batch (01's samples, graded once and shared with
test_implementations.py): the nbgrader gradebook, the formgrader's config, grades.csv, the
feedback pages, grade-notebook's JSON, and a mistake charged once."""

import csv
import json
import subprocess
import sys

import pytest
from class_grading import graded_class, group
from nbgrader.api import Gradebook

from grader.authoring.leaks import secret_check_lines
from grader.course.layout import REPO_ROOT, solution_notebooks

ASSIGNMENT = "01_conv1d"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(group(ASSIGNMENT))]


@pytest.fixture
def graded(tmp_path_factory):
    rows, samples, output = graded_class(ASSIGNMENT, tmp_path_factory)
    return {(ASSIGNMENT, student): row for student, row in rows.items()}, samples, output


def test_scores_are_recorded_in_the_nbgrader_gradebook(graded):
    rows, _, output = graded
    with Gradebook(f"sqlite:///{output / 'nbgrader' / 'gradebook.db'}") as gb:
        for (assignment, student), row in rows.items():
            notebook_id = solution_notebooks(assignment)[0].stem
            nb = gb.find_submission_notebook(notebook_id, assignment, student)
            assert nb.score == pytest.approx(row["score"])
            assert nb.max_score == pytest.approx(row["max_score"])


def test_formgrader_config_points_at_the_gradebook(graded):
    _, _, output = graded
    config = (output / "nbgrader" / "nbgrader_config.py").read_text()
    assert "gradebook.db" in config and "CourseDirectory.root" in config
    assert (output / "nbgrader" / "autograded" / "reference" / ASSIGNMENT).is_dir()


def test_grades_csv_and_feedback_pages(graded):
    rows, _, output = graded
    with open(output / "grades.csv") as handle:
        table = {(r["assignment"], r["student"]): r for r in csv.DictReader(handle)}
    assert set(table) == set(rows)
    assert float(table[ASSIGNMENT, "reference"]["score"]) == \
        rows[ASSIGNMENT, "reference"]["max_score"]
    for assignment, student in rows:
        secrets = secret_check_lines(assignment)
        page = (output / "feedback" / student / assignment / "feedback.html").read_text()
        assert "Total:" in page
        assert not [line for line in secrets if line in page]
    flipped = (output / "feedback" / "flipped_kernel" / ASSIGNMENT / "feedback.html").read_text()
    assert "correlation" in flipped and "failed" in flipped


def test_grade_notebook_json_output_format(tmp_path):
    blank = REPO_ROOT / "course" / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    done = subprocess.run([sys.executable, "-m", "grader", "grade-notebook", str(blank),
                           "--assignment", ASSIGNMENT, "--json"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"assignment", "score", "max_score", "parts"} <= set(result)
    for part in result["parts"].values():
        assert {"score", "max_score", "tests"} <= set(part)
        for test in part["tests"]:
            assert {"name", "passed", "message"} <= set(test)


def test_a_mistake_is_charged_once(graded):
    """conv1d and the models call conv1d_output_length: when it is off by one, only its
    own part loses points, and the callers' feedback says which function to fix."""
    rows, _, output = graded
    row = rows[ASSIGNMENT, "off_by_one"]
    lost = {g: p["max_score"] - p["score"] for g, p in row["parts"].items()
            if p["score"] < p["max_score"]}
    assert lost == {"test_conv1d_output_length":
                    row["parts"]["test_conv1d_output_length"]["max_score"]}
    page = (output / "feedback" / "off_by_one" / ASSIGNMENT / "feedback.html").read_text()
    assert "but it calls your conv1d_output_length, which is wrong" in page
    for part in ("test_conv1d", "test_mnist1d_models"):
        rechecked = [t for t in row["parts"][part]["tests"] if t.get("rechecked_with")]
        assert rechecked and all("fix conv1d_output_length" in t["message"] for t in rechecked)
