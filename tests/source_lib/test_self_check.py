"""Tests for source_lib.self_check: messages students see and when SelfCheckFailed is raised."""

import numpy as np
import pytest
import torch

from source_lib.self_check import FAIL_MARK, PASS_MARK, TODO_MARK, SelfCheck, SelfCheckFailed


def stub(*args):
    raise NotImplementedError


def reject_negative(x):
    if x < 0:
        raise ValueError("negative")
    return x


def test_all_passing_prints_marks_and_summary_without_raising(capsys):
    with SelfCheck("convolve1d") as check:
        assert check.close(lambda: [3.0, 10.0, 22.0], np.array([3, 10, 22]), "lecture example")
        assert check.equal(lambda: (2, 3), (2, 3), "shape")
        assert check.true(lambda: 1 < 2, "ordering")
        assert check.raises(lambda: reject_negative(-1), ValueError, "rejects negatives")
    out = capsys.readouterr().out
    assert out.count(PASS_MARK) == 4
    assert f"{PASS_MARK} convolve1d: lecture example" in out
    assert "All 4 visible checks for convolve1d passed." in out
    assert (check.passed, check.failed) == (4, 0)


def test_wrong_value_reports_got_and_expected_then_raises(capsys):
    with pytest.raises(SelfCheckFailed, match=r"convolve1d: 1/2 visible checks passed"):
        with SelfCheck("convolve1d") as check:
            check.close(lambda: [1.0, 2.0], [1.0, 2.0], "ok")
            check.close(lambda: [1.0, 2.5], [1.0, 2.0], "values", hint="is the kernel flipped?")
    out = capsys.readouterr().out
    assert f"{FAIL_MARK} convolve1d: values \u2014 got [1.  2.5], expected [1. 2.]" in out
    assert "   hint: is the kernel flipped?" in out
    assert "convolve1d: 1/2 visible checks passed." in out


