"""Grade implementation variants of a notebook through the real worker (tests only).

A variant is the notebook's solution with some solution cells replaced (keyed by the
cells' grade_id), handed in with the reference's checkpoints where the notebook has some. Right variants must get full marks; wrong ones ``{part: (source, phrase)}``
must lose points on exactly those parts, with ``phrase`` in the feedback.
"""

import nbformat

from grader.harness import grade_notebook
from grader.nbgrader_setup import solution_notebooks
from grader.samples import hand_in_files, _replace_solution_cells


def grade_variant(tmp_path_factory, assignment, name, replacements):
    source = solution_notebooks(assignment)[0]
    notebook = nbformat.read(str(source), as_version=4)
    _replace_solution_cells(notebook, {k: v.strip() + "\n" for k, v in replacements.items()})
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

