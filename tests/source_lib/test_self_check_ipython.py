"""SelfCheckFailed inside IPython: one line instead of a traceback, the cell still fails.

The real kernel is exercised by tests/grader/test_blank_release.py; here a stand-in shell
pins when the handler is registered and what it hands to IPython."""

import sys
import types

import pytest

from source_lib import self_check
from source_lib.self_check import SelfCheck, SelfCheckFailed


class FakeShell:
    """The two parts of IPython's InteractiveShell the registration and the handler use."""

    def __init__(self, custom_exceptions=()):
        self.custom_exceptions = custom_exceptions
        self.registered = None
        self.shown = []

    def set_custom_exc(self, exception_types, handler):
        self.custom_exceptions = exception_types
        self.registered = handler

    def _showtraceback(self, exception_type, error, lines):
        self.shown.append((exception_type, error, lines))


def with_ipython(monkeypatch, shell):
    fake = types.ModuleType("IPython")
    fake.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake)


def test_outside_ipython_nothing_is_registered_or_imported(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not self_check._register_with_ipython()
    assert "IPython" not in sys.modules
    with_ipython(monkeypatch, None)            # IPython imported, but no shell running
    assert not self_check._register_with_ipython()


def test_registered_for_selfcheckfailed_and_on_reimport(monkeypatch):
    shell = FakeShell()
    with_ipython(monkeypatch, shell)
    assert self_check._register_with_ipython()
    assert shell.custom_exceptions == (SelfCheckFailed,)
    assert self_check._register_with_ipython()        # a second import takes it again


def test_another_librarys_handler_is_left_alone(monkeypatch):
    shell = FakeShell(custom_exceptions=(KeyError,))
    with_ipython(monkeypatch, shell)
    assert not self_check._register_with_ipython()
    assert shell.custom_exceptions == (KeyError,) and shell.registered is None


def test_handler_shows_one_line_as_an_error(capsys):
    shell = FakeShell()
    with pytest.raises(SelfCheckFailed) as failed:
        with SelfCheck("corr2d") as check:
            check.close(lambda: (_ for _ in ()).throw(NotImplementedError), [1.0], "example")
    error = failed.value
    lines = self_check._show_briefly(shell, SelfCheckFailed, error, error.__traceback__)
    assert shell.shown == [(SelfCheckFailed, error, lines)]
    assert len(lines) == 1
    assert lines[0].endswith("SelfCheckFailed\x1b[0m: corr2d: still to do "
                             "(0/1 visible checks passed).")
    assert "self_check.py" not in "".join(lines)
