"""Inputs and comparisons shared by 10's checks (trusted side): seeded random boxes, the
student's value on them and the wrong versions' values as candidates."""

import numpy as np

from grader.checking import Case, attempt, check_cases, note, same, try_candidate


def boxes(rng, n, scale=10.0, min_size=0.5, max_size=5.0):
    """``n`` random corner boxes (x1, y1, x2, y2) with continuous coordinates."""
    corner = rng.uniform(0, scale, size=(n, 2))
    size = rng.uniform(min_size, max_size, size=(n, 2))
    return np.concatenate([corner, corner + size], axis=1)


def near(rng, box, spread=1.0):
    """A box overlapping ``box`` most of the time: its corners moved a little."""
    moved = box + rng.uniform(-spread, spread, size=4)
    return np.concatenate([np.minimum(moved[:2], moved[2:] - 0.1), moved[2:]])


def number(value):
    """A value holding one number as a float array of shape () (a (1,) or (1, 1) array, a
    Python float: the same number); anything else unchanged."""
    if isinstance(value, (int, float)) or (isinstance(value, np.ndarray) and value.size == 1):
        return np.asarray(value, dtype=np.float64).reshape(())
    return value


def candidates(mistakes, *args, post=lambda v: v, **kwargs):
    """The wrong versions' values on ``args`` (those that cannot be computed are skipped)."""
    found = []
    for function, message in mistakes:
        value = try_candidate(function, *args, **kwargs)
        if value is not None:
            found.append((post(value), message))
    return found


def value_case(student, name, args, reference, mistakes, context, post=lambda v: v,
               kwargs=None):
    """One Case: the student's ``name(*args, **kwargs)`` against the reference's, the wrong
    versions as candidates, every value passed through ``post``."""
    kwargs = kwargs or {}
    got = attempt(lambda: student.call(name, *args, **kwargs))
    if not hasattr(got, "error"):
        got = post(got)
    return Case(got, post(reference(*args, **kwargs)), context,
                candidates(mistakes, *args, post=post, **kwargs))


def shape_text(array):
    return f"({', '.join(map(str, np.shape(array)))})"


def charged_elsewhere(case, keep=()):
    """Whether a wrong case shows a mistake another test of the part names (its value is a
    candidate's whose message is not in ``keep``): each mistake is charged once."""
    if hasattr(case.got, "error") or same(case.got, case.expected, exact=isinstance(
            case.expected, tuple)):
        return False
    exact = isinstance(case.expected, tuple)
    return any(same(case.got, value, exact=exact) for value, message in case.candidates
               if message not in keep)


def check_own_cases(found, keep=()):
    """``check_cases`` on the cases whose mistake no other test names; a note says how many
    were left to the other tests."""
    left = [case for case in found if not charged_elsewhere(case, keep)]
    if len(left) < len(found):
        note(f"{len(found) - len(left)} of {len(found)} cases show a mistake another test of "
             "this exercise names; they are not charged again here.")
    check_cases(left, exact=bool(found) and isinstance(found[0].expected, tuple))
