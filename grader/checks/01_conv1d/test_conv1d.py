"""Hidden checks for conv1d(x, w, b=None, stride=1, padding=0, dilation=1): equals F.conv1d."""

import numpy as np

from grader.checking import (BY_HAND, Case, attempt, check_cases_with_bias, expect_value_error,
                             load_reference, points)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
# A conv1d written with the student's own helpers is re-checked with correct copies of
# them when they are wrong, so a helper's mistake is charged only to the helper's part.
TRUSTED_CALLEES = ("conv1d_output_length", "correlate1d", "convolve1d")


def _describe(x, w, b, options):
    text = f"x of shape {tuple(np.shape(x))}, w of shape {tuple(np.shape(w))}"
    if b is not None:
        text += ", with bias"
    for key, value in options.items():
        text += f", {key}={value}"
    return text


def _case(student, x, w, b=None, **options):
    args = (x, w) if b is None else (x, w, b)
    got = attempt(lambda: student.call("conv1d", *args, forbid=BY_HAND, **options))
    case = Case(got, ref.conv1d(x, w, b, **options), _describe(x, w, b, options),
                    mis.conv1d_candidates(x, w, b, **options))
    if b is not None:  # b added along the length axis fails to broadcast: see _check
        case.without_bias = lambda: student.call("conv1d", x, w, forbid=BY_HAND, **options)
    return case


def _check(student, cases):
    check_cases_with_bias(cases, mis.BIAS_PER_POSITION)


def _random(rng, n, c_in, c_out, length, k, bias=False):
    shape = (c_in, length) if n is None else (n, c_in, length)
    x = rng.normal(size=shape)
    w = rng.normal(size=(c_out, c_in, k))
    b = rng.normal(size=c_out) if bias else None
    return x, w, b


@points(1)
def test_single_channel(student):
    "One input and one output channel (unbatched and batched): a plain cross-correlation."
    rng = np.random.default_rng(401)
    cases = [_case(student, [[1.0, 2.0, -1.0, 0.5, 3.0]], [[[2.0, -1.0, 0.5]]])]
    for n, length, k in [(None, 9, 3), (None, 6, 6), (None, 7, 1), (2, 10, 4), (1, 5, 2)]:
        x, w, _ = _random(rng, n, 1, 1, length, k)
        cases.append(_case(student, x, w))
    _check(student, cases)


@points(1)
def test_multi_channel(student):
    "Several input and output channels, batched and unbatched, no bias."
    rng = np.random.default_rng(402)
    cases = []
    for n, c_in, c_out, length, k in [(None, 3, 2, 8, 3), (4, 2, 5, 11, 4), (2, 4, 3, 6, 2),
                                      (3, 5, 1, 9, 5), (None, 2, 4, 5, 5)]:
        x, w, _ = _random(rng, n, c_in, c_out, length, k)
        cases.append(_case(student, x, w))
    _check(student, cases)


@points(1)
def test_bias(student):
    "A bias vector b of shape (C_out,), batched and unbatched."
    rng = np.random.default_rng(403)
    shapes = [(2, 3, 4, 6, 3), (None, 2, 3, 7, 2), (3, 1, 5, 9, 4), (2, 4, 2, 8, 3)]
    cases = []
    for n, c_in, c_out, length, k in shapes:
        x, w, b = _random(rng, n, c_in, c_out, length, k, bias=True)
        cases.append(_case(student, x, w, b))
    _check(student, cases)


def _one_knob(student, seed, knob, table):
    """Cases that vary one of stride/padding/dilation; rows are (n, c_in, c_out, L, K, value)."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, c_in, c_out, length, k, value in table:
        x, w, _ = _random(rng, n, c_in, c_out, length, k)
        cases.append(_case(student, x, w, **{knob: value}))
    _check(student, cases)


@points(1)
def test_stride(student):
    "Stride 2, 3 and 4 on random shapes."
    _one_knob(student, 404, "stride", [(2, 2, 3, 11, 3, 2), (None, 1, 2, 13, 2, 3),
                                       (3, 3, 2, 16, 4, 4), (1, 2, 2, 9, 3, 2)])


@points(1)
def test_padding(student):
    "Zero padding 1, 2 and 3 on random shapes."
    _one_knob(student, 405, "padding", [(2, 2, 3, 8, 3, 1), (None, 1, 2, 6, 5, 2),
                                        (3, 3, 2, 7, 4, 3), (1, 2, 1, 4, 6, 1)])


@points(1)
def test_dilation(student):
    "Dilation 2 and 3 on random shapes."
    _one_knob(student, 406, "dilation", [(2, 2, 3, 12, 3, 2), (None, 1, 2, 14, 4, 3),
                                         (3, 3, 2, 10, 2, 3), (1, 2, 2, 9, 3, 2)])


@points(2)
def test_random_against_torch(student):
    "Random N, C_in, C_out, L, K, stride, padding, dilation, with and without bias: equals torch's conv1d."
    rng = np.random.default_rng(407)
    cases = []
    while len(cases) < 12:
        k = int(rng.integers(1, 6))
        stride, padding, dilation = (int(rng.integers(1, 4)), int(rng.integers(0, 3)),
                                     int(rng.integers(1, 4)))
        length = int(rng.integers(max(1, dilation * (k - 1) + 1 - 2 * padding), 20))
        n = None if len(cases) % 3 == 0 else int(rng.integers(1, 4))
        x, w, b = _random(rng, n, int(rng.integers(1, 5)), int(rng.integers(1, 5)), length, k,
                          bias=len(cases) % 2 == 1)
        cases.append(_case(student, x, w, b, stride=stride, padding=padding, dilation=dilation))
    _check(student, cases)


@points(1)
def test_errors(student):
    "Channel mismatch between x and w, or a kernel that does not fit, raise ValueError."
    rng = np.random.default_rng(408)
    x, w, _ = _random(rng, 2, 3, 2, 8, 3)
    _check(student, [_case(student, x, w)])
    for c_in_x, c_in_w, n in [(3, 2, 2), (2, 3, 2), (2, 4, None)]:
        x, _, _ = _random(rng, n, c_in_x, 2, 8, 3)
        w = rng.normal(size=(2, c_in_w, 3))
        expect_value_error(lambda: student.call("conv1d", x, w, forbid=BY_HAND),
                               f"{_describe(x, w, None, {})} (channel mismatch)")
    x, w, _ = _random(rng, 1, 2, 2, 4, 6)
    expect_value_error(lambda: student.call("conv1d", x, w, forbid=BY_HAND),
                           f"{_describe(x, w, None, {})} (the kernel does not fit)")
    x, w, _ = _random(rng, 1, 2, 2, 6, 3)
    expect_value_error(lambda: student.call("conv1d", x, w, dilation=3, forbid=BY_HAND),
                           f"{_describe(x, w, None, {'dilation': 3})} (the kernel does not fit)")
