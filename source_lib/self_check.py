"""Visible self-checks that students run inside the notebooks.

Each check takes a *thunk* (a zero-argument lambda) so that an exception in the
student's code is caught and reported for that check alone::

    with SelfCheck("convolve1d") as check:
        check.close(lambda: convolve1d([3, 4, 5], [1, 2, 3, 4, 5]),
                    [3, 10, 22, 34, 46, 40, 25], "lecture example")
        check.true(lambda: len(convolve1d([1, 2], [1])) == 2, "output length n+k-1")

On leaving the block a one-line summary is printed, and ``SelfCheckFailed`` is
raised if anything failed, so "Run All" stops at the first broken exercise.
In a notebook (IPython) that error is shown as one line without a traceback: the
lines above it already say what is wrong, and a traceback would only show this
module's internals (see ``_register_with_ipython``). The cell still fails, so
"Run All" and nbgrader's Validate see it.
These checks are deliberately few and visible; the autograder runs many more
hidden ones, with randomized inputs.
"""

import sys

import numpy as np

PASS_MARK = "\u2705"
FAIL_MARK = "\u274c"
TODO_MARK = "\u270f\ufe0f"


class SelfCheckFailed(AssertionError):
    """Raised at the end of a SelfCheck block in which a check failed.

    ``str(error)`` is the summary (``"corr2d: 0/4 visible checks passed."``); ``unfinished``
    is True when a check met NotImplementedError (the exercise is still to do).
    """

    def __init__(self, summary, exercise=None, unfinished=False, passed=None, total=None):
        super().__init__(summary)
        self.exercise = exercise
        self.unfinished = unfinished
        self.counts = f"{passed}/{total}" if total is not None else None

    def brief(self):
        """The one line a notebook (and nbgrader's Validate) shows instead of a traceback."""
        if self.unfinished and self.exercise is not None and self.counts is not None:
            return f"{self.exercise}: still to do ({self.counts} visible checks passed)."
        return str(self)


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


NOTEBOOK_MODULE = "__main__"   # IPython runs the cells, and defines their functions, here


def is_notebook_code(frame):
    """A frame of a function or class defined in the notebook (not a cell's own lines)."""
    return (frame.f_globals.get("__name__") == NOTEBOOK_MODULE
            and frame.f_code.co_name != "<module>")


def raising_frame(traceback):
    """The frame in which the exception of ``traceback`` was raised."""
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback.tb_frame


def raised_in(traceback):
    """The function (or the class of the method) in which an exception was raised."""
    return raising_frame(traceback).f_code.co_qualname.split(".")[0]


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
        if (exc_type is not None and issubclass(exc_type, NotImplementedError)
                and is_notebook_code(raising_frame(tb))):
            # the block itself called an unfinished notebook function (to build an input
            # or an expected value): one unfinished check, then the summary as usual
            self._current_not_implemented = True
            self.not_implemented = True
            self._record(f"needs your {raised_in(tb)}", "not implemented yet "
                         "(it raises NotImplementedError)")
            self.report()
            return True
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
        # hints explain wrong values ("... you flipped the kernel"): noise for a stub
        if hint and not self._current_not_implemented:
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
            raise SelfCheckFailed(summary, self.exercise, self.not_implemented,
                                  self.passed, total)


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


def _show_briefly(shell, exception_type, error, traceback, tb_offset=None):
    """IPython's handler for SelfCheckFailed: the error as one line, no traceback.

    ``_showtraceback`` is where IPython (and ipykernel) put an error: the cell gets an
    output of type "error" and its execution fails, exactly as with a traceback."""
    lines = [f"\x1b[0;31m{exception_type.__name__}\x1b[0m: {error.brief()}"]
    shell._showtraceback(exception_type, error, lines)
    return lines


def _register_with_ipython():
    """Inside IPython, show SelfCheckFailed with ``_show_briefly``; elsewhere do nothing.

    IPython has one slot for such a handler (``InteractiveShell.set_custom_exc``): it is
    taken when free or held by an earlier import of this module (a re-import replaces
    it); another library's handler is left alone, and the usual traceback is shown."""
    ipython = sys.modules.get("IPython")   # not imported: not inside IPython, import nothing
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    held = tuple(getattr(shell, "custom_exceptions", ()))
    if any(kind.__module__ != __name__ for kind in held):
        return False
    shell.set_custom_exc((SelfCheckFailed,), _show_briefly)
    return True


_register_with_ipython()
