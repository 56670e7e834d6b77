"""Hidden checks for conv1d_matrix(w, n): M @ x == correlate1d(x, w)."""

import numpy as np

from grader.checking import (BY_HAND, Case, attempt, check_cases, expect_value_error,
                             load_reference, points)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
TRUSTED_CALLEES = ("correlate1d",)  # building M column by column with correlate1d is fine


def _case(student, w, n, context):
    got = attempt(lambda: student.call("conv1d_matrix", w, n, forbid=BY_HAND))
    return Case(got, ref.conv1d_matrix(w, n), f"{context} (k={len(w)}, n={n})",
                    mis.conv1d_matrix_candidates(w, n))


@points(2)
def test_matrix_matches_correlation(student):
    "Random asymmetric kernels and input lengths: M has the right shape and M @ x is the valid correlation."
    rng = np.random.default_rng(501)
    cases = []
    for k, n in [(3, 8), (2, 5), (4, 10), (5, 7)] + [
            (int(k), int(rng.integers(k, 16))) for k in rng.integers(2, 7, size=3)]:
        w = rng.normal(size=k)
        cases.append(_case(student, w, n, "a random kernel"))
    check_cases(cases)


@points(1)
def test_edge_cases(student):
    "Edge cases: length-1 kernel, kernel as long as the input, Python list and integer kernels; k > n raises ValueError."
    rng = np.random.default_rng(502)
    cases = [
        _case(student, np.array([2.5]), 6, "a length-1 kernel"),
        _case(student, rng.normal(size=5), 5, "k == n"),
        _case(student, [1.0, -2.0, 0.5], 6, "a Python list kernel"),
        _case(student, np.array([3, -1, 2]), 5, "an integer kernel"),
    ]
    check_cases(cases)
    longer = rng.normal(size=5)       # k = n + 1: a matrix with no rows, if nothing checks
    expect_value_error(lambda: student.call("conv1d_matrix", longer, 4, forbid=BY_HAND),
                       "a kernel of length 5 and n=4 (the notebook asks for ValueError if k > n)")
