"""The hidden checks of 07_cifar10 on implementations written in many ways, graded through
the real worker as plain notebooks (imports, random_crop_flip, the blocks, a small CifarNet).

Right implementations (fancy indexing, unfold, grid_sample; blocks as modules or
Sequentials) get full marks on every part but the checkpoint's (no checkpoint is handed in
here); each wrong one loses points on its own part only, with a message naming the mistake,
and no message shows an expected value.
"""

import nbformat
import pytest
from variant_grading import solution_and_reference_definitions
from variants_07 import (BLOCK_WRONG, BLOCKS_PLAIN, BLOCKS_SEQUENTIAL, CIFARNET, CROP_GATHER,
                         CROP_GRID_SAMPLE, CROP_UNFOLD, CROP_WRONG, IMPORTS)

from grader.grading.harness import grade_notebook

ASSIGNMENT = "07_cifar10"
CHECKPOINT_PART = "test_cifarnet_checkpoint"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks07")]


def grade(tmp_path_factory, name, *cells):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(cell.strip()) for cell in (IMPORTS, *cells)]
    path = tmp_path_factory.mktemp(name) / f"{ASSIGNMENT}.ipynb"
    nbformat.write(notebook, str(path))
    return grade_notebook(path, ASSIGNMENT)


def failures(part):
    return " | ".join(t["message"] for t in part["tests"] if not t["passed"])


def assert_only_part_lost(result, lost_parts, phrase):
    """``lost_parts``: a part (or tuple of parts) that must lose points; the first one's
    messages must contain ``phrase``."""
    lost_parts = (lost_parts,) if isinstance(lost_parts, str) or lost_parts is None else lost_parts
    assert result["internal_errors"] == []
    for grade_id, part in result["parts"].items():
        if grade_id == CHECKPOINT_PART:
            continue
        if grade_id in lost_parts:
            assert part["score"] < part["max_score"], grade_id
            assert grade_id != lost_parts[0] or phrase in failures(part), (grade_id, failures(part))
        else:
            assert part["score"] == part["max_score"] > 0, (grade_id, failures(part))
    for part in result["parts"].values():
        assert "expected" not in failures(part).lower(), failures(part)


@pytest.mark.parametrize("crop, blocks", [(CROP_GATHER, BLOCKS_PLAIN),
                                          (CROP_UNFOLD, BLOCKS_SEQUENTIAL),
                                          (CROP_GRID_SAMPLE, BLOCKS_PLAIN)],
                         ids=["gather+modules", "unfold+sequential", "grid_sample"])
def test_right_implementations_get_full_marks(tmp_path_factory, crop, blocks):
    result = grade(tmp_path_factory, "right", crop, blocks, CIFARNET)
    assert_only_part_lost(result, None, "")
    assert result["parts"][CHECKPOINT_PART]["score"] == 0      # nothing handed in


@pytest.mark.parametrize("name", sorted(CROP_WRONG))
def test_a_wrong_random_crop_flip_loses_points_there_only(tmp_path_factory, name):
    source, phrase = CROP_WRONG[name]
    result = grade(tmp_path_factory, name, source, BLOCKS_PLAIN, CIFARNET)
    assert_only_part_lost(result, "test_random_crop_flip", phrase)


@pytest.mark.parametrize("name", sorted(BLOCK_WRONG))
def test_a_wrong_block_loses_points_there_only(tmp_path_factory, name):
    source, parts, phrase = BLOCK_WRONG[name]
    result = grade(tmp_path_factory, name, CROP_GATHER, source, CIFARNET)
    assert_only_part_lost(result, parts, phrase)


def test_the_solution_notebook_is_the_reference_the_checkpoint_was_trained_with():
    """cifarnet.pt comes from reference.py (benchmarks/bench_cifar.py --save): the solution
    notebook's graded code must be the same, docstrings aside."""
    names = {"random_crop_flip", "ConvBNReLU", "ResidualBlock", "CifarNet", "prepare_model"}
    solution, reference = solution_and_reference_definitions(ASSIGNMENT, names)
    assert solution == reference and set(solution) == names
