"""End to end: sample submissions of every notebook are autograded into the gradebook,
CSV and feedback (one autograde run shared by all tests here)."""

import csv
import json
import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.leakcheck import secret_check_lines
from grader.nbgrader_setup import REPO_ROOT, assignments, solution_notebooks
from grader.samples import MISTAKES, write_samples

ASSIGNMENT = "01_conv1d"
GRADED = [a for a in assignments() if a in MISTAKES]
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("grading")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    samples = {a: write_samples(a, root / "submissions") for a in GRADED}
    rows, output = autograde(root / "submissions", output_dir=root / "graded", jobs=2,
                             progress=False)
    return {(row["assignment"], row["student"]): row for row in rows}, samples, output


@pytest.mark.parametrize("assignment", GRADED)
def test_reference_solution_gets_full_marks(graded, assignment):
    rows, _, _ = graded
    reference = rows[assignment, "reference"]
    failed = [(g, t["name"], t["message"]) for g, p in reference["parts"].items()
              for t in p["tests"] if not t["passed"]]
    assert failed == []
    assert reference["score"] == reference["max_score"] > 0
    assert reference["internal_errors"] == []


@pytest.mark.parametrize("assignment", GRADED)
def test_blank_release_scores_zero_on_every_part_without_crashing(graded, assignment):
    rows, _, _ = graded
    blank = rows[assignment, "blank"]
    assert blank["max_score"] == rows[assignment, "reference"]["max_score"]
    for grade_id, part in blank["parts"].items():
        assert part["score"] == 0 and part["max_score"] > 0, grade_id
        # the blank release hands in no checkpoints: their parts say so
        assert all(any(words in t["message"] for words in
                       ("not implemented", "not defined", "was submitted beside your notebook"))
                   for t in part["tests"]), part["tests"]
    assert blank["internal_errors"] == []


@pytest.mark.parametrize("assignment, mistake",
                         [(a, m) for a in GRADED for m in MISTAKES[a]],
                         ids=lambda value: getattr(value, "student", value))
def test_classic_mistakes_lose_points_on_the_right_part(graded, assignment, mistake):
    rows, _, _ = graded
    row = rows[assignment, mistake.student]
    for grade_id, part in row["parts"].items():
        if grade_id in mistake.expect:
            assert part["score"] < part["max_score"], grade_id
            messages = " | ".join(t["message"] for t in part["tests"] if not t["passed"])
            assert mistake.expect[grade_id] in messages, messages
        elif grade_id not in mistake.cascades:
            assert part["score"] == part["max_score"], (grade_id, part["tests"])
    assert row["internal_errors"] == []


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
    for assignment in GRADED:
        assert float(table[assignment, "reference"]["score"]) == \
            rows[assignment, "reference"]["max_score"]
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
