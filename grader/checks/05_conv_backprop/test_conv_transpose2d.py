"""Hidden checks for conv_transpose2d(x, w, stride=1, padding=0): x (N, C_in, H, W),
w (C_in, C_out, KH, KW) as in PyTorch; equals F.conv_transpose2d (no bias, output_padding or
dilation); out (N, C_out, (H-1)*s - 2p + KH, (W-1)*s - 2p + KW).

By hand: no library convolution (F.conv_transpose2d included), unfold/fold, window views,
autograd or torch.nn.grad. Stride and padding are each charged by their own test; the
others use stride 1 and padding 0, or the settings the function is shown to handle
(``_form``), so one missing feature is not charged again by tests about something else.
Non-square kernels are charged by test_channels_and_batch alone.
"""

import numpy as np

from grader.checking import (BY_HAND_2D, NO_AUTOGRAD, Case, CheckFailed, Raised, attempt,
                             case_is_right, check_cases, expect_value_error, load_reference,
                             note, points)

GRADES = ("conv_transpose2d",)
# dx of the student's own conv2d_backward_naive is a transposed convolution: reusing it is fine
TRUSTED_CALLEES = ("conv2d_forward_naive", "conv2d_backward_naive")
TRUSTED_TOGETHER = (("conv2d_forward_naive", "conv2d_backward_naive"),)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
NAME = "conv_transpose2d"
FORBID = BY_HAND_2D + NO_AUTOGRAD


def _call(student, x, w, stride, padding):
    return student.call(NAME, x, w, stride, padding, forbid=FORBID)


def _swapped_layout(student, x, w, stride, padding, expected):
    """Whether the function is right when handed w as (C_out, C_in, KH, KW): it reads w[o, c]."""
    if x.shape[1] == w.shape[1]:
        return False          # the swapped candidate of the case itself tells
    got = attempt(lambda: _call(student, x, np.ascontiguousarray(np.swapaxes(w, 0, 1)),
                                stride, padding))
    return case_is_right(Case(got, expected, ""))


def _case(student, x, w, stride=1, padding=0, context=None):
    """One Case; an output shape no misconception explains, or a layout that only works with
    w's channel axes swapped, fails at once with its own message."""
    expected = ref.conv_transpose2d(x, w, stride, padding)
    context = context or f"x {np.shape(x)}, w {np.shape(w)}, stride={stride}, padding={padding}"
    candidates = mis.conv_transpose2d_candidates(x, w, stride, padding)
    got = attempt(lambda: _call(student, x, w, stride, padding))
    right = case_is_right(Case(got, expected, context))
    if not right and _swapped_layout(student, np.asarray(x), np.asarray(w), stride, padding,
                                     expected):
        raise CheckFailed(f"For {context}: {mis.SWAPPED_T}")
    if not right and isinstance(got, np.ndarray) and not any(
            case_is_right(Case(got, c, "")) for c, _ in candidates if c is not None):
        message = mis.conv_transpose2d_shape_message(np.asarray(x), np.asarray(w), got.shape,
                                                     expected.shape)
        if message:
            raise CheckFailed(f"For {context}, {message}")
    return Case(got, expected, context, candidates)


def _random(rng, n, c_in, c_out, h, w_, kh, kw):
    return rng.normal(size=(n, c_in, h, w_)), rng.normal(size=(c_in, c_out, kh, kw))


def _form(student):
    """(stride, padding) for the tests about something else: (2, 1), or 1 / 0 where the
    function is right without that feature but wrong with it (stride 2 or padding 1; charged
    by test_stride / test_padding). A function wrong on the basic form too gets (2, 1)."""
    rng = np.random.default_rng(5700)
    x, w = _random(rng, 2, 2, 3, 4, 5, 3, 3)

    def works(stride, padding):
        got = attempt(lambda: _call(student, x, w, stride, padding))
        return case_is_right(Case(got, ref.conv_transpose2d(x, w, stride, padding), ""))
    if not works(1, 0):
        return 2, 1
    return (2 if works(2, 0) else 1), (1 if works(1, 1) else 0)


def _restricted(form):
    stride, padding = form
    if (stride, padding) == (2, 1):
        return
    missing = [what for what, ok in (("stride > 1", stride > 1), ("padding > 0", padding > 0))
               if not ok]
    note(f"These cases use no {' and no '.join(missing)}: your function fails with "
         f"{' and with '.join(missing)}, which the test about it covers.")


@points(1)
def test_small_example(student):
    "One channel, stride 1, no padding: the notebook's 2x2 example and a 3x3 input with a 3x3 kernel."
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    w = np.array([[[[1.0, 2.0], [0.0, -1.0]]]])
    x3 = np.array([[[[2.0, 0.0, 1.0], [-1.0, 3.0, 0.0], [1.0, 1.0, -2.0]]]])
    w3 = np.array([[[[0.0, 1.0, 2.0], [1.0, -1.0, 0.0], [3.0, 0.0, 1.0]]]])
    check_cases([_case(student, x, w), _case(student, x3, w3)])


