"""Hidden checks for global_avg_pool(x): (N, C, H, W) -> (N, C), the mean of each feature map."""

import numpy as np

from grader.checking import (BY_HAND, NO_POOLING, Case, attempt, check_cases, expect_value_error,
                             load_reference, points)

GRADES = ("global_avg_pool",)
TRUSTED_CALLEES = ("avgpool2d_forward",)
FORBID = NO_POOLING + BY_HAND

ref = load_reference(__file__)
pool_mis = load_reference(__file__, "pooling_misconceptions")


def _case(student, x, context=""):
    got = attempt(lambda: student.call("global_avg_pool", x, forbid=FORBID))
    return Case(got, ref.global_avg_pool(x), f"x of shape {np.shape(x)}{context}",
                pool_mis.global_avg_pool_candidates(x))


@points(1)
def test_random_shapes(student):
    "Random (N, C, H, W) with N > 1, C != H != W, odd sizes."
    rng = np.random.default_rng(341)
    check_cases([_case(student, rng.normal(size=shape))
                 for shape in [(2, 3, 5, 7), (3, 4, 6, 2), (4, 2, 3, 3), (2, 5, 9, 4)]])


@points(1)
def test_any_input_size(student):
    "The output shape is (N, C) whatever H and W are, including 1x1 and integer maps."
    rng = np.random.default_rng(342)
    check_cases([_case(student, rng.normal(size=(2, 3, 1, 1))),
                 _case(student, rng.normal(size=(1, 4, 1, 8))),
                 _case(student, rng.normal(size=(3, 1, 11, 13))),
                 _case(student, rng.integers(-9, 10, size=(2, 3, 3, 4)), " (integer array)")])


@points(1)
def test_errors(student):
    "Inputs that are not 4-D raise ValueError."
    rng = np.random.default_rng(343)
    check_cases([_case(student, rng.normal(size=(2, 3, 4, 5)))])
    for shape in [(3, 4, 5), (2, 3, 4, 5, 6)]:
        expect_value_error(lambda: student.call("global_avg_pool", rng.normal(size=shape),
                                                forbid=FORBID), f"x of shape {shape}")
