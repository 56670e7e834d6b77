"""ConvBNReLU(c_in, c_out): a 3x3 convolution (padding 1, stride 1), batch norm, then ReLU.

Judged in eval mode on random images with the block's own layers: its output must equal
relu(bn(conv(x))) composed from its single Conv2d and BatchNorm2d, whatever the attribute
names and however the ReLU is written.
"""

import functools

import numpy as np

from grader.checking import expect, fail, points
from grader.errors import StudentCodeError

ARGS, INPUT = (3, 8), (2, 3, 12, 12)
WRONG_ORDERS = {
    "conv-relu-bn": "ConvBNReLU applies the ReLU before the batch norm; the order is "
                    "convolution, batch norm, then ReLU.",
    "conv-bn": "ConvBNReLU has no ReLU after the batch norm (some outputs are negative).",
    "conv-relu": "ConvBNReLU does not use its BatchNorm2d in forward.",
}


@functools.lru_cache(maxsize=1)
def _input():
    return np.random.default_rng(7).normal(size=INPUT).astype(np.float32)


def _report(student):
    try:
        return student.tool("conv_bn_relu_report", ARGS, _input(), timeout=30)
    except StudentCodeError as error:
        raise StudentCodeError("ConvBNReLU", error.exc_type, error.message) from None


@points(1)
def test_keeps_height_and_width(student):
    """ConvBNReLU(3, 8) maps (N, 3, H, W) to (N, 8, H, W): a 3x3 kernel with padding 1."""
    report = _report(student)
    shape = tuple(report["output"].shape)
    expected_shape = (INPUT[0], ARGS[1], *INPUT[2:])
    if shape != expected_shape:
        fail(f"ConvBNReLU(3, 8) turned a batch of shape {INPUT} into {shape}. It should "
             "keep height and width (3x3 kernel, padding=1, stride 1) and give c_out "
             "channels.")
    convs = report["convs"]
    expect(len(convs) == 1 and convs[0][0] == [3, 3],
           f"ConvBNReLU should hold exactly one 3x3 Conv2d; it holds {len(convs)} "
           f"convolution(s) with kernels {[c[0] for c in convs]}.")


@points(2)
def test_convolution_then_batch_norm_then_relu(student):
    """Its output is relu(batch_norm(conv(x))) of its own Conv2d and BatchNorm2d."""
    report = _report(student)
    compositions = report["compositions"]
    if not compositions:
        fail("ConvBNReLU needs one nn.Conv2d and one nn.BatchNorm2d (over c_out channels).")
    output = report["output"]
    if output.shape == compositions["conv-bn-relu"].shape and np.allclose(
            output, compositions["conv-bn-relu"], atol=1e-5):
        return
    for name, message in WRONG_ORDERS.items():
        if output.shape == compositions[name].shape and np.allclose(
                output, compositions[name], atol=1e-5):
            fail(message)
    fail("ConvBNReLU's output is not relu(bn(conv(x))) of its own Conv2d and BatchNorm2d.")
