"""The 02_conv2d hidden checks on implementation variants, graded through the real worker.

Right implementations written differently (loops, shifted views, einsum, fancy indexing,
np.stack, tensordot, autograd or a hand-derived gradient) must get full marks; wrong ones
must lose points on their own part, with a message naming the mistake. Each variant
notebook (tests/grader/variants_02.py) holds one version of every graded function and is
graded once (one worker each).
"""

import textwrap

import nbformat
import pytest
from variants_02 import RIGHT, WRONG

from grader.grading.harness import grade_notebook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks02")]



def _grade(tmp_path, name, source):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent(source))]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, str(path))
    return grade_notebook(path, "02_conv2d")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb02_variants")
    sources = {**RIGHT, **{name: source for name, (source, _) in WRONG.items()}}
    return {name: _grade(folder, name, source) for name, source in sources.items()}


@pytest.mark.parametrize("variant", sorted(RIGHT))
def test_right_variants_get_full_marks(graded, variant):
    result = graded[variant]
    failed = [(part, t["name"], t["message"]) for part, p in result["parts"].items()
              for t in p["tests"] if not t["passed"]]
    assert failed == []
    assert result["internal_errors"] == []


@pytest.mark.parametrize("variant", sorted(WRONG))
def test_wrong_variants_lose_points_with_a_named_mistake(graded, variant):
    result = graded[variant]
    _, expect = WRONG[variant]
    assert result["internal_errors"] == []
    for part, phrase in expect.items():
        scores = result["parts"][part]
        assert scores["score"] < scores["max_score"], part
        messages = " | ".join(t["message"] for t in scores["tests"] if not t["passed"])
        assert phrase in messages, (part, messages)


def test_feedback_never_shows_expected_values(graded):
    for result in graded.values():
        for part in result["parts"].values():
            for test in part["tests"]:
                assert "[[" not in test["message"] and "array(" not in test["message"]
