"""Points live on the hidden checks (``@points(n)``); grade cells get their sum.

Reading the points does not import the check files (they import torch and
the reference solutions): ``@points(...)`` decorators are read with ``ast``.
"""

import ast

from grader.course.layout import part_files


class PointsError(Exception):
    """Grade cells and hidden check files do not match up."""


def _points_of(function):
    for decorator in function.decorator_list:
        if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", "") == "points":
            return float(ast.literal_eval(decorator.args[0]))
    return 1.0  # the harness default for a test without @points


def check_file_points(path):
    """Total points of the ``test_*`` functions in one check file."""
    tree = ast.parse(path.read_text())
    tests = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test")]
    return sum(_points_of(t) for t in tests)


def part_points(assignment):
    """grade_id -> points, from grader/checks/<assignment>/test_*.py."""
    return {grade_id: check_file_points(path) for grade_id, path in part_files(assignment).items()}


def grade_cells(notebook):
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            yield cell, meta


def apply_points(notebook, part_points_by_id, notebook_name):
    """Set each autograded grade cell's points; every cell and check file must pair up."""
    seen = set()
    for cell, meta in grade_cells(notebook):
        grade_id = meta.get("grade_id")
        if cell.cell_type != "code":
            continue  # manually graded Markdown answers keep their own points
        if grade_id not in part_points_by_id:
            raise PointsError(f"{notebook_name}: grade cell {grade_id!r} has no hidden check "
                              f"file grader/checks/.../{grade_id}.py")
        meta["points"] = part_points_by_id[grade_id]
        seen.add(grade_id)
    orphans = sorted(set(part_points_by_id) - seen)
    if orphans:
        raise PointsError(f"{notebook_name}: hidden check files without a grade cell: {orphans}")
