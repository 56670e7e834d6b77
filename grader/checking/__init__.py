"""The small API hidden checks are written in (one pytest file per grade part).

A hidden check file ``grader/checks/<assignment>/test_<part>.py`` looks like::

    from grader.checking import points, expect_close, load_reference, BY_HAND
    ref = load_reference(__file__)

    @points(2)
    def test_lecture_example(student):
        "Lecture example f=[3,4,5], g=[1,2,3,4,5]."
        got = student.call("convolve1d", [3., 4., 5.], [1., 2., 3., 4., 5.], forbid=BY_HAND)
        expect_close(got, ref.convolve1d([3, 4, 5], [1, 2, 3, 4, 5]), "the lecture example",
                     misconceptions=[(np.correlate(...), "you computed a correlation ...")])

Rules: a test passes (earning its points) or fails; the failure message shown
to the student is the ``CheckFailed`` text or the ``StudentFault`` feedback,
never an assertion dump, so expected values are not leaked.
"""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from grader.errors import StudentCodeError

# Operation groups a "by hand" exercise may not use (see gradeworker.tripwires).
BY_HAND = ("numpy.convolve", "numpy.correlate", "scipy.signal", "scipy.ndimage",
           "torch.conv", "unfold")
# 2-D by-hand exercises: also no window views (stride tricks) and no fold.
BY_HAND_2D = BY_HAND + ("stride_tricks", "fold")
NO_POOLING = ("torch.pool", "scipy.ndimage")
NO_PADDING = ("numpy.pad", "torch.pad")
# Hand-written gradients: no torch.autograd (backward, grad, functorch transforms).
NO_AUTOGRAD = ("autograd",)
NO_EPOCH_HELPERS = ("course.epoch_loops",)   # 06: fit & co. inside train_epoch/evaluate


class CheckFailed(AssertionError):
    """A check failed; the message is shown to the student verbatim."""


def points(value):
    """Declare how many points a test is worth (partial credit per test)."""
    if not value > 0:
        raise ValueError("points must be positive")
    return pytest.mark.points(value)


def fail(message):
    raise CheckFailed(message)


_notes = []


def note(message):
    """Say something to the student about a test that passes (e.g. cases it could not
    check because another part's function failed on them). Shown beside the pass."""
    _notes.append(str(message))


def take_notes():
    """The notes of the test that just ran, forgotten here (the grading plugin's side)."""
    taken = list(_notes)
    _notes.clear()
    return taken


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def _as_float_array(value, context):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise CheckFailed(f"For {context}, your function returned a "
                          f"{type(value).__name__}, not a numeric array.") from None
    return array


def _matches(actual, candidate, atol, rtol):
    candidate = np.asarray(candidate, dtype=np.float64)
    return actual.shape == candidate.shape and np.allclose(actual, candidate, atol=atol, rtol=rtol)


def expect_close(actual, expected, context, misconceptions=(), atol=1e-6, rtol=1e-6,
                 wrong_message=None):
    """Compare numerically; on mismatch name the first misconception that matches.

    ``misconceptions``: (candidate_output, message) pairs computed by the check
    from a deliberately wrong variant of the reference.
    """
    actual = _as_float_array(actual, context)
    if _matches(actual, expected, atol, rtol):
        return
    for candidate, message in misconceptions:
        if candidate is not None and _matches(actual, candidate, atol, rtol):
            raise CheckFailed(f"For {context}: {message}")
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise CheckFailed(f"For {context}, your output has the wrong shape {actual.shape}.")
    if not np.all(np.isfinite(actual)):
        raise CheckFailed(f"For {context}, your output contains NaN or infinity.")
    raise CheckFailed(wrong_message or f"For {context}, your output has the right shape "
                                       "but wrong values.")


def _equal(actual, expected):
    """``actual == expected`` that cannot crash on a student's odd value (an array, say)."""
    try:
        return bool(actual == expected)
    except (TypeError, ValueError):
        return False


def expect_equal(actual, expected, context, misconceptions=()):
    """Exact comparison for integers, tuples and strings."""
    if _equal(actual, expected):
        return
    for candidate, message in misconceptions:
        if _equal(actual, candidate):
            raise CheckFailed(f"For {context}: {message}")
    raise CheckFailed(f"For {context}, your result is wrong.")


def load_reference(test_file, name="reference"):
    """Import ``<name>.py`` that sits beside a check file (trusted process only)."""
    path = Path(test_file).with_name(f"{name}.py")
    module_name = f"_grader_ref_{path.parent.name}_{name}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------ diagnosis over several cases
