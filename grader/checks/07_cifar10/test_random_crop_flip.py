"""random_crop_flip(x, padding=4): a random crop of the zero-padded image and a random
left-right mirror, drawn per image, for a whole batch (N, C, H, W) at once.

Judged by its properties on random images (so the border it uncovers and the mirror it
applies can be told apart): every output is its input, mirrored left-right or not, shifted
by at most `padding` pixels with a zero border; each image draws its own shift and coin;
torch.manual_seed makes it repeatable; its own code runs no loop over the batch.

Each mistake is charged once: an output of the wrong size is judged on its central crop of
the input's size, and the randomness tests judge the images that are shifted copies (the
tests above charge the others). The line counts are taken on images the function has never
seen, and what those calls return is checked, so results kept from earlier calls cannot
hide a loop.
"""

import functools
import weakref

import numpy as np

from grader.checking import CheckFailed, expect, fail, load_reference, note, points
from grader.errors import StudentCodeError

bank = load_reference(__file__, "misconceptions")

BATCH = (64, 3, 32, 32)
SEEDS = (11, 12, 13)          # the first one runs twice: the determinism check
LOOP_BATCHES = (4, 64)
LOOP_WARM_UP = 2              # images of the uncounted first call
LOOP_SEED = 20261125          # the no-loop test's own images: no other test shows them
MAX_EXTRA_LINES = 8           # a loop over 60 more images runs at least 60 more lines
MIN_COPIES = 0.5              # share of the images the randomness tests need to judge
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


def _window(out, shape=BATCH):
    """``out`` itself when it has the input's ``shape``; cut to the input's height and width
    around its centre when it is larger by an even margin (the shape test charges the size,
    the other tests judge the crop inside); None otherwise."""
    if out.shape == tuple(shape):
        return out
    n, c, h, w = shape
    if out.ndim != 4 or out.shape[:2] != (n, c):
        return None
    top, left = out.shape[2] - h, out.shape[3] - w
    if top < 0 or left < 0 or top % 2 or left % 2:
        return None
    return out[:, :, top // 2:top // 2 + h, left // 2:left // 2 + w]


def _origins(student, padding=4, reach=None):
    """One origin list per distinct seed (the repeated run left out), worked out once; an
    output larger than the input is judged on its central window (noted)."""
    reach = reach or padding + 4
    known = _memo.setdefault(student, {})
    if ("origins", padding, reach) not in known:
        runs = _outputs(student, padding)["outputs"][:len(SEEDS)]
        for out in runs:
            if _window(out) is None:
                fail(f"random_crop_flip returned shape {out.shape} for a batch of shape "
                     f"{BATCH}; crop back to the input's height and width.")
        known["origins", padding, reach] = [bank.origins(_images(), _window(out), reach)
                                            for out in runs]
    return known["origins", padding, reach]


def _note_window(student):
    if _outputs(student)["outputs"][0].shape != BATCH:
        note(f"Judged on the central {BATCH[2]} x {BATCH[3]} pixels of each output: its size "
             "is charged by the shape test.")


def _copies(runs, cannot_tell):
    """``runs`` without the images that are not shifted copies of their input (the
    shifted-mirror test charges them) and how many were left out; fails with
    ``cannot_tell`` when fewer than half of a run's images are copies."""
    if any(sum(o is not None for o in found) < MIN_COPIES * len(found) for found in runs):
        fail(cannot_tell)
    return ([[o for o in found if o is not None] for found in runs],
            sum(o is None for found in runs for o in found))


def _judged_on_copies(message, runs, left_out):
    """Fail with ``message`` (the shifts and mirrors of the copies alone when some images
    were left out); else what the pass was judged on, for a note (None: on every image)."""
    kept = sum(len(found) for found in runs)
    if message:
        fail(message if not left_out else f"{message} (Judged on the {kept} output images "
             "that are shifted copies of their input.)")
    if left_out:
        return (f"Judged on the {kept} of {kept + left_out} output images that are shifted "
                "copies of their input (the shifted-mirror test charges the others).")
    return None


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
    _note_window(student)


@points(2)
def test_each_image_draws_its_own_crop_and_flip(student):
    """Each image draws its own shift and its own coin for the mirror.

    Many different shifts in one batch, about half of the images mirrored."""
    runs, left_out = _copies(_origins(student), "Most outputs are not shifted copies of "
                             "their input (see the test above), so their shifts and mirrors "
                             "cannot be told.")
    judged_on = _judged_on_copies(bank.diagnose_randomness(runs), runs, left_out)
    if judged_on:
        note(judged_on)
    _note_window(student)


@points(1)
def test_shifts_reach_the_padding_both_ways(student):
    """Shifts go from -padding to +padding both ways; padding=2 is respected."""
    notes = []
    for padding in (4, 2):
        runs, left_out = _copies(_origins(student, padding, reach=4 + padding),
                                 f"With padding={padding} most outputs are not shifted "
                                 "copies of their input.")
        notes.append(_judged_on_copies(bank.diagnose_reach(runs, padding), runs, left_out))
        if bank.one_shift_per_call(runs):
            notes.append("Each call shifted all its images alike (the test above charges "
                         "that): only whether the shifts stay within `padding` was judged.")
    for text in dict.fromkeys(n for n in notes if n):
        note(text)
    _note_window(student)


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


def _fresh_batches():
    """The no-loop test's images, new to the function (no other test sends them): a
    warm-up batch, then the counted ones, all different images."""
    generator = np.random.default_rng(LOOP_SEED)
    return [generator.uniform(0.1, 1.0, (n, *BATCH[1:])).astype(np.float32)
            for n in (LOOP_WARM_UP, *LOOP_BATCHES)]


def _copies_of(batches, outputs, padding=4):
    """Whether every output image is a shifted copy (under any mirror) of its input."""
    for images, out in zip(batches, outputs):
        window = _window(out, images.shape)
        if window is None or any(o is None for o in bank.origins(images, window, padding + 4)):
            return False
    return True


def _copies_on_the_test_batch(student):
    try:
        return all(o is not None for found in _origins(student) for o in found)
    except (CheckFailed, StudentCodeError):   # the tests above charge these
        return False


@points(2)
def test_no_python_loop_over_the_batch(student):
    """No Python loop over the images: tensor operations on the whole batch.

    The code runs as many Python lines for 64 images as for 4, on images it has not seen."""
    batches = _fresh_batches()
    try:
        report = student.tool("crop_flip_line_counts", batches, timeout=60)
    except StudentCodeError as error:
        raise StudentCodeError("random_crop_flip", error.exc_type, error.message) from None
    if not _copies_of(batches[1:], report["outputs"]):
        if _copies_on_the_test_batch(student):
            fail("On images it had not seen before, random_crop_flip returned images that "
                 "are not shifted copies of them, though it makes shifted copies of the "
                 "other tests' images: augment the batch it is given at every call, do not "
                 "reuse results kept from earlier calls.")
        note("Its outputs on the counted calls were not checked: they are not shifted "
             "copies of their input (the shifted-mirror test charges that).")
    small, large = report["counts"]
    if large > small + MAX_EXTRA_LINES:
        fail(f"random_crop_flip runs {small} lines of your code for {LOOP_BATCHES[0]} images "
             f"and {large} for {LOOP_BATCHES[1]}: it loops over the images. Draw all shifts "
             "and coins at once and build the batch with tensor operations (padding, "
             "indexing with index tensors, torch.where).")
