"""Visible self-checks that students run inside the notebooks.

Each check takes a *thunk* (a zero-argument lambda) so that an exception in the
student's code is caught and reported for that check alone::

    with SelfCheck("convolve1d") as check:
        check.close(lambda: convolve1d([3, 4, 5], [1, 2, 3, 4, 5]),
                    [3, 10, 22, 34, 46, 40, 25], "lecture example")
        check.true(lambda: len(convolve1d([1, 2], [1])) == 2, "output length n+k-1")

On leaving the block a one-line summary is printed, and ``SelfCheckFailed`` is
raised if anything failed, so "Run All" stops at the first broken exercise.
These checks are deliberately few and visible; the autograder runs many more
hidden ones, with randomized inputs.
"""

import numpy as np

PASS_MARK = "\u2705"
FAIL_MARK = "\u274c"
TODO_MARK = "\u270f\ufe0f"


class SelfCheckFailed(AssertionError):
    """Raised at the end of a SelfCheck block in which a check failed."""


def _describe_array(value):
    array = np.asarray(value)
    return f"shape {array.shape}, dtype {array.dtype}"


def _as_plain(value):
    """Tensors (also requiring grad or on a GPU) as NumPy arrays; anything else unchanged."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()
    return value


def _compare_close(actual, expected, atol, rtol):
    """Return None when close, else a human-readable reason."""
    if actual is None:
        # np.asarray(None, dtype=float) is nan, which would give a confusing shape message
        return "returned None (is a `return` statement missing?)"
    try:
        actual_array = np.asarray(_as_plain(actual), dtype=float)
    except (TypeError, ValueError, RuntimeError):
        return f"returned {type(actual).__name__}, which is not a numeric array"
    expected_array = np.asarray(_as_plain(expected), dtype=float)
    if actual_array.shape != expected_array.shape:
        return f"got {_describe_array(actual_array)}, expected shape {expected_array.shape}"
    if not np.allclose(actual_array, expected_array, atol=atol, rtol=rtol):
        return f"got {np.array2string(actual_array, precision=4, threshold=20)}, " \
               f"expected {np.array2string(expected_array, precision=4, threshold=20)}"
    return None


def _safely_equal(value, expected):
    """``value == expected`` as one bool; arrays and odd types compare unequal, never raise."""
    try:
        return bool(value == expected)
    except Exception:  # e.g. numpy arrays: elementwise result has no single truth value
        return False


def _exception_name(exception_type):
    if isinstance(exception_type, tuple):
        return " or ".join(kind.__name__ for kind in exception_type)
    return exception_type.__name__


def _asks_for_not_implemented(error, exception_type):
    """True when the check itself asks for NotImplementedError (or a subclass)."""
    kinds = exception_type if isinstance(exception_type, tuple) else (exception_type,)
    return any(issubclass(kind, NotImplementedError) and isinstance(error, kind) for kind in kinds)


class SelfCheck:
    """A group of visible checks for one exercise; use as a context manager."""

    def __init__(self, exercise, raise_on_failure=True):
        self.exercise = exercise
        self.raise_on_failure = raise_on_failure
        self.passed = 0
        self.failed = 0
        self.not_implemented = False  # True once any check met NotImplementedError
        self._current_not_implemented = False  # ... the check being recorded did

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            return False
        self.report()
        return False

    def _mark_not_implemented(self):
        self.not_implemented = True
        self._current_not_implemented = True
        return "not implemented yet (it raises NotImplementedError)"

    def _run(self, thunk, label):
        """Call the student's code; return (ok, value_or_reason)."""
        self._current_not_implemented = False
        try:
            return True, thunk()
        except NotImplementedError:
            return False, self._mark_not_implemented()
        except Exception as error:  # any student error is reported, never re-raised
            return False, f"raised {type(error).__name__}: {error}"

    def _record(self, label, reason, hint=None):
        if reason is None:
            self.passed += 1
            print(f"{PASS_MARK} {self.exercise}: {label}")
            return True
        self.failed += 1
        # per check: one unfinished function must not disguise a wrong result of another
        mark = TODO_MARK if self._current_not_implemented else FAIL_MARK
        message = f"{mark} {self.exercise}: {label} \u2014 {reason}"
        if hint:
            message += f"\n   hint: {hint}"
        print(message)
        return False

    def close(self, thunk, expected, label, atol=1e-6, rtol=1e-6, hint=None):
        """Check that the result equals ``expected`` up to floating-point tolerance."""
        ok, value = self._run(thunk, label)
        reason = _compare_close(value, expected, atol, rtol) if ok else value
        return self._record(label, reason, hint)

    def equal(self, thunk, expected, label, hint=None):
        """Check exact equality (ints, tuples, strings)."""
        ok, value = self._run(thunk, label)
        if ok and not _safely_equal(value, expected):
            value, ok = f"got {value!r}, expected {expected!r}", False
        return self._record(label, None if ok else value, hint)

    def true(self, thunk, label, hint=None):
        """Check that a predicate about the student's code holds."""
        ok, value = self._run(thunk, label)
        if not ok:
            return self._record(label, value, hint)
        try:
            holds = bool(value)
        except Exception as error:  # e.g. a multi-element array: ambiguous truth value
            return self._record(label, f"the condition is not a single True/False "
                                       f"({type(error).__name__}: {error})", hint)
        return self._record(label, None if holds else "the condition is False", hint)

    def raises(self, thunk, exception_type, label, hint=None):
        """Check that bad input is rejected with ``exception_type`` (a class or tuple)."""
        expected_name = _exception_name(exception_type)
        self._current_not_implemented = False
        try:
            thunk()
        except NotImplementedError as error:
            # checked first: a stub must not pass `raises(..., Exception)`
            if _asks_for_not_implemented(error, exception_type):
                return self._record(label, None)
            return self._record(label, self._mark_not_implemented(), hint)
        except exception_type:
            return self._record(label, None)
        except Exception as error:
            return self._record(label, f"raised {type(error).__name__}, expected "
                                       f"{expected_name}", hint)
        return self._record(label, f"did not raise {expected_name}", hint)

    def report(self):
        total = self.passed + self.failed
        if self.failed == 0:
            print(f"All {total} visible checks for {self.exercise} passed. "
                  "Hidden checks with random inputs run at grading time.")
            return
        summary = f"{self.exercise}: {self.passed}/{total} visible checks passed."
        print(summary)
        if self.raise_on_failure:
            raise SelfCheckFailed(summary)


