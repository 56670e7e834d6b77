"""``python -m grader new-assignment NN_topic``: a new notebook's home, ready to grade.

Writes the solution notebook (one graded function, its solution cell and its grade cell
with a visible self-check and the hidden-test hook) and the check folder (reference,
misconceptions, one check file and the implementations module), all following the
layout of docs/ARCHITECTURE.md. Replace the example function (``relu``) by the notebook's
own; then ``python -m grader release NN_topic`` generates the student version.
"""

import re
from pathlib import Path

import nbformat

from grader.course.generate import fill_missing_cell_ids
from grader.course.layout import CHECKS_ROOT, SOLUTIONS_DIR

NAME = re.compile(r"^\d\d_[a-z][a-z0-9_]*$")
TEMPLATES = Path(__file__).resolve().parent / "templates"
CHECK_FILES = ("reference.py", "misconceptions.py", "test_relu.py", "implementations.py")
SELF_CHECK_IMPORT = "from source_lib.self_check import SelfCheck"


class ScaffoldError(Exception):
    """The assignment name is not usable or its files exist already."""


def _nbgrader(grade_id, solution):
    meta = {"grade": not solution, "grade_id": grade_id, "locked": not solution,
            "schema_version": 3, "solution": solution, "task": False}
    return {"nbgrader": {**meta, **({} if solution else {"points": 0})}}


def solution_notebook(assignment, title):
    """The nbgrader source notebook: an introduction, the set-up, one exercise."""
    new = nbformat.v4
    cells = [
        new.new_markdown_cell(f"# {assignment[:2]} · {title}\n\nWhat this notebook teaches, "
                              "and which lecture it follows."),
        new.new_code_cell(f"import numpy as np\n\n{SELF_CHECK_IMPORT}"),
        new.new_markdown_cell("### Exercise 1 — `relu(x)`\n\nReturn the elementwise "
                              "$\\max(x, 0)$ of an array of any shape, as floats."),
        new.new_code_cell('def relu(x):\n    """Elementwise max(x, 0) of an array of any '
                          'shape, as floats."""\n    ### BEGIN SOLUTION\n    return '
                          'np.maximum(np.asarray(x, dtype=float), 0.0)\n    ### END SOLUTION',
                          metadata=_nbgrader("relu", solution=True)),
        new.new_code_cell('with SelfCheck("relu") as check:\n    check.equal(lambda: '
                          'relu(np.array([-1.0, 0.0, 2.0])).tolist(), [0.0, 0.0, 2.0], '
                          '"a small vector",\n                hint="negative inputs become 0")'
                          f"\n\n### BEGIN HIDDEN TESTS\n# graded by grader/checks/{assignment}/"
                          "test_relu.py\n### END HIDDEN TESTS",
                          metadata=_nbgrader("test_relu", solution=False)),
    ]
    notebook = new.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python"}})
    fill_missing_cell_ids(notebook)
    return notebook


def new_assignment(assignment, title="A new notebook", solutions_dir=SOLUTIONS_DIR,
                   checks_root=CHECKS_ROOT):
    """Write the new assignment's files; returns their paths. Refuses a bad name or an
    assignment that exists already (nothing is overwritten)."""
    if not NAME.match(assignment):
        raise ScaffoldError(f"{assignment!r} is not a notebook name like 08_transfer "
                            "(two digits, an underscore, lower-case words)")
    notebook_path = Path(solutions_dir) / assignment / f"{assignment}.ipynb"
    checks = Path(checks_root) / assignment
    existing = [p for p in (notebook_path.parent, checks) if p.exists()]
    if existing:
        raise ScaffoldError(f"{assignment} exists already: {', '.join(map(str, existing))}")
    notebook_path.parent.mkdir(parents=True)
    nbformat.write(solution_notebook(assignment, title), str(notebook_path))
    checks.mkdir(parents=True)
    written = [notebook_path]
    for name in CHECK_FILES:
        template = (TEMPLATES / f"{name}.tmpl").read_text()
        (checks / name).write_text(template.format(assignment=assignment))
        written.append(checks / name)
    return written
