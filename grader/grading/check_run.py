"""Run an assignment's hidden pytest checks against a student worker, and collect results.

The grade parts of an assignment are the files ``grader/checks/<A>/test_*.py``
(grade_id = file stem). Each test earns its ``@points`` when it passes. The
failure message kept for feedback is the ``CheckFailed`` text or the
``StudentFault`` feedback; any other exception in a check is an internal
error, logged for the TA and shown to the student only as a generic sentence.
"""

import contextlib
import inspect
import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.checking import CheckFailed, take_notes
from grader.checking.submitted_files import SubmittedFiles
from grader.course.layout import CHECKS_ROOT, part_files
from grader.errors import StudentFault

PART_BUDGET_SECONDS = 300.0  # student time allowed per grade part (all its tests)
STUDENT_OUTPUT_KEPT = 1 << 20   # bytes of a worker's stderr kept between two tests
PASSED = "passed"               # a pass's message when the check left no note
INTERNAL_ERROR = "This check could not run because of a problem in the grader; your TA has been told."



@dataclass
class TestResult:
    name: str
    passed: bool
    message: str
    points: float
    node: str = ""                 # "path::test_function", to run this test again
    rechecked_with: tuple = ()     # trusted callees that made it pass (grader.grading.charging)


@dataclass
class PartResult:
    grade_id: str
    tests: list = field(default_factory=list)

    @property
    def max_score(self):
        return sum(t.points for t in self.tests)

    @property
    def score(self):
        return sum(t.points for t in self.tests if t.passed)


def _check_title(docstring):
    """A check's title on the feedback page: its docstring's first paragraph on one line
    (a title wrapped over two lines must not be cut mid-sentence)."""
    return " ".join(inspect.cleandoc(docstring).split("\n\n")[0].split())


def _test_points(item):
    marker = item.get_closest_marker("points")
    return float(marker.args[0]) if marker and marker.args else 1.0


def _feedback_for(excinfo, internal_errors, test_name):
    """The student-safe message; other exceptions are logged for the TA only."""
    error = excinfo.value
    if isinstance(error, CheckFailed):
        return str(error)
    if isinstance(error, StudentFault):
        return error.feedback
    internal_errors.append(f"{test_name}: {excinfo.typename}: {error}")
    return INTERNAL_ERROR


class GradingPlugin:
    """pytest plugin: provides the ``student`` fixture and records outcomes."""

    def __init__(self, proxy, part_budget=PART_BUDGET_SECONDS):
        self.proxy = proxy
        self.part_budget = part_budget
        self._current_part = None
        self.parts = {}
        self.internal_errors = []

    @pytest.fixture
    def student(self):
        return self.proxy

    @pytest.fixture
    def submitted_files(self):
        """The checkpoints handed in beside the notebook (grader.checking.submitted_files)."""
        return getattr(self.proxy, "submitted_files", None) or SubmittedFiles(None)

    def pytest_configure(self, config):
        # Failure messages come from our own exceptions; pytest's long tracebacks (which
        # parse the check files' source for every failed test) are never shown, only slow.
        config.option.tbstyle = "native"

    def pytest_collection_modifyitems(self, items):
        for item in items:
            part = self.parts.setdefault(Path(item.fspath).stem, PartResult(Path(item.fspath).stem))
            doc = _check_title(item.function.__doc__ or item.name)
            part.tests.append(TestResult(doc, False, "not run", _test_points(item),
                                         node=f"{item.path}::{item.name}"))
            item.stash[_RESULT_KEY] = part.tests[-1]

    def pytest_runtest_setup(self, item):
        self.proxy.trusted_used = set()
        take_notes()                       # nothing left over from an earlier test
        _empty_if_large(self.proxy.stderr_path)
        part = Path(item.fspath).stem
        if part != self._current_part:
            self._current_part = part
            self.proxy.part_deadline = time.perf_counter() + self.part_budget

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        result = item.stash.get(_RESULT_KEY, None)
        if result is None or report.when == "teardown":
            return
        if report.failed:
            result.passed = False
            result.message = (_feedback_for(call.excinfo, self.internal_errors, item.nodeid)
                              if call.excinfo else INTERNAL_ERROR)
        elif report.when == "call" and report.passed:
            notes = take_notes()
            result.passed, result.message = True, " ".join(notes) or PASSED
            result.rechecked_with = tuple(sorted(self.proxy.trusted_used))


_RESULT_KEY = pytest.StashKey()


def _empty_if_large(path, limit=STUDENT_OUTPUT_KEPT):
    """The worker's stderr (the student's prints) is a file with a size limit: once a flood
    fills it, every later print fails. Emptying it before each test keeps a flood to the
    tests that made it; the worker appends, so it goes on writing from the start."""
    try:
        if os.path.getsize(path) > limit:
            os.truncate(path, 0)
    except OSError:
        pass


def run_checks(proxy, assignment, parts=None, checks_root=CHECKS_ROOT,
               part_budget=PART_BUDGET_SECONDS, node_ids=None):
    """Run the assignment's checks: all, some grade parts, or some tests ("path::name")."""
    files = part_files(assignment, checks_root)
    selected = list(node_ids) if node_ids else [str(files[p]) for p in (parts or files)]
    plugin = GradingPlugin(proxy, part_budget)
    # Plugins that cost time for nothing here: no terminal, no cache, and no gc passes
    # after every run hunting unraisable exceptions (a second per notebook).
    args = selected + ["-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:xdist",
                       "-p", "no:randomly", "-p", "no:unraisableexception",
                       "-p", "no:threadexception", "--import-mode=importlib", "--rootdir",
                       str(checks_root), "-c", str(CHECKS_ROOT / "pytest.ini"), "-s"]
    captured = io.StringIO()
    with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
        code = pytest.main(args, plugins=[plugin])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"hidden checks for {assignment} could not run "
                           f"(pytest exit {int(code)}):\n{captured.getvalue()[-3000:]}")
    for grade_id in () if node_ids else files if parts is None else parts:
        plugin.parts.setdefault(grade_id, PartResult(grade_id))
    for message in plugin.internal_errors:
        print(f"[grader] internal error in a hidden check: {message}", file=sys.stderr)
    return plugin.parts, plugin.internal_errors


def to_json(assignment, parts, notes=(), restarts=0):
    result = {"assignment": assignment,
              "score": sum(p.score for p in parts.values()),
              "max_score": sum(p.max_score for p in parts.values()),
              "parts": {}}
    for grade_id, part in sorted(parts.items()):
        result["parts"][grade_id] = {
            "score": part.score, "max_score": part.max_score,
            "tests": [_test_json(t) for t in part.tests]}
    if notes:
        result["notes"] = list(notes)
    result["worker_restarts"] = restarts
    return result


def _test_json(test):
    entry = {"name": test.name, "passed": test.passed, "message": test.message,
             "points": test.points}
    if test.rechecked_with:
        entry["rechecked_with"] = list(test.rechecked_with)
    return entry
