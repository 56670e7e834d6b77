"""Regenerate course/notebooks from course/solutions with nbgrader.

Pipeline for one assignment:
  1. copy the solution notebooks into a course root, writing into every grade
     cell the points declared on its hidden checks (the single source of truth);
  2. nbgrader ``generate_assignment`` (clears solutions, hidden-test hooks and
     outputs, locks cells, records grade cells in the gradebook);
  3. normalise the JSON so the output is byte-for-byte reproducible;
  4. leak check: fail if solution code or hidden-check text reached the release.
"""

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

from grader import leakcheck, points
from grader.nbgrader_setup import (NOTEBOOKS_DIR, assignments, course_config,
                                   remember_alembic_head, solution_notebooks)


class ReleaseError(Exception):
    """The release could not be generated or would leak answers."""


def _fill_missing_cell_ids(notebook):
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
        _fill_missing_cell_ids(notebook)
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
        raise ReleaseError(f"nbgrader could not generate {assignment}:\n"
                           f"{outcome.get('error') or outcome.get('log')}")
    return Path(root) / "release" / assignment


def normalise(path):
    """Rewrite a notebook in one canonical form (sorted keys, no outputs)."""
    notebook = json.loads(Path(path).read_text())
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    Path(path).write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def release_assignment(assignment, output_dir=NOTEBOOKS_DIR):
    """Generate, check and install the student version of one assignment."""
    with tempfile.TemporaryDirectory(prefix="grader-release-") as root:
        released = generate(assignment, root)
        for path in released.glob("*.ipynb"):
            normalise(path)
        problems = leakcheck.find_leaks(assignment, released)
        if problems:
            raise ReleaseError(f"release of {assignment} would leak:\n  " + "\n  ".join(problems))
        destination = Path(output_dir) / assignment
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(released, destination)
    return sorted(destination.glob("*.ipynb"))


def release(selected=None, output_dir=NOTEBOOKS_DIR):
    """Release the named assignments (default: all); returns the written paths."""
    written = []
    for assignment in selected or assignments():
        written.extend(release_assignment(assignment, output_dir))
    return written
