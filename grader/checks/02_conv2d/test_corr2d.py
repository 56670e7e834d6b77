"""Hidden checks for corr2d(X, K): single-channel valid cross-correlation, by hand (loops)."""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, attempt, check_cases, expect_value_error,
                             load_reference, points)

GRADES = ("corr2d",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
square_kernels = load_reference(__file__, "square_kernels")


def _case(student, X, K, context=None):
    got = attempt(lambda: student.call("corr2d", X, K, forbid=BY_HAND_2D))
    case = Case(got, ref.corr2d(X, K), context or mis.describe(X=X, K=K),
                mis.corr2d_candidates(X, K))
    case.kernel_shape = np.shape(K)
    return case


def lecture_image():
    """6x6 image: left half 10, right half 0 (a vertical edge in the middle)."""
    X = np.zeros((6, 6))
    X[:, :3] = 10.0
    return X


@points(1)
def test_lecture_example(student):
    "Lecture example: the 6x6 image with a vertical edge and the kernel [[1, 0, -1]] * 3."
    vertical = np.array([[1.0, 0.0, -1.0]] * 3)
    X = lecture_image()
    check_cases([
        _case(student, X, vertical, "the lecture example (vertical edge detector)"),
        _case(student, np.arange(9.0).reshape(3, 3), np.array([[0.0, 1.0], [2.0, 3.0]]),
              "a 3x3 image with a 2x2 kernel"),
        _case(student, X.T.copy(), vertical.T.copy(), "the transposed lecture example"),
    ])


@points(2)
def test_random_shapes(student):
    "Random images and asymmetric kernels: odd, non-square, kernel wider than tall and taller than wide."
    rng = np.random.default_rng(2101)
    sizes = [((7, 9), (3, 2)), ((10, 6), (2, 4)), ((5, 5), (3, 3)), ((8, 13), (1, 4)),
             ((11, 4), (5, 1)), ((9, 12), (4, 3))]
    for _ in range(3):
        kh, kw = (int(v) for v in rng.integers(1, 6, size=2))
        sizes.append(((int(rng.integers(kh, 15)), int(rng.integers(kw, 15))), (kh, kw)))
    square_kernels.check_cases_square([_case(student, rng.normal(size=x), rng.normal(size=k))
                                       for x, k in sizes])


@points(1)
def test_edge_cases(student):
    "Edge cases: kernel as large as the image, 1x1 kernel, one-row image, Python lists, integer arrays."
    # square kernels: a non-square one is charged by test_random_shapes alone
    rng = np.random.default_rng(2102)
    cases = [
        _case(student, rng.normal(size=(4, 4)), rng.normal(size=(4, 4)), "kernel size == image size"),
        _case(student, rng.normal(size=(5, 3)), np.array([[2.5]]), "a 1x1 kernel"),
        _case(student, rng.normal(size=(1, 8)), rng.normal(size=(1, 1)), "a one-row image"),
        _case(student, rng.normal(size=(6, 2)), rng.normal(size=(2, 2)), "kernel as wide as the image"),
        _case(student, [[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [2.0, 1.0, 1.0]],
              [[1.0, -1.0], [0.0, 2.0]], "Python lists as input"),
        _case(student, rng.integers(-5, 6, size=(5, 6)), rng.integers(-3, 4, size=(3, 3)),
              "integer arrays"),
        _case(student, rng.integers(-5, 6, size=(6, 5)), np.array([[0.5, -0.25], [1.5, 0.75]]),
              "an integer image with a float kernel"),
    ]
    check_cases(cases)


@points(1)
def test_errors(student):
    "A kernel larger than the image, or inputs that are not 2-D, raise ValueError."
    rng = np.random.default_rng(2103)
    check_cases([_case(student, rng.normal(size=(5, 6)), rng.normal(size=(2, 2)))])
    for x, k, what in [((4, 6), (5, 2), "a kernel taller than the image"),
                       ((6, 4), (5, 5), "a kernel wider than the image"),
                       ((2, 5, 5), (3, 3), "a 3-D image"),
                       ((5, 5), (3,), "a 1-D kernel")]:
        X, K = rng.normal(size=x), rng.normal(size=k)
        expect_value_error(lambda: student.call("corr2d", X, K, forbid=BY_HAND_2D),
                           f"{mis.describe(X=X, K=K)} ({what})")
