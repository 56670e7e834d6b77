"""Hidden checks for convolve1d(f, g): true convolution, full mode, by hand."""

import numpy as np

from grader.checking import (BY_HAND, Case, attempt, check_cases, expect_close, load_reference,
                             points)

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
    got = student.call("convolve1d", f, g, forbid=BY_HAND)
    expect_close(got, ref.convolve1d(f, g), "the lecture example",
                 misconceptions=mis.convolve1d_candidates(f, g))


@points(2)
def test_random_asymmetric_kernels(student):
    "Random signals and asymmetric kernels of many lengths (kernel shorter and longer than the signal)."
    rng = np.random.default_rng(101)
    cases = []
    for n, k in [(9, 4), (6, 3), (12, 5), (4, 7), (3, 2), (15, 6)]:
        f = rng.normal(size=n)
        g = rng.normal(size=k)
        cases.append(_case(student, f, g, f"len(f)={n}, len(g)={k}"))
    for _ in range(3):
        n, k = rng.integers(2, 20), rng.integers(2, 10)
        f = rng.normal(size=n)
        g = rng.normal(size=k)
        cases.append(_case(student, f, g, f"len(f)={n}, len(g)={k}"))
    check_cases(cases)


@points(1)
def test_edge_cases(student):
    "Edge cases: length-1 kernel and signal, equal lengths, Python lists, integer arrays."
    rng = np.random.default_rng(102)
    cases = [
        _case(student, rng.normal(size=7), np.array([2.5]), "a length-1 kernel"),
        _case(student, np.array([1.5]), rng.normal(size=5), "a length-1 signal"),
        _case(student, np.array([-2.0]), np.array([3.0]), "length-1 signal and kernel"),
        _case(student, rng.normal(size=6), rng.normal(size=6), "len(f) == len(g)"),
        _case(student, [1.0, -2.0, 0.5, 3.0], [0.5, 1.0, -1.0], "Python lists as input"),
        _case(student, rng.integers(-5, 6, size=8), rng.integers(-3, 4, size=3),
              "integer arrays", mis.INT_INPUT),
        _case(student, rng.integers(-5, 6, size=8), np.array([0.5, -0.25, 1.5]),
              "an integer signal with a float kernel", mis.INT_INPUT),
    ]
    check_cases(cases)
