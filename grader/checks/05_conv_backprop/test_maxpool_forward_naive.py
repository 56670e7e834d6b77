"""Hidden checks for maxpool_forward_naive(x, kernel_size, stride=None) -> (out, cache).

Only ``out`` is compared. No library pooling/conv, unfold/fold, window views or scipy filters.
"""

import numpy as np

from grader.checking import Case, attempt, check_cases, fail, load_reference, points
from grader.errors import StudentCodeError

GRADES = ("maxpool_forward_naive",)

ref = load_reference(__file__)
pairs = load_reference(__file__, "pairs")
forward_mis = load_reference(__file__, "forward_misconceptions")
STRIDE_ONE = "the windows must step by the stride (default: the kernel size), not by 1."


def _out(student, x, k, s):
    return pairs.run_pair(student, "maxpool_forward_naive", "maxpool_backward_naive", (x, k, s),
                          forbid_forward=pairs.POOL_FORBID)[0]


def _case(student, x, k, s=None):
    expected = ref.maxpool_forward_naive(x, k, s)[0]
    candidates = [(ref.maxpool_forward_naive(x, k, 1)[0], STRIDE_ONE)] if s != 1 else []
    candidates += forward_mis.pool_forward_candidates(x, k, s)
    return Case(attempt(lambda: _out(student, x, k, s)), expected,
                f"x {x.shape}, kernel_size={k}, stride={s}", candidates)


@points(1)
def test_non_overlapping(student):
    "stride=None and stride = kernel: 2x2, 3x3 and (2, 3) windows, odd sizes (last row dropped)."
    rng = np.random.default_rng(531)
    check_cases([_case(student, rng.normal(size=(2, 3, 6, 8)), 2),
                 _case(student, rng.normal(size=(1, 2, 7, 9)), 3, 3),
                 _case(student, rng.normal(size=(3, 1, 5, 7)), (2, 3))])


@points(1)
def test_overlapping(student):
    "Kernel 3 stride 2, kernel 3 stride 1, kernel 2 stride 1."
    # square windows: a (kh, kw) pair is charged by test_non_overlapping alone
    rng = np.random.default_rng(532)
    check_cases([_case(student, rng.normal(size=(2, 3, 9, 7)), 3, 2),
                 _case(student, rng.normal(size=(1, 2, 5, 6)), 3, 1),
                 _case(student, rng.normal(size=(2, 2, 8, 7)), 2, 1)])


@points(1)
def test_errors(student):
    "All-negative and integer inputs; a window larger than x, kernel 0 and 3-D x raise ValueError."
    rng = np.random.default_rng(533)
    # windows that do not overlap: overlapping ones are charged by test_overlapping alone
    check_cases([_case(student, -rng.random(size=(2, 2, 4, 5)) - 1, 2),
                 _case(student, rng.integers(0, 3, size=(2, 2, 5, 5)), 2)])
    x = rng.normal(size=(2, 2, 4, 5))
    for xx, k, s, why in [(x, 6, None, "a window larger than x"), (x, 0, None, "kernel_size 0"),
                          (x[0], 2, None, "a 3-D x")]:
        try:
            _out(student, xx, k, s)
        except StudentCodeError as error:
            if error.exc_type == "ValueError":
                continue
            if error.exc_type == "NotImplementedError":
                raise
            fail(f"For {why}, your function raised {error.exc_type}; it should raise ValueError.")
        fail(f"For {why}, your function returned a result instead of raising ValueError.")
