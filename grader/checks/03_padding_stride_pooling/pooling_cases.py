"""Shared hidden-check logic for maxpool2d_forward and avgpool2d_forward (trusted).

Pooling is "by hand" but vectorizing is allowed: loops, reshapes, and the
stride tricks (as_strided, sliding_window_view) are fine; library pooling,
convolutions, unfold/fold and scipy filters are not.
"""

import numpy as np

from grader.checking import (BY_HAND, NO_POOLING, Case, attempt, check_cases, expect_value_error,
                             load_reference)

FORBID = NO_POOLING + BY_HAND + ("fold",)   # everything but the stride tricks

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
FUNCTIONS = {"max": "maxpool2d_forward", "avg": "avgpool2d_forward"}


def _reference(kind, x, kernel_size, stride):
    function = ref.maxpool2d_forward if kind == "max" else ref.avgpool2d_forward
    return function(x, kernel_size, stride)


def case(student, kind, x, kernel_size, stride=None, pass_stride=True):
    name = FUNCTIONS[kind]
    if pass_stride:
        got = attempt(lambda: student.call(name, x, kernel_size, stride, forbid=FORBID))
    else:
        got = attempt(lambda: student.call(name, x, kernel_size, forbid=FORBID))
    context = f"x of shape {tuple(np.shape(x))}, kernel_size={kernel_size!r}"
    context += f", stride={stride!r}" if pass_stride else " (stride not given)"
    return Case(got, _reference(kind, x, kernel_size, stride), context,
                mis.pool_candidates(kind, x, kernel_size, stride))


def default_stride(student, kind):
    rng = np.random.default_rng(331)
    check_cases([case(student, kind, rng.normal(size=shape), k, pass_stride=False)
                 for shape, k in [((2, 3, 6, 8), 2), ((1, 2, 9, 6), 3), ((2, 1, 7, 5), 2),
                                  ((3, 2, 4, 6), (2, 3))]])


def overlapping(student, kind):
    rng = np.random.default_rng(332)
    check_cases([case(student, kind, rng.normal(size=shape), k, s)
                 for shape, k, s in [((2, 3, 7, 9), 3, 2), ((1, 2, 8, 7), 3, 1),
                                     ((2, 2, 9, 9), 4, 2), ((1, 3, 7, 8), (3, 2), (2, 1))]])


def strided(student, kind):
    rng = np.random.default_rng(333)
    check_cases([case(student, kind, rng.normal(size=shape), k, s)
                 for shape, k, s in [((2, 2, 9, 7), 2, 3), ((1, 3, 10, 11), 2, 2),
                                     ((3, 1, 8, 9), (2, 3), (3, 2)), ((2, 4, 5, 7), 1, 2)]])


def edge_cases_and_errors(student, kind):
    rng = np.random.default_rng(334)
    check_cases([case(student, kind, rng.normal(size=(2, 3, 5, 4)), (5, 4)),
                 case(student, kind, rng.normal(size=(1, 2, 3, 3)), 1),
                 case(student, kind, rng.integers(-9, 10, size=(2, 2, 6, 6)), 3, 3),
                 case(student, kind, -np.abs(rng.normal(size=(1, 2, 4, 4))), 2)])
    name = FUNCTIONS[kind]
    x = rng.normal(size=(2, 3, 5, 6))
    for k, s, why in [(6, None, "a window taller than the image"),
                      (0, None, "kernel_size=0"), (2, 0, "stride=0")]:
        expect_value_error(lambda: student.call(name, x, k, s, forbid=FORBID),
                           f"x of shape {x.shape}, kernel_size={k}, stride={s} ({why})")
