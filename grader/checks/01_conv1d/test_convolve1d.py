"""Hidden checks for convolve1d(f, g): true convolution, full mode, by hand.

A kernel longer than the signal is charged once, in test_random_asymmetric_kernels. When
the random test's cases with a longer kernel fail, the lecture example (a longer kernel) is
checked as convolve1d(g, f) if convolve1d(f, g) raised (convolution is commutative), and the
edge-case test leaves its length-1 signal (with a longer kernel) out, each saying so.
"""

import numpy as np

from grader.checking import (BY_HAND, Case, Raised, attempt, case_is_right, check_cases, expect_close, fail,
                             load_reference, note, points)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, f, g, context, wrong_message=None):
    got = attempt(lambda: student.call("convolve1d", f, g, forbid=BY_HAND))
    return Case(got, ref.convolve1d(f, g), context, mis.convolve1d_candidates(f, g),
                    wrong_message)


@points(1)
def test_lecture_example(student):
    "Lecture example: f=[3, 4, 5] convolved with g=[1, 2, 3, 4, 5]."
    f, g = np.array([3.0, 4.0, 5.0]), np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    got = attempt(lambda: student.call("convolve1d", f, g, forbid=BY_HAND))
    if isinstance(got, Raised):
        if _longer_kernels_work(student):
            raise got.error
        got = student.call("convolve1d", g, f, forbid=BY_HAND)
        expect_close(got, ref.convolve1d(f, g), "the lecture example as convolve1d(g, f)",
                     misconceptions=mis.convolve1d_candidates(g, f))
        note("Checked as convolve1d(g, f) (f * g = g * f): your convolve1d fails when the "
             "kernel is longer than the signal, which is charged in the random-kernels test "
             "only.")
        return
    expect_close(got, ref.convolve1d(f, g), "the lecture example",
                 misconceptions=mis.convolve1d_candidates(f, g))


def _random_signals():
    rng = np.random.default_rng(101)
    pairs = []
    for n, k in [(9, 4), (6, 3), (12, 5), (4, 7), (3, 2), (15, 6)]:
        pairs.append((rng.normal(size=n), rng.normal(size=k)))
    for _ in range(3):
        n, k = rng.integers(2, 20), rng.integers(2, 10)
        pairs.append((rng.normal(size=n), rng.normal(size=k)))
    return pairs


def _random_case(student, f, g):
    return _case(student, f, g, f"len(f)={len(f)}, len(g)={len(g)}")


@points(2)
def test_random_asymmetric_kernels(student):
    "Random signals and asymmetric kernels of many lengths (kernel shorter and longer than the signal)."
    signals = _random_signals()
    cases = [_random_case(student, f, g) for f, g in signals]
    longer = [case for case, (f, g) in zip(cases, signals) if len(g) > len(f)]
    if all(case_is_right(case) for case in cases if case not in longer):
        for case in longer:
            if isinstance(case.got, Raised):
                fail(f"For {case.context}: {mis.CONV_LONGER_KERNEL} Yours raised "
                     f"{case.got.error.exc_type}: {case.got.error.message[:200]}")
    check_cases(cases)


def _longer_kernels_work(student):
    """convolve1d is right on the random test's cases with a kernel longer than the signal."""
    return all(case_is_right(_random_case(student, f, g)) for f, g in _random_signals()
               if len(g) > len(f))


@points(1)
def test_edge_cases(student):
    "Edge cases: length-1 kernel and signal, equal lengths, Python lists, integer arrays."
    rng = np.random.default_rng(102)
    cases = [
        _case(student, rng.normal(size=7), np.array([2.5]), "a length-1 kernel"),
        _case(student, np.array([1.5]), rng.normal(size=5), "a length-1 signal (a longer kernel)"),
        _case(student, np.array([-2.0]), np.array([3.0]), "length-1 signal and kernel"),
        _case(student, rng.normal(size=6), rng.normal(size=6), "len(f) == len(g)"),
        _case(student, [1.0, -2.0, 0.5, 3.0], [0.5, 1.0, -1.0], "Python lists as input"),
        _case(student, rng.integers(-5, 6, size=8), rng.integers(-3, 4, size=3),
              "integer arrays", mis.INT_INPUT),
        _case(student, rng.integers(-5, 6, size=8), np.array([0.5, -0.25, 1.5]),
              "an integer signal with a float kernel", mis.INT_INPUT),
    ]
    longer = cases[1]
    if not case_is_right(longer) and not _longer_kernels_work(student):
        check_cases([case for case in cases if case is not longer])
        note("The length-1 signal was not checked: it comes with a longer kernel, and your "
             "convolve1d fails on kernels longer than the signal, which is charged in the "
             "random-kernels test only.")
        return
    check_cases(cases)