def try_candidate(function, *args, **kwargs):
    """A misconception candidate that cannot be computed (bad shapes) is None, i.e. skipped."""
    try:
        return function(*args, **kwargs)
    except (ValueError, RuntimeError, IndexError, ZeroDivisionError):
        return None


class Raised:
    """Stands for a case in which the student's code raised (see ``attempt``)."""

    def __init__(self, error):
        self.error = error


def attempt(call):
    """Run ``call()``; a StudentCodeError (other than NotImplementedError) is returned
    wrapped in ``Raised`` so that the other cases can still be diagnosed."""
    try:
        return call()
    except StudentCodeError as error:
        if error.exc_type == "NotImplementedError":
            raise
        return Raised(error)


class Case:
    """One comparison: the student's output, the expectation, a context for messages."""

    def __init__(self, got, expected, context, candidates=(), wrong_message=None):
        self.got, self.expected, self.context = got, expected, context
        self.candidates = [(c, m) for c, m in candidates if c is not None]
        self.wrong_message = wrong_message


def same(actual, target, exact=False):
    """Whether a student's value equals a target as ``check_cases`` compares them: close
    float arrays of the same shape (atol = rtol = 1e-6), or ``==`` when ``exact``."""
    if exact:
        try:
            return bool(actual == target) and not isinstance(actual, (bool, np.bool_))
        except (TypeError, ValueError):
            return False
    try:
        actual = np.asarray(actual, dtype=np.float64)
        target = np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return actual.shape == target.shape and np.allclose(actual, target, atol=1e-6, rtol=1e-6)


def case_is_right(case, exact=False):
    """Whether one Case is right, as ``check_cases`` judges it (a Raised case is not)."""
    return not isinstance(case.got, Raised) and same(case.got, case.expected, exact)


def check_cases(cases, exact=False):
    """Pass when every case is right. Otherwise name a misconception that explains
    *every* wrong case, if there is one; else re-raise the first error the student's
    code raised; else diagnose the first wrong case alone (per-case misconception or
    a generic message)."""
    raised = [case for case in cases if isinstance(case.got, Raised)]
    wrong = [case for case in cases
             if not isinstance(case.got, Raised) and not same(case.got, case.expected, exact)]
    if not wrong:
        if raised:
            raise raised[0].got.error
        return
    explains_all = None
    for case in wrong:
        messages = {m for c, m in case.candidates if same(case.got, c, exact)}
        explains_all = messages if explains_all is None else explains_all & messages
    first = wrong[0]
    for candidate, message in first.candidates:
        if message in explains_all and same(first.got, candidate, exact):
            raise CheckFailed(f"For {first.context}: {message}")
    if raised:
        raise raised[0].got.error
    if exact:
        expect_equal(first.got, first.expected, first.context, first.candidates)
    else:
        wrong_message = first.wrong_message and f"For {first.context}: {first.wrong_message}"
        expect_close(first.got, first.expected, first.context, first.candidates,
                     wrong_message=wrong_message)
    fail(f"For {first.context}, your result is wrong.")  # e.g. a bool where an int is due


def _bias_error(error):
    return ((error.exc_type == "ValueError" and "broadcast" in error.message)
            or error.exc_type == "IndexError")


def check_cases_with_bias(cases, bias_message):
    """``check_cases`` after one diagnosis it cannot make from values: a bias b (C_out,)
    added along a spatial axis usually fails to broadcast (a ValueError), or, indexed by a
    position (``b[i]``, ``out[..., o] += b[o]``), runs out of b's or the output's range (an
    IndexError). A case whose call raised such an error, but whose ``case.without_bias()``
    (the same call, no bias) works, fails with ``bias_message``."""
    for case in cases:
        retry = getattr(case, "without_bias", None)
        error = case.got.error if isinstance(case.got, Raised) else None
        if (retry is not None and error is not None and _bias_error(error)
                and not isinstance(attempt(retry), Raised)):
            fail(f"For {case.context}: {bias_message}")
    check_cases(cases)


def expect_value_error(call, context):
    """``call()`` must make the student's code raise ValueError."""
    try:
        call()
    except StudentCodeError as error:
        if error.exc_type == "ValueError":
            return
        if error.exc_type == "NotImplementedError":
            raise
        fail(f"For {context}, your function raised {error.exc_type}; "
             "it should raise ValueError.")
    fail(f"For {context}, your function returned a result instead of raising ValueError.")
