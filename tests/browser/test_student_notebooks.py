"""A student in JupyterLab, for every released notebook.

Filled in (the release with the reference's solution cells): Run All from the Run menu
leaves no error and nothing on stderr, every widget renders and responds to a change of
one of its controls, and nbgrader's Validate button says it passes. Blank (the release as
students get it): Run All stops at the first exercise's check cell, with the course's one
line instead of a traceback, and nothing after it runs.
"""

import shutil

import nbformat
import pytest
from lab_page import open_notebook, run_all, save, validate
from widget_steps import responds, widget_cells

from grader.authoring.samples import answer_cells, replace_cells
from grader.course.layout import assignments, released_notebook, solution_notebooks

RUN_TIMEOUT = 600           # quick mode: each notebook runs in under 90 s on 2 cores
pytestmark = [pytest.mark.slow, pytest.mark.browser]


def place(root, assignment, filled):
    """Copy the release of ``assignment`` into the lab's folder (``filled``: with the
    reference's solution cells); returns (path relative to root, absolute path)."""
    release = released_notebook(assignment)
    notebook = nbformat.read(str(release), as_version=4)
    if filled:
        replace_cells(notebook, answer_cells(assignment))
    folder = root / ("filled" if filled else "blank") / assignment
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    path = folder / release.name
    nbformat.write(notebook, str(path))
    return str(path.relative_to(root)), path


def bad_outputs(notebook):
    """Error outputs and stderr streams, as (cell number, summary)."""
    found = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append((number, f"{output.ename}: {output.evalue}"[:300]))
            elif output.output_type == "stream" and output.name == "stderr":
                found.append((number, "stderr: " + output.text[:300]))
    return found


def show_output(cell):
    """Scroll the notebook so the cell's output starts at the top of the window (a
    screenshot of an element inside JupyterLab's scrolled panel would cut it)."""
    cell.locator(".jp-Cell-outputWrapper").evaluate("e => e.scrollIntoView({block: 'start'})")


def uses_widgets(assignment):
    return "source_lib.widgets" in solution_notebooks(assignment)[0].read_text()


@pytest.mark.parametrize("assignment", assignments())
def test_filled_notebook_in_lab(assignment, student_lab, page):
    relative, path = place(student_lab.root, assignment, filled=True)
    open_notebook(page, student_lab, relative)
    page.steps.shot("opened")
    run_all(page, RUN_TIMEOUT)
    save(page)
    page.steps.shot("ran all")
    notebook = nbformat.read(str(path), as_version=4)
    assert bad_outputs(notebook) == []
    unrun = [n for n, c in enumerate(notebook.cells)
             if c.cell_type == "code" and c.source.strip() and not c.execution_count]
    assert unrun == [], f"cells not run: {unrun}"

    cells = widget_cells(page)
    if uses_widgets(assignment):
        assert cells, "the notebook's widgets did not render"
    for index, cell in cells:
        show_output(cell)
        page.steps.shot(f"widget_cell{index}_before")
        responds(page, cell)
        show_output(cell)
        page.steps.shot(f"widget_cell{index}_after")

    result = validate(page)
    page.steps.shot("validated")
    assert "Success! Your notebook passes all the tests." in result, result[:2000]


@pytest.mark.parametrize("assignment", assignments())
def test_blank_release_in_lab(assignment, student_lab, page):
    relative, path = place(student_lab.root, assignment, filled=False)
    open_notebook(page, student_lab, relative)
    run_all(page, RUN_TIMEOUT)
    save(page)
    notebook = nbformat.read(str(path), as_version=4)
    first_check = next(n for n, c in enumerate(notebook.cells)
                       if c.get("metadata", {}).get("nbgrader", {}).get("grade"))
    errors = bad_outputs(notebook)
    assert errors and errors[0][0] == first_check, errors
    assert errors[0][1].startswith("SelfCheckFailed: "), errors[0]
    error = next(o for o in notebook.cells[first_check].outputs if o.output_type == "error")
    assert len(error.traceback) == 1, "a traceback, not the course's one line"
    later = [n for n, c in enumerate(notebook.cells[first_check + 1:], first_check + 1)
             if c.cell_type == "code" and c.execution_count]
    assert later == [], f"Run All went on past the first exercise: cells {later} ran"

    cell = page.locator(".jp-Notebook .jp-Cell").nth(first_check)
    show_output(cell)
    shown = cell.locator(".jp-OutputArea").inner_text()
    assert "Traceback" not in shown and "still to do" in shown, shown
    page.steps.shot("stopped_at_first_exercise")
