"""The reference checkpoints (committed in grader/checks/<A>/checkpoints/, or built on demand by
grader/checks/<A>/reference_model.py) are trained from reference.py (benchmarks/bench_*.py
--save, or the build): the solution notebook's graded code must be the same, docstrings
aside, or the checkpoints would not be the solution's."""

import ast
import json

import pytest

from grader.course.layout import CHECKS_ROOT, solution_notebooks

GRADED = {
    "06_fc_vs_cnn_fashionmnist": {"MLP", "SmallCNN", "train_epoch", "evaluate", "conv_block"},
    "07_cifar10": {"random_crop_flip", "ConvBNReLU", "ResidualBlock", "CifarNet",
                   "prepare_model"},
    "08_transfer_learning": {"freeze", "replace_head", "count_trainable", "extract_features",
                             "param_groups"},
    "09_style_transfer": {"content_cost", "gram_matrix", "style_layer_cost", "style_cost",
                          "total_variation", "total_cost", "FeatureExtractor",
                          "run_style_transfer"},
    "10_detection": {"iou", "localisation_loss", "fc_to_conv", "encode_grid", "decode_grid",
                     "nms"},
}


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


def _solution_code(assignment):
    """The solution notebook's code cells but the grade cells, magics and solution markers
    left out."""
    notebook = json.loads(solution_notebooks(assignment)[0].read_text())
    cells = "\n\n".join("".join(c["source"]) for c in notebook["cells"]
                        if c["cell_type"] == "code"
                        and "### BEGIN HIDDEN TESTS" not in "".join(c["source"]))
    cells = "\n".join(line for line in cells.splitlines() if not line.lstrip().startswith("%"))
    return cells.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")


@pytest.mark.parametrize("assignment", sorted(GRADED))
def test_the_solution_notebook_is_the_reference_the_checkpoints_were_trained_with(assignment):
    names = GRADED[assignment]
    solution = _definitions(_solution_code(assignment), names)
    reference = _definitions((CHECKS_ROOT / assignment / "reference.py").read_text(), names)
    assert set(solution) == names
    assert solution == reference
