"""CifarNet(): images (N, 3, 32, 32) in [0, 1] -> (N, 10) class scores, built from the
notebook's ConvBNReLU and ResidualBlock.

The makeup (which blocks, how many parameters) is judged even when the forward pass fails:
the first test charges that failure."""

from grader.checking import expect, fail, note, points
from grader.errors import StudentCodeError

INPUT = (4, 3, 32, 32)
MAX_PARAMETERS = 5_000_000    # a network that trains in minutes on a laptop CPU


def _makeup(student):
    try:
        return student.tool("model_makeup", "CifarNet", INPUT, timeout=60,
                            count_as=("ResidualBlock", "ConvBNReLU"))
    except StudentCodeError as error:
        raise StudentCodeError("CifarNet", error.exc_type, error.message) from None


@points(1)
def test_gives_ten_scores_per_image(student):
    """CifarNet() returns 10 finite scores for each 32x32 colour image."""
    report = _makeup(student)
    if "forward_error" in report:
        raise StudentCodeError("CifarNet", *report["forward_error"])
    expect(report["output_shape"] == [4, 10],
           f"For a batch of shape {INPUT}, CifarNet returned shape "
           f"{tuple(report['output_shape'])}; it should give (4, 10): one score per class.")
    expect(report["output_finite"], "CifarNet returned NaN or infinite scores.")


@points(1)
def test_built_from_the_notebooks_blocks(student):
    """CifarNet uses ResidualBlock (and ConvBNReLU) and stays under 5 million parameters."""
    report = _makeup(student)
    types = report["module_types"]
    if types.get("ResidualBlock", 0) < 1:
        fail("CifarNet holds no ResidualBlock: build it from the blocks you wrote above.")
    expect(types.get("ConvBNReLU", 0) >= 1, "CifarNet holds no ConvBNReLU: build its plain "
                                            "convolution layers from the ConvBNReLU you wrote.")
    expect(report["n_params"] <= MAX_PARAMETERS,
           f"CifarNet has {report['n_params']:,} parameters; at most {MAX_PARAMETERS:,} train "
           "in the notebook's time on a laptop CPU.")
    if "forward_error" in report:
        note("Judged on the modules CifarNet() holds: its forward pass failed (the test of "
             "its scores charges that).")
