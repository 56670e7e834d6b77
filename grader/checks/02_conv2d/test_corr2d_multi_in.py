"""Hidden checks for corr2d_multi_in(X, K): X (C, H, W), K (C, KH, KW) -> one summed map."""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, attempt, check_cases, expect_value_error,
                             load_reference, points)

GRADES = ("corr2d_multi_in",)
TRUSTED_CALLEES = ("corr2d",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")

def _case(student, X, K, context=None):
    got = attempt(lambda: student.call("corr2d_multi_in", X, K, forbid=BY_HAND_2D))
    return Case(got, ref.corr2d_multi_in(X, K), context or mis.describe(X=X, K=K),
                mis.corr2d_multi_in_candidates(X, K))


@points(1)
def test_lecture_examples(student):
    "The lecture's RGB example (one 3x3 kernel per channel) and a two-channel 3x3 image with 2x2 kernels."
    X2 = np.stack([np.arange(9.0).reshape(3, 3), np.arange(1.0, 10.0).reshape(3, 3)])
    K2 = np.stack([np.arange(4.0).reshape(2, 2), np.arange(1.0, 5.0).reshape(2, 2)])
    check_cases([_case(student, ref.RGB_PATCH, ref.RGB_KERNELS, "the lecture's RGB example"),
                 _case(student, X2, K2, "two channels of a 3x3 image with 2x2 kernels")])


@points(2)
def test_random_shapes(student):
    "Random inputs: 2 to 5 channels, odd and non-square images and kernels."
    rng = np.random.default_rng(2201)
    shapes = [(3, 7, 9, 3, 2), (2, 10, 6, 2, 4), (4, 5, 5, 3, 3), (5, 8, 11, 1, 3),
              (2, 6, 9, 4, 1)]
    for _ in range(3):
        kh, kw = (int(v) for v in rng.integers(1, 5, size=2))
        shapes.append((int(rng.integers(2, 6)), int(rng.integers(kh, 13)),
                       int(rng.integers(kw, 13)), kh, kw))
    cases = [_case(student, rng.normal(size=(c, h, w)), rng.normal(size=(c, kh, kw)))
             for c, h, w, kh, kw in shapes]
    check_cases(cases)


@points(1)
def test_edge_cases(student):
    "Edge cases: one channel, kernel as large as the image, 1x1 kernels, Python lists, integer arrays."
    rng = np.random.default_rng(2202)
    # square kernels: a non-square one is charged by test_random_shapes alone
    cases = [
        _case(student, rng.normal(size=(1, 5, 6)), rng.normal(size=(1, 2, 2)), "one channel"),
        _case(student, rng.normal(size=(3, 4, 4)), rng.normal(size=(3, 4, 4)),
              "kernel size == image size"),
        _case(student, rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 1, 1)), "1x1 kernels"),
        _case(student, [[[1.0, 2.0], [0.0, 1.0]], [[-1.0, 0.5], [2.0, 2.0]]],
              [[[1.0]], [[-2.0]]], "Python lists as input"),
        _case(student, rng.integers(-5, 6, size=(2, 5, 4)), rng.integers(-3, 4, size=(2, 2, 2)),
              "integer arrays"),
    ]
    check_cases(cases)


@points(1)
def test_errors(student):
    "Channel mismatch, inputs of the wrong rank, or a kernel larger than the image raise ValueError."
    rng = np.random.default_rng(2203)
    check_cases([_case(student, rng.normal(size=(2, 5, 6)), rng.normal(size=(2, 2, 2)))])
    for x, k, what in [((3, 6, 6), (2, 3, 3), "channel mismatch"),
                       ((2, 6, 6), (3, 3, 3), "channel mismatch"),
                       ((6, 6), (3, 3), "2-D inputs instead of (C, H, W)"),
                       ((2, 6, 6), (1, 2, 3, 3), "a 4-D kernel"),
                       ((2, 4, 6), (2, 5, 3), "a kernel taller than the image")]:
        X, K = rng.normal(size=x), rng.normal(size=k)
        expect_value_error(lambda: student.call("corr2d_multi_in", X, K, forbid=BY_HAND_2D),
                           f"{mis.describe(X=X, K=K)} ({what})")
