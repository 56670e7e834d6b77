"""Hidden checks for pad2d(X, padding): zero padding of the last two axes, without np.pad / F.pad.

Leading axes are charged by test_leading_axes, (ph, pw) pairs by test_pair_padding: the other
tests leave out a case that needs one of them when the student's pad2d gets that feature wrong
on its own (an int padding of the same X, a pair on a 2-D X), and say so.
"""

import numpy as np

from grader.checking import (NO_PADDING, Case, Raised, attempt, check_cases, expect_value_error,
                             fail, load_reference, note, points)

GRADES = ("pad2d",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, X, padding, context=""):
    got = attempt(lambda: student.call("pad2d", X, padding, forbid=NO_PADDING))
    text = f"X of shape {tuple(np.shape(X))}, padding={padding!r}{context}"
    return Case(got, ref.pad2d(X, padding), text, mis.pad2d_candidates(X, padding))


LEADING_RAISES = ("X may have leading axes, (C, H, W) or (N, C, H, W): pad only the last two "
                  "axes and keep the others (X.shape[:-2] + (...), out[..., ph:ph + H, pw:pw + W]).")
PAIR_RAISES = ("padding may be a pair (ph, pw), a tuple or a list: ph rows above and below, pw "
               "columns left and right (as_pair(padding) gives both).")


def _gets_right(student, X, padding):
    got = attempt(lambda: student.call("pad2d", X, padding, forbid=NO_PADDING))
    if isinstance(got, Raised):
        return False
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = ref.pad2d(X, padding)
    return got.shape == expected.shape and np.allclose(got, expected)


def _basic_right(student):
    return _gets_right(student, np.arange(6.0).reshape(2, 3), 1)


def _handles_leading_axes(student, X):
    """False when the student's pad2d gets this X wrong with an int padding while a 2-D
    array is right (a function wrong on the basic form too lacks no feature here)."""
    return np.ndim(X) <= 2 or _gets_right(student, X, 1) or not _basic_right(student)


def _handles_pairs(student):
    return (_gets_right(student, np.arange(12.0).reshape(3, 4), (1, 2))
            or not _basic_right(student))


def _left_out(what, where):
    note(f"Not checked here: {what}, which your pad2d gets wrong on its own ({where} grades "
         "that).")


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
    table = [(rng.normal(size=shape), p)
             for shape, p in [((3, 5), (1, 2)), ((4, 3), (2, 0)), ((2, 6), (0, 3)),
                              ((2, 3, 5), (3, 1)), ((1, 2, 3, 4), [2, 1])]]
    kept = [(X, p) for X, p in table if _handles_leading_axes(student, X)]
    cases = [_case(student, X, p) for X, p in kept]
    for case, (X, _) in zip(cases, kept):    # the int padding of the same X works: name the pair
        if isinstance(case.got, Raised) and _gets_right(student, X, 1):
            fail(f"For {case.context}: {PAIR_RAISES}")
    check_cases(cases)
    if len(kept) < len(table):
        _left_out("the pairs on arrays with leading axes", "test_leading_axes")


@points(1)
def test_leading_axes(student):
    "Batches and channels, (C, H, W) and (N, C, H, W): only the last two axes are padded."
    rng = np.random.default_rng(313)
    cases = [_case(student, rng.normal(size=shape), p)
             for shape, p in [((3, 4, 5), 1), ((2, 3, 5, 4), 2), ((2, 1, 3, 3), 1)]]
    raised = [case for case in cases if isinstance(case.got, Raised)]
    if raised and _basic_right(student):
        fail(f"For {raised[0].context}: {LEADING_RAISES}")
    check_cases(cases)


@points(1)
def test_edge_cases_and_errors(student):
    "padding 0 returns a float copy, integer input, Python lists; a negative padding or a 1-D input raise ValueError."
    rng = np.random.default_rng(314)
    zero, zero_pair = rng.normal(size=(3, 4)), rng.normal(size=(2, 3, 5))
    pairs = _handles_pairs(student)
    leading = _handles_leading_axes(student, zero_pair)
    cases = [_case(student, zero, 0)]
    if pairs and leading:
        cases.append(_case(student, zero_pair, (0, 0)))
    check_cases(cases + [_case(student, rng.integers(-5, 6, size=(3, 3)), 1, " (integer array)"),
                         _case(student, [[1.0, 2.0], [3.0, 4.0]], 1, " (a Python list)")])
    X = rng.normal(size=(3, 4))
    expect_value_error(lambda: student.call("pad2d", X, -1, forbid=NO_PADDING),
                       "padding=-1")
    if pairs:
        expect_value_error(lambda: student.call("pad2d", X, (1, -2), forbid=NO_PADDING),
                           "padding=(1, -2)")
    expect_value_error(lambda: student.call("pad2d", rng.normal(size=5), 1, forbid=NO_PADDING),
                       "a 1-D input of shape (5,)")
    if not pairs:
        _left_out("padding=(0, 0) and padding=(1, -2), (ph, pw) pairs", "test_pair_padding")
    elif not leading:
        _left_out("padding=(0, 0) on a (C, H, W) array, leading axes", "test_leading_axes")
