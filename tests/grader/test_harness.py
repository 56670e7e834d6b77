"""The grading harness on a small synthetic assignment (fast, no training)."""

import textwrap

import nbformat
import pytest

from grader.grading.check_run import INTERNAL_ERROR
from grader.grading.harness import grade_notebook

CHECKS = {
    "test_double.py": '''
        import numpy as np
        from grader.checking import points, expect_close

        SECRET_EXPECTED = [2.0, 4.0, 6.0]

        @points(2)
        def test_values(student):
            "doubles a small vector"
            expect_close(student.call("double", [1.0, 2.0, 3.0]), SECRET_EXPECTED, "a small vector",
                         misconceptions=[([1.0, 2.0, 3.0], "you returned the input unchanged")])

        @points(1)
        def test_internal(student):
            "a check with a bug in it"
            assert student.call("double", [1.0]) == "never", "secret detail"
    ''',
    "test_slow.py": '''
        from grader.checking import points

        @points(1)
        def test_first(student):
            "slow call one"
            student.call("slow", timeout=5)

        @points(1)
        def test_second(student):
            "slow call two"
            student.call("slow", timeout=5)
    ''',
}


@pytest.fixture
def checks_root(tmp_path):
    folder = tmp_path / "checks" / "toy"
    folder.mkdir(parents=True)
    for name, text in CHECKS.items():
        (folder / name).write_text(textwrap.dedent(text))
    return tmp_path / "checks"


def write_notebook(path, source):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(source))]
    nbformat.write(nb, str(path))
    return path


def test_points_partial_credit_and_safe_messages(tmp_path, checks_root):
    path = write_notebook(tmp_path / "a.ipynb", '''
        import time
        def double(x):
            return x
        def slow():
            time.sleep(0.05)
    ''')
    result = grade_notebook(path, "toy", checks_root=checks_root)
    double = result["parts"]["test_double"]
    assert double["max_score"] == 3 and double["score"] == 0
    messages = [t["message"] for t in double["tests"]]
    assert messages == ["For a small vector: you returned the input unchanged", INTERNAL_ERROR]
    assert "secret" not in str(result["parts"]) and "SECRET" not in str(result["parts"])
    assert len(result["internal_errors"]) == 1 and "test_internal" in result["internal_errors"][0]
    assert result["parts"]["test_slow"]["score"] == 2
    assert result["score"] == 2 and result["max_score"] == 5


NOTED = '''
    from grader.checking import note, points

    @points(1)
    def test_with_a_note(student):
        "passes, with a word for the student"
        student.call("slow", timeout=5)
        note("2 of 3 cases could not be checked.")

    @points(1)
    def test_without(student):
        "passes silently"
        student.call("slow", timeout=5)
'''


def test_a_pass_may_carry_a_note_for_the_student(tmp_path):
    from grader.batch.feedback import render
    from grader.batch.report import notebook_table
    checks_root = tmp_path / "checks"
    (checks_root / "toy").mkdir(parents=True)
    (checks_root / "toy" / "test_noted.py").write_text(textwrap.dedent(NOTED))
    path = write_notebook(tmp_path / "n.ipynb", """
        def slow():
            return None
    """)
    result = grade_notebook(path, "toy", checks_root=checks_root)
    tests = result["parts"]["test_noted"]["tests"]
    assert [(t["passed"], t["message"]) for t in tests] == [
        (True, "2 of 3 cases could not be checked."), (True, "passed")]
    assert result["parts"]["test_noted"]["score"] == 2
    assert "2 of 3 cases could not be checked." in render("ann", result)
    assert "\u2714 passes, with a word for the student: 2 of 3" in notebook_table(result)
    assert "passes silently" not in notebook_table(result)


def test_part_budget_stops_a_slow_part_and_spares_the_rest(tmp_path, checks_root, monkeypatch):
    monkeypatch.setattr("grader.grading.check_run.PART_BUDGET_SECONDS", 1.5)
    path = write_notebook(tmp_path / "b.ipynb", '''
        import time
        def double(x):
            return [2 * v for v in x]
        def slow():
            time.sleep(1.0)
    ''')
    from grader.grading import harness
    from grader.grading.definitions import extract_definitions
    from grader.grading.student import StudentProxy
    with StudentProxy(extract_definitions(nbformat.read(str(path), 4))) as proxy:
        proxy.call("double", [1.0])  # start the worker outside the budget
        parts, _ = harness.run_checks(proxy, "toy", checks_root=checks_root, part_budget=1.5)
    slow = parts["test_slow"].tests
    assert slow[0].passed and not slow[1].passed
    assert "did not finish" in slow[1].message or "time budget" in slow[1].message
    assert parts["test_double"].tests[0].passed


def test_unreadable_notebook_scores_zero_with_a_note(tmp_path, checks_root):
    path = tmp_path / "broken.ipynb"
    path.write_text("{ not json")
    result = grade_notebook(path, "toy", checks_root=checks_root)
    assert result["score"] == 0 and result["max_score"] == 5
    assert "could not be read" in result["notes"][0]
    assert all("not defined" in t["message"] for p in result["parts"].values() for t in p["tests"]
               if t["name"] != "a check with a bug in it")


def test_unknown_assignment_is_a_clear_error(tmp_path, checks_root):
    path = write_notebook(tmp_path / "c.ipynb", "x = 1")
    with pytest.raises(ValueError, match="no hidden checks for assignment 'nope'"):
        grade_notebook(path, "nope", checks_root=checks_root)
