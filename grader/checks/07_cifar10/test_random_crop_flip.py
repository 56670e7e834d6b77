"""random_crop_flip(x, padding=4): a random crop of the zero-padded image and a random
left-right mirror, drawn per image, for a whole batch (N, C, H, W) at once.

Judged by its properties on random images (so the border it uncovers and the mirror it
applies can be told apart): every output is its input, mirrored left-right or not, shifted
by at most `padding` pixels with a zero border; each image draws its own shift and coin;
torch.manual_seed makes it repeatable; its own code runs no loop over the batch.
"""

import functools
import weakref

import numpy as np

from grader.checking import expect, fail, load_reference, points
from grader.errors import StudentCodeError

bank = load_reference(__file__, "misconceptions")

BATCH = (64, 3, 32, 32)
SEEDS = (11, 12, 13)          # the first one runs twice: the determinism check
LOOP_BATCHES = (4, 64)
MAX_EXTRA_LINES = 8           # a loop over 60 more images runs at least 60 more lines
_memo = weakref.WeakKeyDictionary()   # student -> {padding: worker report}


@functools.lru_cache(maxsize=1)
def _images():
    """Random images in [0.1, 1]: no pixel is 0, so a zero border shows, and no image is
    its own mirror."""
    return np.random.default_rng(20261124).uniform(0.1, 1.0, BATCH).astype(np.float32)


def _outputs(student, padding=4):
    """The worker's report for ``padding``, asked once per notebook (several tests read it)."""
    known = _memo.setdefault(student, {})
    if padding not in known:
        try:
            known[padding] = student.tool("crop_flip_outputs", _images(), padding=padding,
                                          seeds=SEEDS, timeout=60)
        except StudentCodeError as error:
            raise StudentCodeError("random_crop_flip", error.exc_type, error.message) from None
    return known[padding]


def _origins(student, padding=4, reach=None):
    """One origin list per distinct seed (the repeated run left out), worked out once."""
    reach = reach or padding + 4
    known = _memo.setdefault(student, {})
    if ("origins", padding, reach) not in known:
        runs = _outputs(student, padding)["outputs"][:len(SEEDS)]
        for out in runs:
            if out.shape != BATCH:
                fail(f"random_crop_flip returned shape {out.shape} for a batch of shape "
                     f"{BATCH}; crop back to the input's height and width.")
        known["origins", padding, reach] = [bank.origins(_images(), out, reach) for out in runs]
    return known["origins", padding, reach]


@points(1)
def test_keeps_shape_and_dtype(student):
    """The output has the input's shape (N, C, H, W) and dtype float32."""
    report = _outputs(student)
    shape = report["outputs"][0].shape
    expect(shape == BATCH, f"For a batch of shape {BATCH}, random_crop_flip returned shape "
                           f"{shape}. Crop the padded images back to 32 x 32.")
    expect(report["dtypes"][0] == "float32",
           f"random_crop_flip turned float32 images into {report['dtypes'][0]}.")


@points(3)
def test_each_image_is_a_shifted_mirror_with_zero_border(student):
    """Each output is its input, maybe mirrored left-right, shifted, with a zero border.

    Shifted by at most `padding` pixels; zeros where the shift uncovers the border."""
    for found in _origins(student):
        message = bank.diagnose_images(found)
        if message:
            fail(message)


@points(2)
def test_each_image_draws_its_own_crop_and_flip(student):
    """Each image draws its own shift and its own coin for the mirror.

    Many different shifts in one batch, about half of the images mirrored."""
    runs = _origins(student)
    if any(o is None for found in runs for o in found):
        fail("Some outputs are not shifted copies of their input (see the test above), so "
             "their shifts and mirrors cannot be told.")
    message = bank.diagnose_randomness(runs)
    if message:
        fail(message)


@points(1)
def test_shifts_reach_the_padding_both_ways(student):
    """Shifts go from -padding to +padding both ways; padding=2 is respected."""
    for padding in (4, 2):
        runs = _origins(student, padding, reach=4 + padding)
        if any(o is None for found in runs for o in found):
            fail(f"With padding={padding} some outputs are not shifted copies of their input.")
        message = bank.diagnose_reach(runs, padding)
        if message:
            fail(message)


@points(1)
def test_same_seed_same_output(student):
    """The same torch.manual_seed gives the same output; another seed changes it."""
    outputs = _outputs(student)["outputs"]
    if not np.array_equal(outputs[0], outputs[-1]):
        fail("Two calls after the same torch.manual_seed gave different results. Draw the "
             "random numbers from torch's global generator (torch.randint, torch.rand, "
             "without a generator of your own), not with random or numpy, so that seeding "
             "torch makes training repeatable.")
    expect(not np.array_equal(outputs[0], outputs[1]),
           "Calls after different seeds gave the same result: the crops and flips are not random.")


@points(1)
def test_leaves_its_input_unchanged(student):
    """The batch passed in is not modified (the caller may use it again)."""
    expect(not any(_outputs(student)["input_changed"]),
           "random_crop_flip changed the tensor it was given. Build the output in a new "
           "tensor (F.pad, indexing and torch.where all return new ones) instead of "
           "writing into x.")


@points(2)
def test_no_python_loop_over_the_batch(student):
    """No Python loop over the images: tensor operations on the whole batch.

    The code runs as many Python lines for 64 images as for 4."""
    try:
        counts = student.tool("crop_flip_line_counts", _images(), LOOP_BATCHES, timeout=60)
    except StudentCodeError as error:
        raise StudentCodeError("random_crop_flip", error.exc_type, error.message) from None
    small, large = counts
    if large > small + MAX_EXTRA_LINES:
        fail(f"random_crop_flip runs {small} lines of your code for {LOOP_BATCHES[0]} images "
             f"and {large} for {LOOP_BATCHES[1]}: it loops over the images. Draw all shifts "
             "and coins at once and build the batch with tensor operations (padding, "
             "indexing with index tensors, torch.where).")
