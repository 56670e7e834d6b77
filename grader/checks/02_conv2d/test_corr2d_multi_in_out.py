"""Hidden checks for corr2d_multi_in_out(X, K, b=None): K (C_out, C_in, KH, KW) -> (C_out, H', W')."""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, attempt, check_cases_with_bias, expect_value_error,
                             load_reference, points)

GRADES = ("corr2d_multi_in_out",)
TRUSTED_CALLEES = ("corr2d_multi_in", "corr2d")

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _call(student, X, K, b):
    args = (X, K) if b is None else (X, K, b)
    return student.call("corr2d_multi_in_out", *args, forbid=BY_HAND_2D)


def _case(student, X, K, b=None, context=None):
    got = attempt(lambda: _call(student, X, K, b))
    case = Case(got, ref.corr2d_multi_in_out(X, K, b),
                context or mis.describe(X=X, K=K) + (", with bias" if b is not None else ""),
                mis.corr2d_multi_in_out_candidates(X, K, b))
    if b is not None:  # b added along the width axis fails to broadcast
        case.without_bias = lambda: _call(student, X, K, None)
    return case


def _check(cases):
    check_cases_with_bias(cases, mis.BIAS_PER_POSITION)


def _random(rng, c_in, c_out, h, w, kh, kw, bias):
    return (rng.normal(size=(c_in, h, w)), rng.normal(size=(c_out, c_in, kh, kw)),
            rng.normal(size=c_out) if bias else None)


@points(1)
def test_lecture_example(student):
    "Lecture example: the RGB image corner, one 3x3 kernel per channel, bias 1."
    K = ref.RGB_KERNELS[None]
    _check([_case(student, ref.RGB_PATCH, K, np.array([1.0]), "the lecture's RGB example"),
            _case(student, ref.RGB_PATCH, np.concatenate([K, -K]), np.array([1.0, -1.0]),
                  "the lecture's RGB example with a second, negated kernel")])


@points(2)
def test_random_no_bias(student):
    "Random inputs without bias: C_in != C_out, odd and non-square images and kernels."
    rng = np.random.default_rng(2301)
    shapes = [(3, 2, 7, 9, 3, 2), (2, 4, 8, 6, 2, 3), (1, 3, 6, 7, 3, 3), (4, 1, 5, 8, 2, 2),
              (2, 5, 9, 5, 4, 1)]
    _check([_case(student, *_random(rng, *s, bias=False)) for s in shapes])


@points(2)
def test_random_with_bias(student):
    "Random inputs with a bias vector b of shape (C_out,)."
    # square kernels: a non-square one is charged by test_random_no_bias alone
    rng = np.random.default_rng(2302)
    shapes = [(3, 2, 7, 9, 3, 3), (2, 4, 8, 6, 2, 2), (1, 3, 6, 7, 3, 3), (3, 3, 6, 6, 2, 2),
              (2, 5, 9, 5, 4, 4)]
    _check([_case(student, *_random(rng, *s, bias=True)) for s in shapes])


@points(1)
def test_edge_cases(student):
    "Edge cases: 1x1 kernels, kernel as large as the image, one output channel, lists, integer arrays."
    rng = np.random.default_rng(2303)
    # no bias and square kernels: each is charged by its own test
    cases = [
        _case(student, *_random(rng, 3, 2, 4, 5, 1, 1, bias=False), context="1x1 kernels"),
        _case(student, *_random(rng, 2, 3, 4, 4, 4, 4, bias=False),
              context="kernel size == image size"),
        _case(student, *_random(rng, 2, 1, 5, 6, 2, 2, bias=False), context="one output channel"),
        _case(student, [[[1.0, 2.0], [0.0, 1.0]]], [[[[2.0]]], [[[-1.0]]]], None,
              "Python lists as input"),
        _case(student, rng.integers(-5, 6, size=(2, 5, 4)), rng.integers(-3, 4, size=(3, 2, 2, 2)),
              context="integer arrays"),
    ]
    _check(cases)


@points(1)
def test_errors(student):
    "Channel mismatch, inputs of the wrong rank, a bias of the wrong length, or a kernel too large raise ValueError."
    rng = np.random.default_rng(2304)
    _check([_case(student, *_random(rng, 2, 3, 5, 6, 2, 2, bias=False))])
    for x, k, b, what in [((3, 6, 6), (2, 2, 3, 3), None, "channel mismatch"),
                          ((2, 6, 6), (2, 3, 3, 3), None, "channel mismatch"),
                          ((2, 6, 6), (2, 3, 3), None, "a 3-D kernel"),
                          ((6, 6), (2, 1, 3, 3), None, "a 2-D image"),
                          ((2, 6, 6), (3, 2, 3, 3), 2, "a bias of the wrong length"),
                          ((2, 4, 6), (1, 2, 5, 3), None, "a kernel taller than the image")]:
        X, K = rng.normal(size=x), rng.normal(size=k)
        B = None if b is None else rng.normal(size=b)
        expect_value_error(lambda: _call(student, X, K, B),
                           f"{mis.describe(X=X, K=K, b=B)} ({what})")
