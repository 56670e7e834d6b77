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

from grader.errors import StudentFault  # noqa: F401  (re-exported for check files)

# Operation groups a "by hand" exercise may not use (see grader.tripwires).
BY_HAND = ("numpy.convolve", "numpy.correlate", "scipy.signal", "scipy.ndimage",
           "torch.conv", "unfold")


class CheckFailed(AssertionError):
    """A check failed; the message is shown to the student verbatim."""


def points(value):
    """Declare how many points a test is worth (partial credit per test)."""
    if not value > 0:
        raise ValueError("points must be positive")
    return pytest.mark.points(value)


def fail(message):
    raise CheckFailed(message)


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


def expect_equal(actual, expected, context, misconceptions=()):
    """Exact comparison for integers, tuples and strings."""
    if actual == expected:
        return
    for candidate, message in misconceptions:
        if actual == candidate:
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
