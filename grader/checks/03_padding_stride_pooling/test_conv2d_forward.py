"""Hidden checks for conv2d_forward(x, w, b, stride=1, padding=0, dilation=1): equals F.conv2d.

By hand (BY_HAND_2D): no library convolution, unfold/fold, as_strided or
sliding_window_view; np.pad, loops, matmul and einsum are fine.
"""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, attempt, check_cases_with_bias, expect_value_error,
                             load_reference, points)

GRADES = ("conv2d_forward",)
TRUSTED_CALLEES = ("pad2d", "conv_output_size")

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _describe(x, w, b, options):
    text = f"x of shape {tuple(np.shape(x))}, w of shape {tuple(np.shape(w))}"
    text += ", with bias" if b is not None else ", b=None"
    return text + "".join(f", {key}={value}" for key, value in options.items())


def _case(student, x, w, b=None, **options):
    got = attempt(lambda: student.call("conv2d_forward", x, w, b, forbid=BY_HAND_2D, **options))
    case = Case(got, ref.conv2d_forward(x, w, b, **options), _describe(x, w, b, options),
                mis.conv2d_candidates(x, w, b, **options))
    if b is not None:  # b added along the width axis fails to broadcast: see _check
        case.without_bias = lambda: student.call("conv2d_forward", x, w, None,
                                                 forbid=BY_HAND_2D, **options)
    return case


def _check(student, cases):
    check_cases_with_bias(cases, mis.BIAS_PER_POSITION)


def _random(rng, n, c_in, c_out, h, w_, kh, kw, bias=False):
    x = rng.normal(size=(n, c_in, h, w_))
    w = rng.normal(size=(c_out, c_in, kh, kw))
    return x, w, (rng.normal(size=c_out) if bias else None)


@points(1)
def test_plain(student):
    "Stride 1, no padding: single and multiple channels, odd non-square images and kernels, bias or None."
    rng = np.random.default_rng(321)
    cases = []
    for n, c_in, c_out, h, w_, kh, kw, bias in [(1, 1, 1, 5, 6, 3, 3, False),
                                                (2, 3, 4, 7, 5, 3, 2, True),
                                                (3, 2, 5, 6, 9, 1, 4, True),
                                                (2, 4, 2, 5, 5, 5, 5, False),
                                                (1, 3, 3, 8, 7, 2, 3, True)]:
        cases.append(_case(student, *_random(rng, n, c_in, c_out, h, w_, kh, kw, bias)))
    _check(student, cases)


def _knob_cases(student, seed, table):
    rng = np.random.default_rng(seed)
    cases = []
    for shape, options in table:
        cases.append(_case(student, *_random(rng, *shape), **options))
    _check(student, cases)


@points(1)
def test_stride(student):
    "Stride 2 and 3, and a (2, 3) pair."
    _knob_cases(student, 322, [((2, 2, 3, 9, 8, 3, 3, True), {"stride": 2}),
                               ((1, 3, 2, 11, 7, 2, 3, False), {"stride": 3}),
                               ((3, 1, 2, 10, 13, 3, 2, True), {"stride": (2, 3)})])


@points(1)
def test_padding(student):
    "Zero padding 1 and 2, and a (2, 1) pair."
    _knob_cases(student, 323, [((2, 2, 3, 5, 6, 3, 3, True), {"padding": 1}),
                               ((1, 3, 2, 4, 7, 5, 3, False), {"padding": 2}),
                               ((2, 1, 2, 6, 5, 3, 3, True), {"padding": (2, 1)})])


@points(1)
def test_dilation(student):
    "Dilation 2 and 3, and a (1, 2) pair."
    _knob_cases(student, 324, [((2, 2, 3, 9, 10, 3, 3, True), {"dilation": 2}),
                               ((1, 2, 2, 11, 9, 2, 3, False), {"dilation": 3}),
                               ((2, 1, 3, 8, 9, 3, 3, True), {"dilation": (1, 2)})])


@points(2)
def test_random_against_torch(student):
    "Random N, C_in, C_out, H, W, kernels, stride, padding, dilation, bias or None: equals torch's conv2d."
    rng = np.random.default_rng(325)
    cases = []
    while len(cases) < 10:
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        options = {"stride": int(rng.integers(1, 4)), "padding": int(rng.integers(0, 3)),
                   "dilation": int(rng.integers(1, 3))}
        d, p = options["dilation"], options["padding"]
        h = int(rng.integers(max(1, d * (kh - 1) + 1 - 2 * p), 13))
        w_ = int(rng.integers(max(1, d * (kw - 1) + 1 - 2 * p), 13))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5)),
                 h, w_, kh, kw, len(cases) % 2 == 1)
        cases.append(_case(student, *_random(rng, *shape), **options))
    cases.append(_case(student, *_random(rng, 2, 3, 3, 9, 8, 3, 3, True), stride=2, padding=1,
                       dilation=2))
    _check(student, cases)


@points(1)
def test_edge_cases(student):
    "A kernel as large as the padded image (1x1 output), 1x1 kernels, 1x1 images with padding, integer inputs."
    rng = np.random.default_rng(326)
    cases = [_case(student, *_random(rng, 2, 2, 3, 4, 5, 4, 5, True)),
             _case(student, *_random(rng, 2, 2, 3, 3, 3, 5, 5, True), padding=1),
             _case(student, *_random(rng, 3, 4, 2, 5, 6, 1, 1, True), stride=2),
             _case(student, *_random(rng, 1, 2, 2, 1, 1, 3, 3, False), padding=1),
             _case(student, rng.integers(-3, 4, size=(2, 2, 5, 4)),
                   rng.integers(-2, 3, size=(3, 2, 2, 2)), np.array([1, -1, 2]), stride=2)]
    _check(student, cases)


@points(1)
def test_errors(student):
    "Channel mismatch, wrong ranks, a bias of the wrong shape or a kernel that does not fit raise ValueError."
    rng = np.random.default_rng(327)
    x, w, b = _random(rng, 2, 3, 2, 6, 5, 3, 3, True)
    _check(student, [_case(student, x, w, b)])
    bad = [(x, rng.normal(size=(2, 2, 3, 3)), None, {}, "channel mismatch"),
           (x[0], w, None, {}, "an unbatched x of rank 3"),
           (x, w[0], None, {}, "a weight of rank 3"),
           (x, w, rng.normal(size=3), {}, "a bias with C_out + 1 entries"),
           (x, rng.normal(size=(2, 3, 7, 3)), None, {}, "a kernel taller than the image"),
           (x, w, None, {"dilation": 3}, "a dilated kernel that does not fit"),
           (x, w, None, {"stride": 0}, "stride=0")]
    for xx, ww, bb, options, why in bad:
        expect_value_error(lambda: student.call("conv2d_forward", xx, ww, bb, forbid=BY_HAND_2D,
                                                **options),
                           f"{_describe(xx, ww, bb, options)} ({why})")
