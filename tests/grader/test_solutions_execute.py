"""Every solution notebook runs top to bottom (quick mode, offline)."""

import os

import pytest
from notebook_run import execute

from grader.course.layout import assignments, solution_notebooks

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("assignment", assignments())
def test_solution_notebook_executes(assignment, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("COURSE_CACHE_DIR",
                       os.environ.get("COURSE_CACHE_DIR", str(tmp_path / "cache")))
    for path in solution_notebooks(assignment):
        nb, _ = execute(path, tmp_path)
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors
        assert any(c.get("outputs") for c in nb.cells), "the notebook produced no output"
