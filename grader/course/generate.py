"""Lay out an nbgrader course root for an assignment and run nbgrader's
``generate_assignment`` there: the release uses it (then copies the student version to
course/notebooks), and a class batch uses it to register the notebooks and grade cells in
its gradebook.

    <root>/source/<assignment>/<notebook>.ipynb    solutions, with points from the checks
    <root>/release/<assignment>/...                generated student versions
    <root>/gradebook.db                            the nbgrader gradebook
"""

import os
import re
import sys
from pathlib import Path

import nbformat

from grader.course import points
from grader.course.layout import solution_notebooks
from grader.course.nbgrader_config import course_config, remember_alembic_head


_ERROR_LINE = re.compile(r"\s*\w+(Error|Exception): ")


class ReleaseError(Exception):
    """The release could not be generated or would leak answers."""


def fill_missing_cell_ids(notebook):
    """nbformat would invent random ids for cells without one; derive them instead,
    so the release stays byte-for-byte reproducible."""
    notebook.nbformat_minor = max(notebook.get("nbformat_minor", 5), 5)
    for index, cell in enumerate(notebook.cells):
        if not cell.get("id"):
            cell["id"] = f"cell-{index}"


def prepare_source(assignment, root):
    """Copy the assignment's solutions into ``root/source`` with points from the checks."""
    part_points = points.part_points(assignment)
    target = Path(root) / "source" / assignment
    target.mkdir(parents=True, exist_ok=True)
    for path in solution_notebooks(assignment):
        notebook = nbformat.read(str(path), as_version=4)
        fill_missing_cell_ids(notebook)
        points.apply_points(notebook, part_points, path.name)
        nbformat.write(notebook, str(target / path.name))
    return target


def _put_interpreter_tools_on_path():
    """nbgrader runs the `alembic` command; find it beside this interpreter."""
    tools = os.path.dirname(sys.executable)
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = tools + os.pathsep + os.environ.get("PATH", "")


def generate(assignment, root):
    """Run nbgrader generate_assignment in ``root``; returns the release folder."""
    from nbgrader.apps import NbGraderAPI  # heavy import, only when releasing
    _put_interpreter_tools_on_path()
    remember_alembic_head()
    prepare_source(assignment, root)
    api = NbGraderAPI(config=course_config(root))
    outcome = api.generate_assignment(assignment, force=True, create=True)
    if not outcome.get("success"):
        # the reason is in nbgrader's log; its "error" is only the converter's own traceback
        log = outcome.get("log") or ""
        reasons = [line.strip() for line in log.splitlines() if _ERROR_LINE.match(line)]
        raise ReleaseError(f"nbgrader could not generate {assignment}: "
                           f"{'; '.join(reasons) or 'see its log below'}\n"
                           f"{log or outcome.get('error')}")
    return Path(root) / "release" / assignment
