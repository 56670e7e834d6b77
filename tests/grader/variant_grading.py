"""Grade implementation variants of a notebook through the real worker (tests only).

A variant is the notebook's solution with some solution cells replaced (keyed by the
cells' grade_id), handed in with the reference's checkpoints where the notebook has some. Right variants must get full marks; wrong ones ``{part: (source, phrase)}``
must lose points on exactly those parts, with ``phrase`` in the feedback.
"""

import ast
import json

import nbformat

from grader.authoring.samples import hand_in_files, replace_solution_cells
from grader.course.layout import CHECKS_ROOT, solution_notebooks
from grader.grading.harness import grade_notebook


def grade_variant(tmp_path_factory, assignment, name, replacements):
    source = solution_notebooks(assignment)[0]
    notebook = nbformat.read(str(source), as_version=4)
    replace_solution_cells(notebook, {k: v.strip() + "\n" for k, v in replacements.items()})
    path = tmp_path_factory.mktemp(name) / source.name
    nbformat.write(notebook, str(path))
    hand_in_files(assignment, path.parent, None)   # the reference's checkpoints, if any
    return grade_notebook(path, assignment)


def wrong_cells(variants, cell_of_part=None):
    """{part: (source, phrase)} -> {solution cell grade_id: source}."""
    cell_of_part = cell_of_part or {}
    return {cell_of_part.get(part, part.removeprefix("test_")): source
            for part, (source, _) in variants.items()}


def failures(part):
    return [(t["name"], t["message"]) for t in part["tests"] if not t["passed"]]


def assert_full_marks(result):
    assert result["internal_errors"] == []
    for grade_id, part in result["parts"].items():
        assert part["score"] == part["max_score"] > 0, (grade_id, failures(part))


def assert_mistakes_named(result, variants):
    assert result["internal_errors"] == []
    for grade_id, part in result["parts"].items():
        if grade_id in variants:
            messages = " | ".join(message for _, message in failures(part))
            assert part["score"] < part["max_score"], grade_id
            assert variants[grade_id][1] in messages, (grade_id, messages)
        else:
            assert part["score"] == part["max_score"], (grade_id, failures(part))


def assert_no_expected_values(results):
    for result in results:
        for part in result["parts"].values():
            for _, message in failures(part):
                assert "expected" not in message.lower(), message


def _definitions(source, names):
    """{name: AST dump without docstrings} of the top-level definitions ``names``."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and body and \
                isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            node.body = body[1:] or [ast.Pass()]
    return {node.name: ast.dump(node) for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names}


def solution_and_reference_definitions(assignment, names):
    """({name: AST} of the solution notebook, {name: AST} of reference.py), docstrings left
    out: where reference checkpoints were trained from reference.py, the two must match."""
    notebook = json.loads(solution_notebooks(assignment)[0].read_text())
    cells = "\n\n".join("".join(c["source"]) for c in notebook["cells"]
                        if c["cell_type"] == "code"
                        and "### BEGIN HIDDEN TESTS" not in "".join(c["source"]))
    cells = "\n".join(line for line in cells.splitlines() if not line.lstrip().startswith("%"))
    cells = cells.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
    reference = (CHECKS_ROOT / assignment / "reference.py").read_text()
    return _definitions(cells, names), _definitions(reference, names)
