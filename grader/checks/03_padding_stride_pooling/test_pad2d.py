"""Hidden checks for pad2d(X, padding): zero padding of the last two axes, without np.pad / F.pad."""

import numpy as np

from grader.checking import (NO_PADDING, Case, attempt, check_cases, expect_value_error,
                             load_reference, points)

GRADES = ("pad2d",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, X, padding, context=""):
    got = attempt(lambda: student.call("pad2d", X, padding, forbid=NO_PADDING))
    text = f"X of shape {tuple(np.shape(X))}, padding={padding!r}{context}"
    return Case(got, ref.pad2d(X, padding), text, mis.pad2d_candidates(X, padding))


@points(1)
def test_int_padding_2d(student):
    "A 2-D array with an int padding (odd, non-square sizes)."
    rng = np.random.default_rng(311)
    check_cases([_case(student, rng.normal(size=shape), p)
                 for shape, p in [((3, 4), 1), ((5, 2), 2), ((1, 1), 3), ((4, 7), 1)]])


@points(1)
def test_pair_padding(student):
    "padding=(ph, pw) with ph != pw: rows get ph zeros above and below, columns pw left and right."
    rng = np.random.default_rng(312)
    check_cases([_case(student, rng.normal(size=shape), p)
                 for shape, p in [((3, 5), (1, 2)), ((4, 3), (2, 0)), ((2, 6), (0, 3)),
                                  ((2, 3, 5), (3, 1)), ((1, 2, 3, 4), [2, 1])]])


@points(1)
def test_leading_axes(student):
    "Batches and channels, (C, H, W) and (N, C, H, W): only the last two axes are padded."
    rng = np.random.default_rng(313)
    check_cases([_case(student, rng.normal(size=shape), p)
                 for shape, p in [((3, 4, 5), 1), ((2, 3, 5, 4), 2), ((2, 1, 3, 3), 1)]])


@points(1)
def test_edge_cases_and_errors(student):
    "padding 0 returns a float copy, integer input, Python lists; a negative padding or a 1-D input raise ValueError."
    rng = np.random.default_rng(314)
    check_cases([_case(student, rng.normal(size=(3, 4)), 0),
                 _case(student, rng.normal(size=(2, 3, 5)), (0, 0)),
                 _case(student, rng.integers(-5, 6, size=(3, 3)), 1, " (integer array)"),
                 _case(student, [[1.0, 2.0], [3.0, 4.0]], 1, " (a Python list)")])
    X = rng.normal(size=(3, 4))
    expect_value_error(lambda: student.call("pad2d", X, -1, forbid=NO_PADDING),
                       "padding=-1")
    expect_value_error(lambda: student.call("pad2d", X, (1, -2), forbid=NO_PADDING),
                       "padding=(1, -2)")
    expect_value_error(lambda: student.call("pad2d", rng.normal(size=5), 1, forbid=NO_PADDING),
                       "a 1-D input of shape (5,)")
