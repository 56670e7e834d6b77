"""ResidualBlock(c_in, c_out, stride): relu(F(x) + shortcut(x)), F = two 3x3 conv + batch
norm layers (the first with the stride), shortcut = identity when the shapes match, else a
1x1 convolution with that stride (and batch norm).

Judged by behaviour in eval mode: output shapes; the block's convolutions; and what it
gives when its 3x3 convolutions are zeroed, F(x) = 0, so the output is relu(shortcut(x)):
relu(x) for an identity shortcut.

Each mistake is charged once: a block that cannot add its shortcut when the shapes differ
(it crashes there) loses the projection test, and the other tests judge the cases it runs;
where the ReLU goes is the last test's business, not the identity test's.

The course library has torchvision's block (``source_lib.architectures.BasicBlock``, for
08's ResNet-18): a block that is, extends or holds it fails every test, in words.
"""

import functools

import numpy as np

from grader.checking import expect, fail, note, points
from grader.errors import StudentCodeError

SAME = (16, 16, 1)                 # identity shortcut
WIDER = (16, 32, 2)                # projection: more channels, half the size
WIDER_SAME_SIZE = (16, 32, 1)      # projection: more channels only
INPUT = (2, 16, 8, 8)


@functools.lru_cache(maxsize=1)
def _input():
    """Signed values: a ReLU in the wrong place shows."""
    return np.random.default_rng(3).normal(size=INPUT).astype(np.float32)


def _crash_message(args, error):
    return (f"ResidualBlock{args} failed on a batch of shape {INPUT}: {error.message}. "
            "When the stride is not 1 or c_in != c_out, x cannot be added to F(x) as it "
            "is: the shortcut must be a 1x1 convolution from c_in to c_out channels "
            "with the block's stride (followed by batch norm).")


def _your_own(report, args):
    """The report, unless the block is the course library's (every test fails: nothing of
    the exercise was written)."""
    if report["library_blocks"]:
        fail(f"ResidualBlock{args} is built from {', '.join(report['library_blocks'])}: the "
             "course library's copy of torchvision's block (it is there for the ResNet-18 of "
             "notebook 08). This exercise asks you to write the block yourself.")
    return report


def _report(student, args):
    try:
        report = student.tool("block_report", args, _input(), timeout=30)
    except StudentCodeError as error:
        if error.exc_type == "RuntimeError" and args != SAME:
            fail(_crash_message(args, error))
        raise StudentCodeError("ResidualBlock", error.exc_type, error.message) from None
    return _your_own(report, args)


def _reports(student, cases):
    """{args: report} for the cases the block runs. A case where it crashes adding a
    shortcut of the wrong shape (the projection test charges that) is left out, with a
    note; the identity case must run."""
    reports, skipped = {}, []
    for args in cases:
        try:
            reports[args] = _your_own(student.tool("block_report", args, _input(),
                                                   timeout=30), args)
        except StudentCodeError as error:
            if error.exc_type == "RuntimeError" and args != SAME:
                skipped.append(f"ResidualBlock{args}")
                continue
            raise StudentCodeError("ResidualBlock", error.exc_type, error.message) from None
    if skipped:
        note(f"{' and '.join(skipped)} could not run (the projection test charges that): "
             "judged on the other blocks.")
    return reports


def _one_by_one(report):
    return [c for c in report["convs"] if c[0] == [1, 1]]


@points(1)
def test_output_shapes(student):
    """Output shapes: (16, 16, 1) keeps the shape, (16, 32, 2) halves height and width.

    (16, 32, 1) gives 32 channels at the same size."""
    expected_shapes = {SAME: (2, 16, 8, 8), WIDER_SAME_SIZE: (2, 32, 8, 8),
                       WIDER: (2, 32, 4, 4)}
    for args, report in _reports(student, expected_shapes).items():
        shape, expected = tuple(report["output"].shape), expected_shapes[args]
        expect(shape == expected, f"ResidualBlock{args} turned a batch of shape {INPUT} into "
                                  f"{shape}; it should give {expected}.")


@points(1)
def test_two_3x3_convolutions_with_batch_norm(student):
    """The residual branch holds two 3x3 convolutions, each followed by batch norm."""
    for args, report in _reports(student, (SAME, WIDER)).items():
        three = [c for c in report["convs"] if c[0] == [3, 3]]
        expect(len(three) == 2, f"ResidualBlock{args} holds {len(three)} 3x3 convolutions; "
                                "its branch F needs two.")
        expect(report["norms"] >= 2, f"ResidualBlock{args} holds {report['norms']} "
                                     "BatchNorm2d layers; each 3x3 convolution needs one.")


@points(2)
def test_identity_shortcut_when_shapes_match(student):
    """Identity shortcut when the shapes match: ResidualBlock(16, 16, 1) adds x itself.

    No 1x1 convolution, and with its 3x3 convolutions zeroed it gives relu(x) (or x: where
    the ReLU goes is the last test's)."""
    report = _report(student, SAME)
    if _one_by_one(report):
        fail("ResidualBlock(16, 16, 1) has a 1x1 convolution on its shortcut. When the "
             "input and output shapes match, the shortcut is the identity: add x itself.")
    zeroed, x = report["output_zeroed"], _input()
    if np.allclose(zeroed, 0, atol=1e-6):
        fail("With its 3x3 convolutions set to zero, ResidualBlock(16, 16, 1) gives zeros: "
             "x is not added to the branch's output (out = relu(F(x) + x)).")
    if np.allclose(zeroed, x, atol=1e-5):
        note("With its 3x3 convolutions zeroed the block gives x itself: the identity "
             "shortcut is right (where the ReLU goes is charged by the last test).")
        return
    expect(np.allclose(zeroed, np.maximum(x, 0), atol=1e-5),
           "With its 3x3 convolutions set to zero (F(x) = 0), ResidualBlock(16, 16, 1) "
           "should give relu(x); it gives something else.")


@points(2)
def test_projection_shortcut_when_shapes_differ(student):
    """Projection shortcut when the shapes differ: a 1x1 convolution with the stride.

    ResidualBlock(16, 32, 2): 16 to 32 channels, stride 2, carrying the input through;
    ResidualBlock(16, 32, 1) needs one too (more channels only)."""
    for args in (WIDER, WIDER_SAME_SIZE):
        report = _report(student, args)
        projections = [c for c in _one_by_one(report) if c[3:] == [16, 32]]
        if not projections:
            fail(f"ResidualBlock{args} needs a projection shortcut: a 1x1 convolution from "
                 "c_in to c_out channels (a 3x3 one is not a projection).")
        stride = args[2]
        expect(projections[0][1] == [stride, stride], "The 1x1 shortcut convolution of "
               f"ResidualBlock{args} must use the block's stride, {stride}, so its output "
               "has the same height and width as the branch's.")
        expect(not np.allclose(report["output_zeroed"], 0, atol=1e-6),
               f"With its 3x3 convolutions set to zero, ResidualBlock{args} gives zeros: "
               "the projected input is not added to the branch's output.")


@points(1)
def test_relu_after_the_addition(student):
    """The block's output is never negative: relu(F(x) + shortcut(x))."""
    for args, report in _reports(student, (SAME, WIDER)).items():
        output = report["output"]
        expect(output.min() >= 0, f"ResidualBlock{args} gives negative values: the ReLU "
                                  "must come after the addition, out = relu(F(x) + "
                                  "shortcut(x)), not F(x) passed through a ReLU and then the "
                                  "shortcut added.")
