"""The released notebooks: in sync with the solutions, reproducible, leak-free."""

import json
import shutil

import nbformat
import pytest

from grader.authoring.leaks import find_leaks
from grader.authoring.release import release
from grader.course.layout import NOTEBOOKS_DIR, REPO_ROOT, assignments

pytestmark = pytest.mark.xdist_group("release")


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    release(output_dir=out)
    return out


def test_every_solution_has_a_committed_release():
    for assignment in assignments():
        assert list((NOTEBOOKS_DIR / assignment).glob("*.ipynb")), assignment


def test_release_is_in_sync_with_solutions(fresh_release):
    for assignment in assignments():
        for path in (fresh_release / assignment).glob("*.ipynb"):
            committed = NOTEBOOKS_DIR / assignment / path.name
            assert committed.read_bytes() == path.read_bytes(), (
                f"{committed} is stale: run `python -m grader release` and commit the result")


def test_release_is_deterministic(fresh_release, tmp_path):
    release(output_dir=tmp_path)
    for path in fresh_release.rglob("*.ipynb"):
        assert (tmp_path / path.relative_to(fresh_release)).read_bytes() == path.read_bytes()


def test_release_has_stubs_and_points_from_checks(fresh_release):
    from grader.course.points import part_points
    for assignment in assignments():
        nb = nbformat.read(str(next((fresh_release / assignment).glob("*.ipynb"))), 4)
        text = "\n".join(c.source for c in nb.cells)
        assert "raise NotImplementedError()" in text
        cells = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
                 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
        for grade_id, points in part_points(assignment).items():
            assert cells[grade_id]["points"] == points


def _doctor(fresh_release, tmp_path, assignment, new_line):
    target = tmp_path / assignment
    shutil.copytree(fresh_release / assignment, target)
    path = next(target.glob("*.ipynb"))
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"][-1]
    code["source"] = "".join(code["source"]) + "\n" + new_line
    path.write_text(json.dumps(nb))
    return find_leaks(assignment, target)


def _solution_line(assignment):
    source = nbformat.read(str(next((REPO_ROOT / "course/solutions" / assignment).glob("*.ipynb"))), 4)
    for cell in source.cells:
        lines = cell.source.splitlines()
        if "### BEGIN SOLUTION" in cell.source:
            start = next(i for i, l in enumerate(lines) if "BEGIN SOLUTION" in l)
            for line in lines[start + 1:]:
                if len(line.strip()) > 20 and not line.strip().startswith("#"):
                    return line
    raise AssertionError("no solution line found")


@pytest.mark.parametrize("assignment", assignments())
def test_leak_check_catches_solutions_checks_and_markers(fresh_release, tmp_path, assignment):
    assert find_leaks(assignment, fresh_release / assignment) == []
    leaked = _doctor(fresh_release, tmp_path / "a", assignment, _solution_line(assignment))
    assert any("solution line released" in p for p in leaked), leaked
    check_file = sorted((REPO_ROOT / "grader/checks" / assignment).glob("test_*.py"))[0]
    long_line = max((line for line in check_file.read_text().splitlines()
                     if not line.strip().startswith(("#", "import ", "from "))), key=len)
    leaked = _doctor(fresh_release, tmp_path / "b", assignment, long_line)
    assert any("hidden-check line released" in p for p in leaked), leaked
    leaked = _doctor(fresh_release, tmp_path / "c", assignment, "### BEGIN HIDDEN TESTS")
    assert any("marker" in p for p in leaked), leaked


def test_course_notebooks_are_stored_without_outputs():
    for path in (REPO_ROOT / "course").rglob("*.ipynb"):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path


def test_cells_without_ids_get_stable_ids():
    from grader.course.generate import fill_missing_cell_ids
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell("hi")]
    for cell in nb.cells:
        del cell["id"]
    fill_missing_cell_ids(nb)
    assert [c["id"] for c in nb.cells] == ["cell-0", "cell-1"] and nb.nbformat_minor == 5
