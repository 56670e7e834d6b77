"""Hidden checks for conv1d_backward(dout, x, w) -> (dx, dw, db) of y = correlate_valid(x, w) + b.

By hand: no library convolution/correlation, unfold, window views or autograd.
"""

import numpy as np

from grader.checking import (BY_HAND, NO_AUTOGRAD, attempt, expect_value_error, load_reference,
                             points)

GRADES = ("conv1d_backward",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pairs = load_reference(__file__, "pairs")
FORBID = BY_HAND + ("stride_tricks",) + NO_AUTOGRAD


def _cases(student, dout, x, w):
    context = f"x of length {len(x)} and w of length {len(w)}"
    got = attempt(lambda: student.call("conv1d_backward", dout, x, w, forbid=FORBID))
    return pairs.gradient_cases("conv1d_backward", got, ref.conv1d_backward(dout, x, w),
                                ("dx", "dw", "db"), mis.conv1d_backward_candidates(dout, x, w),
                                context, mis.shape_message)


@points(1)
def test_small_example(student):
    "The notebook's example (the lecture's sizes: x of length 6, w = [1, 0, -1]) and a kernel of length 2."
    cases = _cases(student, np.array([1., 2., 3., 4.]), np.array([1., 2., 3., 4., 5., 6.]),
                   np.array([1., 0., -1.]))
    cases += _cases(student, np.array([2., -1., 0., 1.]), np.array([3., 1., 4., 1., 5.]),
                    np.array([2., 7.]))
    pairs.check_gradients(cases)


@points(2)
def test_random(student):
    "Random signals, kernels and upstream gradients: 6 lengths and kernel sizes."
    rng = np.random.default_rng(501)
    cases = []
    for length, k in [(9, 4), (12, 3), (7, 5), (15, 2), (10, 6), (8, 3)]:
        x, w = rng.normal(size=length), rng.normal(size=k)
        cases += _cases(student, rng.normal(size=length - k + 1), x, w)
    pairs.check_gradients(cases)


@points(1)
def test_edge_cases_and_errors(student):
    "K = 1, K = L (one output), integer inputs; bad lengths and ranks raise ValueError."
    rng = np.random.default_rng(502)
    cases = _cases(student, rng.normal(size=6), rng.normal(size=6), rng.normal(size=1))
    cases += _cases(student, np.array([2.]), rng.normal(size=5), rng.normal(size=5))
    cases += _cases(student, np.array([1, -2, 3]), np.array([1, 2, 0, -1, 3]), np.array([2, -1, 1]))
    pairs.check_gradients(cases)
    x, w = rng.normal(size=7), rng.normal(size=3)
    for dout, xx, ww, why in [(rng.normal(size=4), x, w, "dout of the wrong length"),
                              (rng.normal(size=5), x, rng.normal(size=8), "a kernel longer than x"),
                              (rng.normal(size=(1, 5)), x[None], w, "2-D inputs")]:
        expect_value_error(lambda: student.call("conv1d_backward", dout, xx, ww, forbid=FORBID),
                           f"x of shape {xx.shape}, w of shape {ww.shape} ({why})")
