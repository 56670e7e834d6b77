"""Hidden checks for conv1x1(X, K): a 1x1 convolution as a matrix product over channels.

X (C_in, H, W) or (N, C_in, H, W); K (C_out, C_in) or (C_out, C_in, 1, 1).
np.einsum / np.tensordot / matmul are allowed; convolution ops are not.
"""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, attempt, check_cases, expect_value_error,
                             load_reference, points)

GRADES = ("conv1x1",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, X, K, context=None):
    got = attempt(lambda: student.call("conv1x1", X, K, forbid=BY_HAND_2D))
    return Case(got, ref.conv1x1(X, K), context or mis.describe(X=X, K=K),
                mis.conv1x1_candidates(X, K))


@points(2)
def test_matrix_kernel(student):
    "Unbatched X (C_in, H, W) and K (C_out, C_in): C_in != C_out, C_in == C_out, non-square images."
    rng = np.random.default_rng(2501)
    shapes = [(3, 2, 5, 7), (2, 4, 6, 3), (3, 3, 4, 5), (5, 2, 3, 3), (4, 4, 7, 2), (2, 3, 5, 4)]
    check_cases([_case(student, rng.normal(size=(c_in, h, w)), rng.normal(size=(c_out, c_in)))
                 for c_in, c_out, h, w in shapes])


@points(1)
def test_conv_weight_and_batch(student):
    "K given as a conv weight (C_out, C_in, 1, 1), and batched X (N, C_in, H, W)."
    rng = np.random.default_rng(2502)
    cases = []
    for n, c_in, c_out, h, w, four_d in [(None, 3, 2, 5, 6, True), (2, 3, 4, 4, 5, False),
                                         (3, 2, 2, 3, 7, True), (1, 4, 3, 5, 5, True)]:
        x_shape = (c_in, h, w) if n is None else (n, c_in, h, w)
        k_shape = (c_out, c_in, 1, 1) if four_d else (c_out, c_in)
        cases.append(_case(student, rng.normal(size=x_shape), rng.normal(size=k_shape)))
    check_cases(cases)


@points(1)
def test_edge_cases(student):
    "Edge cases: one input channel, one output channel, a 1x1 image, Python lists, integer arrays."
    # unbatched: a batched X is charged by test_conv_weight_and_batch alone
    rng = np.random.default_rng(2503)
    cases = [
        _case(student, rng.normal(size=(1, 4, 5)), rng.normal(size=(3, 1)), "one input channel"),
        _case(student, rng.normal(size=(3, 4, 5)), rng.normal(size=(1, 3)), "one output channel"),
        _case(student, rng.normal(size=(3, 1, 1)), rng.normal(size=(4, 3)), "a 1x1 image"),
        _case(student, rng.normal(size=(2, 1, 6)), rng.normal(size=(2, 2)), "a one-row image"),
        _case(student, [[[1.0, 2.0]], [[0.5, -1.0]]], [[1.0, -1.0], [2.0, 0.0], [0.0, 3.0]],
              "Python lists as input"),
        _case(student, rng.integers(-5, 6, size=(2, 3, 4)), rng.integers(-3, 4, size=(3, 2)),
              "integer arrays"),
    ]
    check_cases(cases)


@points(1)
def test_errors(student):
    "A kernel larger than 1x1, channel mismatch, or X of the wrong rank raise ValueError."
    rng = np.random.default_rng(2504)
    check_cases([_case(student, rng.normal(size=(3, 4, 5)), rng.normal(size=(3, 3)))])
    for x, k, what in [((3, 5, 5), (2, 3, 3, 3), "a 3x3 kernel is not a 1x1 convolution"),
                       ((3, 5, 5), (2, 4), "channel mismatch"),
                       ((2, 3, 5, 5), (2, 2, 1, 1), "channel mismatch"),
                       ((5, 5), (2, 1), "a 2-D image")]:
        X, K = rng.normal(size=x), rng.normal(size=k)
        expect_value_error(lambda: student.call("conv1x1", X, K, forbid=BY_HAND_2D),
                           f"{mis.describe(X=X, K=K)} ({what})")