@points(1)
def test_channels_and_batch(student):
    "Stride 1, no padding: batch > 1, C_in != C_out and C_in == C_out, non-square images and kernels."
    rng = np.random.default_rng(571)
    shapes = [(2, 3, 4, 5, 4, 3, 2), (3, 2, 2, 4, 6, 2, 3), (1, 4, 1, 3, 3, 3, 3),
              (2, 1, 3, 6, 5, 1, 4), (2, 2, 5, 3, 4, 2, 2)]
    check_cases([_case(student, *_random(rng, *shape)) for shape in shapes])


@points(1)
def test_stride(student):
    "Stride 2 and 3, no padding: kernel larger than (overlapping), equal to and smaller than the stride."
    rng = np.random.default_rng(572)
    cases = [(2, 2, 3, 4, 5, 3, 3, 2), (1, 3, 2, 3, 4, 2, 2, 2), (2, 2, 2, 3, 3, 4, 4, 3),
             (1, 2, 3, 4, 3, 2, 2, 3), (2, 1, 2, 3, 5, 1, 1, 2)]
    check_cases([_case(student, *_random(rng, *shape[:7]), stride=shape[7]) for shape in cases])


@points(1)
def test_padding(student):
    "Padding 1 and 2 with stride 1: the full output cropped by p on every side."
    rng = np.random.default_rng(573)
    cases = [(2, 2, 3, 4, 5, 3, 3, 1), (1, 3, 2, 5, 4, 4, 4, 2), (2, 2, 2, 3, 3, 3, 3, 1),
             (1, 1, 2, 6, 6, 5, 5, 2)]
    check_cases([_case(student, *_random(rng, *shape[:7]), padding=shape[7]) for shape in cases])


@points(2)
def test_random(student):
    "Random shapes, square kernels (1-4), strides (1-3) and paddings (0-2), together."
    form = _form(student)
    rng = np.random.default_rng(574)
    cases = []
    while len(cases) < 8:
        k, s, p = (int(v) for v in (rng.integers(1, 5), rng.integers(1, 4), rng.integers(0, 3)))
        s, p = (s if form[0] > 1 else 1), (p if form[1] else 0)
        h, w_ = (int(rng.integers(max(1, 2 * p - k + 2), 7)) for _ in range(2))
        shape = tuple(int(v) for v in rng.integers(1, 4, size=3)) + (h, w_, k, k)
        cases.append(_case(student, *_random(rng, *shape), stride=s, padding=p))
    check_cases(cases)
    _restricted(form)


@points(1)
def test_edge_cases(student):
    "A 1x1 input, 1x1 kernels, integer arrays, Python lists, a padding that leaves one pixel."
    stride, padding = form = _form(student)
    rng = np.random.default_rng(575)
    cases = [_case(student, *_random(rng, 2, 3, 2, 1, 1, 3, 3), stride=stride,
                   context=f"a 1x1 input, stride={stride}"),
             _case(student, *_random(rng, 2, 3, 2, 4, 5, 1, 1), stride=stride,
                   context=f"1x1 kernels, stride={stride}"),
             _case(student, rng.integers(-3, 4, size=(2, 2, 3, 3)),
                   rng.integers(-2, 3, size=(2, 3, 2, 2)), stride=stride,
                   context=f"integer arrays, stride={stride}"),
             _case(student, [[[[1.0, -1.0], [2.0, 0.5]]]], [[[[1.0, 2.0], [3.0, 4.0]]]],
                   context="Python lists")]
    if padding:
        cases.append(_case(student, *_random(rng, 1, 2, 2, 3, 3, 3, 3), padding=2,
                           context="a 3x3 input, 3x3 kernel, padding=2 (one pixel left)"))
    check_cases(cases)
    _restricted(form)


@points(1)
def test_errors(student):
    "Channel mismatch, x or w not 4-D, stride 0, a padding that crops the whole output: ValueError."
    rng = np.random.default_rng(576)
    x, w = _random(rng, 2, 3, 2, 4, 4, 3, 3)
    check_cases([_case(student, x, w)])
    # the mismatching w fits neither layout: a function that reads w as (C_out, C_in) raises too
    for xx, ww, s, p, why in [(x, rng.normal(size=(2, 4, 3, 3)), 1, 0, "channel mismatch"),
                              (x[0], w, 1, 0, "x of rank 3"), (x, w[:, 0], 1, 0, "w of rank 3"),
                              (x, w, 0, 0, "stride 0"),
                              (x, w, 1, 3, "a padding that crops the whole output")]:
        expect_value_error(lambda: _call(student, xx, ww, s, p),
                           f"x of shape {xx.shape}, w of shape {ww.shape}, stride={s}, "
                           f"padding={p} ({why})")
