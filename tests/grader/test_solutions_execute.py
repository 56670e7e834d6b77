"""Every solution notebook runs top to bottom (quick mode, offline)."""

import os

import nbformat
import pytest
from nbclient import NotebookClient

from grader.nbgrader_setup import REPO_ROOT, assignments, solution_notebooks

pytestmark = [pytest.mark.slow]


@pytest.mark.parametrize("assignment", assignments())
def test_solution_notebook_executes(assignment, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("COURSE_CACHE_DIR", os.environ.get("COURSE_CACHE_DIR", str(tmp_path / "cache")))
    for path in solution_notebooks(assignment):
        nb = nbformat.read(str(path), as_version=4)
        client = NotebookClient(nb, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(tmp_path)}})
        client.execute()
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert not errors
        assert any(c.get("outputs") for c in nb.cells), "the notebook produced no output"