def test_close_respects_tolerance_and_reports_shape_mismatch(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        assert check.close(lambda: [1.0 + 1e-9], [1.0], "within tolerance")
        assert not check.close(lambda: [1.0, 2.0, 3.0], [1.0, 2.0], "too long")
        assert not check.close(lambda: "abc", [1.0], "a string")
    out = capsys.readouterr().out
    assert "got shape (3,), dtype float64, expected shape (2,)" in out
    assert "returned str, which is not a numeric array" in out


def test_not_implemented_uses_todo_mark_and_still_raises(capsys):
    with pytest.raises(SelfCheckFailed, match="0/2"):
        with SelfCheck("correlate1d") as check:
            check.close(lambda: stub([1, 2], [1]), [1, 2], "valid mode")
            check.raises(lambda: stub([1], [1, 2]), ValueError, "kernel too long")
    out = capsys.readouterr().out
    assert out.count(TODO_MARK) == 2
    assert "not implemented yet (it raises NotImplementedError)" in out
    assert check.not_implemented


def test_todo_mark_is_per_check_not_sticky(capsys):
    # a wrong answer after an unfinished function must still get the red cross
    with SelfCheck("two functions", raise_on_failure=False) as check:
        check.close(lambda: stub(), [1], "unfinished")
        check.close(lambda: [0.0], [1.0], "wrong")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{TODO_MARK} two functions: unfinished")
    assert lines[1].startswith(f"{FAIL_MARK} two functions: wrong")


def test_student_exception_is_reported_not_reraised(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        check.close(lambda: 1 / 0, 1.0, "divides")
    out = capsys.readouterr().out
    assert "divides \u2014 raised ZeroDivisionError: division by zero" in out
    assert check.failed == 1


def test_raise_on_failure_false_prints_summary_only(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        check.equal(lambda: 3, 4, "number")
    out = capsys.readouterr().out
    assert "got 3, expected 4" in out
    assert "f: 0/1 visible checks passed." in out


def test_equal_with_array_result_fails_cleanly(capsys):
    with SelfCheck("shape", raise_on_failure=False) as check:
        assert not check.equal(lambda: np.array([2, 3]), (2, 3), "tuple expected")
    assert "expected (2, 3)" in capsys.readouterr().out


def test_true_with_ambiguous_array_fails_cleanly(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        assert not check.true(lambda: np.array([1, 2]) > 0, "elementwise")
        assert not check.true(lambda: 0, "falsy")
    out = capsys.readouterr().out
    assert "not a single True/False" in out
    assert "falsy \u2014 the condition is False" in out


def test_close_accepts_tensors_requiring_grad_and_explains_none(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        assert check.close(lambda: torch.ones(3, requires_grad=True) * 2, [2, 2, 2], "tensor")
        assert not check.close(lambda: None, [1, 2], "forgot return")
    out = capsys.readouterr().out
    assert "returned None (is a `return` statement missing?)" in out


def test_raises_reports_wrong_type_and_missing_exception(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        assert not check.raises(lambda: 1 / 0, ValueError, "wrong type")
        assert not check.raises(lambda: reject_negative(1), ValueError, "no exception")
        assert check.raises(lambda: reject_negative(-1), (TypeError, ValueError), "tuple")
        assert not check.raises(lambda: 1, (TypeError, ValueError), "tuple missing")
    out = capsys.readouterr().out
    assert "wrong type \u2014 raised ZeroDivisionError, expected ValueError" in out
    assert "no exception \u2014 did not raise ValueError" in out
    assert "did not raise TypeError or ValueError" in out


def test_stub_does_not_pass_a_broad_raises_check(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        assert not check.raises(lambda: stub(), Exception, "rejects bad input")
        assert check.raises(lambda: stub(), NotImplementedError, "asks for NotImplementedError")
    assert TODO_MARK in capsys.readouterr().out


def test_error_outside_a_thunk_propagates_without_summary(capsys):
    with pytest.raises(KeyError):
        with SelfCheck("f"):
            raise KeyError("not in a lambda")
    assert "visible checks" not in capsys.readouterr().out


def test_keyboard_interrupt_in_student_code_is_not_swallowed():
    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        with SelfCheck("f") as check:
            check.close(interrupted, 1.0, "long loop")


def test_hints_are_for_wrong_values_not_for_unfinished_functions(capsys):
    with SelfCheck("corr2d", raise_on_failure=False) as check:
        check.close(lambda: stub(), [1.0], "unfinished", hint="you flipped the kernel")
        check.close(lambda: [2.0], [1.0], "wrong", hint="you flipped the kernel")
        check.raises(lambda: stub(), ValueError, "rejects", hint="check the shapes first")
    out = capsys.readouterr().out
    assert out.count("hint:") == 1
    assert f"{FAIL_MARK} corr2d: wrong \u2014 got [2.], expected [1.]\n   hint: you flipped" in out


def notebook_function(source):
    """A function defined as a notebook defines it: in the namespace "__main__"."""
    namespace = {"__name__": "__main__"}
    exec(source, namespace)
    return namespace[source.split()[1].split("(")[0]]


corr2d = notebook_function("def corr2d(X, K):\n    raise NotImplementedError()\n")


def test_unfinished_function_outside_a_thunk_fails_the_check_not_the_cell(capsys):
    # a check block that builds an expected value with another exercise (not in a lambda)
    with pytest.raises(SelfCheckFailed) as failed:
        with SelfCheck("learn_kernel") as check:
            check.equal(lambda: 1, 1, "a first check")
            target = corr2d(1, 2)
            check.equal(lambda: target, 1, "never reached")
    out = capsys.readouterr().out
    assert f"{TODO_MARK} learn_kernel: needs your corr2d \u2014 not implemented yet" in out
    assert "learn_kernel: 1/2 visible checks passed." in out
    assert failed.value.unfinished and failed.value.exercise == "learn_kernel"
    assert failed.value.brief() == "learn_kernel: still to do (1/2 visible checks passed)."


def test_unfinished_function_outside_a_thunk_without_raising(capsys):
    with SelfCheck("f", raise_on_failure=False) as check:
        corr2d(1, 2)
    assert "f: 0/1 visible checks passed." in capsys.readouterr().out
    assert check.not_implemented


def test_a_library_not_implemented_error_outside_a_thunk_propagates(capsys):
    with pytest.raises(NotImplementedError):
        with SelfCheck("f"):
            stub()                  # defined in this module, not in a notebook
    assert "visible checks" not in capsys.readouterr().out


def test_brief_line_names_the_exercise_still_to_do_or_the_score():
    with pytest.raises(SelfCheckFailed) as unfinished:
        with SelfCheck("corr2d") as check:
            check.close(lambda: stub(), [1.0], "lecture example")
            check.close(lambda: [1.0], [1.0], "shape")
    assert unfinished.value.brief() == "corr2d: still to do (1/2 visible checks passed)."
    with pytest.raises(SelfCheckFailed) as wrong:
        with SelfCheck("corr2d") as check:
            check.close(lambda: [2.0], [1.0], "lecture example")
    assert wrong.value.brief() == "corr2d: 0/1 visible checks passed." == str(wrong.value)
    assert SelfCheckFailed("plain message").brief() == "plain message"
