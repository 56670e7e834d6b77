"""ResidualBlock(c_in, c_out, stride): relu(F(x) + shortcut(x)), F = two 3x3 conv + batch
norm layers (the first with the stride), shortcut = identity when the shapes match, else a
1x1 convolution with that stride (and batch norm).

Judged by behaviour in eval mode: output shapes; the block's convolutions; and what it
gives when its 3x3 convolutions are zeroed, F(x) = 0, so the output is relu(shortcut(x)):
relu(x) for an identity shortcut.
"""

import functools

import numpy as np

from grader.checking import expect, fail, points
from grader.errors import StudentCodeError

SAME = (16, 16, 1)                 # identity shortcut
WIDER = (16, 32, 2)                # projection: more channels, half the size
WIDER_SAME_SIZE = (16, 32, 1)      # projection: more channels only
INPUT = (2, 16, 8, 8)


@functools.lru_cache(maxsize=1)
def _input():
    """Signed values: a ReLU in the wrong place shows."""
    return np.random.default_rng(3).normal(size=INPUT).astype(np.float32)


def _report(student, args):
    try:
        return student.tool("block_report", args, _input(), timeout=30)
    except StudentCodeError as error:
        if error.exc_type == "RuntimeError" and args != SAME:
            fail(f"ResidualBlock{args} failed on a batch of shape {INPUT}: {error.message}. "
                 "When the stride is not 1 or c_in != c_out, x cannot be added to F(x) as it "
                 "is: the shortcut must be a 1x1 convolution from c_in to c_out channels "
                 "with the block's stride (followed by batch norm).")
        raise StudentCodeError("ResidualBlock", error.exc_type, error.message) from None


def _one_by_one(report):
    return [c for c in report["convs"] if c[0] == [1, 1]]


@points(1)
def test_output_shapes(student):
    """Output shapes: (16, 16, 1) keeps the shape, (16, 32, 2) halves height and width.

    (16, 32, 1) gives 32 channels at the same size."""
    for args, expected in ((SAME, (2, 16, 8, 8)), (WIDER_SAME_SIZE, (2, 32, 8, 8)),
                           (WIDER, (2, 32, 4, 4))):
        shape = tuple(_report(student, args)["output"].shape)
        expect(shape == expected, f"ResidualBlock{args} turned a batch of shape {INPUT} into "
                                  f"{shape}; it should give {expected}.")


@points(1)
def test_two_3x3_convolutions_with_batch_norm(student):
    """The residual branch holds two 3x3 convolutions, each followed by batch norm."""
    for args in (SAME, WIDER):
        report = _report(student, args)
        three = [c for c in report["convs"] if c[0] == [3, 3]]
        expect(len(three) == 2, f"ResidualBlock{args} holds {len(three)} 3x3 convolutions; "
                                "its branch F needs two.")
        expect(report["norms"] >= 2, f"ResidualBlock{args} holds {report['norms']} "
                                     "BatchNorm2d layers; each 3x3 convolution needs one.")


@points(2)
def test_identity_shortcut_when_shapes_match(student):
    """Identity shortcut when the shapes match: ResidualBlock(16, 16, 1) adds x itself.

    No 1x1 convolution, and with its 3x3 convolutions zeroed it gives relu(x)."""
    report = _report(student, SAME)
    if _one_by_one(report):
        fail("ResidualBlock(16, 16, 1) has a 1x1 convolution on its shortcut. When the "
             "input and output shapes match, the shortcut is the identity: add x itself.")
    zeroed, x = report["output_zeroed"], _input()
    if np.allclose(zeroed, 0, atol=1e-6):
        fail("With its 3x3 convolutions set to zero, ResidualBlock(16, 16, 1) gives zeros: "
             "x is not added to the branch's output (out = relu(F(x) + x)).")
    if np.allclose(zeroed, x, atol=1e-5):
        fail("With its 3x3 convolutions set to zero, ResidualBlock(16, 16, 1) gives x "
             "unchanged, negative values included: the ReLU must come after the addition, "
             "out = relu(F(x) + x), not F(x) passed through a ReLU and then x added.")
    expect(np.allclose(zeroed, np.maximum(x, 0), atol=1e-5),
           "With its 3x3 convolutions set to zero (F(x) = 0), ResidualBlock(16, 16, 1) "
           "should give relu(x); it gives something else.")


@points(2)
def test_projection_shortcut_when_shapes_differ(student):
    """Projection shortcut when the shapes differ: a 1x1 convolution with the stride.

    ResidualBlock(16, 32, 2): 16 to 32 channels, stride 2, carrying the input through."""
    report = _report(student, WIDER)
    projections = [c for c in _one_by_one(report) if c[3:] == [16, 32]]
    if not projections:
        fail("ResidualBlock(16, 32, 2) needs a projection shortcut: a 1x1 convolution from "
             "c_in to c_out channels (a 3x3 one is not a projection).")
    expect(projections[0][1] == [2, 2], "The 1x1 shortcut convolution of "
           "ResidualBlock(16, 32, 2) must use the block's stride, 2, so its output has the "
           "same height and width as the branch's.")
    expect(not np.allclose(report["output_zeroed"], 0, atol=1e-6),
           "With its 3x3 convolutions set to zero, ResidualBlock(16, 32, 2) gives zeros: "
           "the projected input is not added to the branch's output.")


@points(1)
def test_relu_after_the_addition(student):
    """The block's output is never negative: relu(F(x) + shortcut(x))."""
    for args in (SAME, WIDER):
        output = _report(student, args)["output"]
        expect(output.min() >= 0, f"ResidualBlock{args} gives negative values: apply the "
                                  "ReLU after adding the shortcut, out = relu(F(x) + "
                                  "shortcut(x)).")