def check_saved_model(check, model_class, path, x_test, y_test, target, quick=False):
    """Self-check of a saved model, the grader's way; returns its test accuracy or None.

    Builds ``model_class()`` (no arguments), loads ``path`` (weights only, with
    ``source_lib.checkpoint.load_checkpoint``) and measures the accuracy of a plain
    forward pass in eval mode without gradients on ``x_test`` float32 (N, C, H, W) in
    [0, 1] with labels ``y_test`` int64 (N,). Records one check in ``check`` (a
    :class:`SelfCheck`) for loading, prints the accuracy, and records a second one for
    ``accuracy >= target`` unless ``quick`` (a short training cannot reach it).
    """
    # torch is imported only here: the rest of this module serves torch-free notebooks too
    from source_lib.checkpoint import load_checkpoint
    from source_lib.training.loops import accuracy_of

    name = model_class.__name__
    measured = {}

    def measure():
        model = model_class()
        load_checkpoint(model, path)
        measured["accuracy"] = accuracy_of(model, x_test, y_test)
        return True

    if not check.true(measure, f"{path} loads into {name}() and predicts the test images",
                      hint=f"run the training and saving cells above; retrain after every "
                           f"change to {name}"):
        return None
    accuracy = measured["accuracy"]
    print(f"   test accuracy of {path}: {accuracy:.4f} on {len(y_test):,} test images "
          f"(graded: full points from {target}, partial credit below)")
    if quick:
        print("   quick mode: short training, the accuracy target applies to a full run")
    else:
        check.true(lambda: accuracy >= target, f"test accuracy >= {target}",
                   hint=f"train with the full recipe (COURSE_QUICK not set) and check your {name}")
    return accuracy
