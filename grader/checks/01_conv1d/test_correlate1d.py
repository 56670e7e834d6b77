"""Hidden checks for correlate1d(x, w, mode="valid"): cross-correlation, modes valid/same/full."""

import numpy as np

from grader.checking import (BY_HAND, Case, attempt, check_cases, expect_close, expect_value_error,
                             load_reference, points)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
TRUSTED_CALLEES = ("convolve1d",)  # correlation = convolution with the flipped kernel


def _case(student, x, w, mode, context, wrong_message=None, pass_mode=True):
    if pass_mode:
        got = attempt(lambda: student.call("correlate1d", x, w, mode=mode, forbid=BY_HAND))
    else:
        got = attempt(lambda: student.call("correlate1d", x, w, forbid=BY_HAND))
    return Case(got, ref.correlate1d(x, w, mode), f"mode={mode!r}, {context}",
                    mis.correlate1d_candidates(x, w, mode), wrong_message)


@points(2)
def test_valid_mode(student):
    "Mode 'valid' (also the default) on random signals with asymmetric kernels."
    rng = np.random.default_rng(201)
    cases = []
    for i, (n, k) in enumerate([(10, 3), (8, 4), (16, 5), (7, 2), (12, 6)]):
        x, w = rng.normal(size=n), rng.normal(size=k)
        cases.append(_case(student, x, w, "valid", f"n={n}, k={k}", pass_mode=i % 2 == 0))
    for _ in range(3):
        k = int(rng.integers(2, 8))
        n = int(rng.integers(k, 25))
        x, w = rng.normal(size=n), rng.normal(size=k)
        cases.append(_case(student, x, w, "valid", f"n={n}, k={k}"))
    check_cases(cases)


def _one_mode(student, seed, mode, sizes):
    """Random x and w for each (n, k) in ``sizes``, all in one mode."""
    rng = np.random.default_rng(seed)
    cases = []
    for n, k in sizes:
        x, w = rng.normal(size=n), rng.normal(size=k)
        cases.append(_case(student, x, w, mode, f"n={n}, k={k}"))
    check_cases(cases)


@points(1)
def test_same_mode(student):
    "Mode 'same': output as long as the input, for odd and even kernel lengths."
    _one_mode(student, 202, "same", [(10, 4), (9, 3), (12, 2), (8, 6), (11, 5), (6, 8)])


@points(1)
def test_full_mode(student):
    "Mode 'full': every position where input and kernel overlap at all."
    _one_mode(student, 203, "full", [(10, 3), (7, 4), (5, 5), (3, 6), (13, 2)])


@points(1)
def test_edge_cases(student):
    "Edge cases: length-1 kernel, kernel as long as the input, Python lists, integer arrays."
    rng = np.random.default_rng(204)
    cases = []
    for mode in ("valid", "same", "full"):
        cases.append(_case(student, rng.normal(size=6), np.array([-1.5]), mode,
                           "a length-1 kernel"))
        cases.append(_case(student, rng.normal(size=5), rng.normal(size=5), mode, "k == n"))
    cases += [
        _case(student, [1.0, 2.0, -1.0, 0.5, 3.0], [2.0, -1.0], "valid", "Python lists"),
        _case(student, [1.0, 2.0, -1.0, 0.5], [2.0, -1.0, 0.5, 1.0], "same", "Python lists"),
        _case(student, rng.integers(-5, 6, size=9), rng.integers(-3, 4, size=3), "valid",
              "integer arrays", mis.INT_INPUT),
        _case(student, rng.integers(-5, 6, size=9), np.array([0.5, 1.25, -0.75]), "full",
              "an integer signal with a float kernel", mis.INT_INPUT),
    ]
    check_cases(cases)


@points(1)
def test_errors(student):
    "An unknown mode, and a kernel longer than the input in 'valid' mode, raise ValueError."
    x, w = np.array([1.0, -2.0, 3.0, 0.5]), np.array([0.5, 2.0])
    got = student.call("correlate1d", x, w, mode="valid", forbid=BY_HAND)
    expect_close(got, ref.correlate1d(x, w), "a small valid-mode example (before the error checks)",
                 misconceptions=mis.correlate1d_candidates(x, w, "valid"))
    for mode in ("circular", "Valid", "wrap"):
        expect_value_error(
            lambda: student.call("correlate1d", x, w, mode=mode, forbid=BY_HAND),
            f"the unknown mode {mode!r}")
    for signal, kernel in [(w, x), (x[:3], x)]:
        expect_value_error(
            lambda: student.call("correlate1d", signal, kernel, mode="valid", forbid=BY_HAND),
            f"mode='valid' with a kernel longer than the input (n={len(signal)}, k={len(kernel)})")
