"""Grade one notebook: run the hidden pytest checks against a student worker.

The grade parts of an assignment are the files ``grader/checks/<A>/test_*.py``
(grade_id = file stem). Each test earns its ``@points`` when it passes. The
failure message kept for feedback is the ``CheckFailed`` text or the
``StudentFault`` feedback; any other exception in a check is an internal
error, logged for the TA and shown to the student only as a generic sentence.
"""

import contextlib
import io
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader import charging, sandbox
from grader.checking import CheckFailed
from grader.errors import StudentFault, StudentTimeout, WorkerCrashed
from grader.extract import Extraction, read_submission
from grader.nbgrader_setup import NOTEBOOKS_DIR, solution_notebooks
from grader.student import StudentProxy
from grader.submitted_files import SubmittedFiles

CHECKS_ROOT = Path(__file__).resolve().parent / "checks"
PART_BUDGET_SECONDS = 300.0  # student time allowed per grade part (all its tests)
STUDENT_OUTPUT_KEPT = 1 << 20   # bytes of a worker's stderr kept between two tests
MAX_FATAL_UNITS = 3  # statements that kill the worker while loading, left out one by one
INTERNAL_ERROR = "This check could not run because of a problem in the grader; your TA has been told."


@dataclass
class TestResult:
    name: str
    passed: bool
    message: str
    points: float
    node: str = ""                 # "path::test_function", to run this test again
    rechecked_with: tuple = ()     # trusted callees that made it pass (grader.charging)


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


def checks_dir(assignment, checks_root=CHECKS_ROOT):
    path = Path(checks_root) / assignment
    if not path.is_dir():
        known = ", ".join(sorted(p.name for p in Path(checks_root).iterdir()
                                 if p.is_dir() and not p.name.startswith((".", "_"))))
        raise ValueError(f"no hidden checks for assignment {assignment!r} (known: {known})")
    return path


def part_files(assignment, checks_root=CHECKS_ROOT):
    """grade_id -> check file, for every grade part of the assignment."""
    return {p.stem: p for p in sorted(checks_dir(assignment, checks_root).glob("test_*.py"))}


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
        """The checkpoints handed in beside the notebook (grader.submitted_files)."""
        return getattr(self.proxy, "submitted_files", None) or SubmittedFiles(None)

    def pytest_configure(self, config):
        # Failure messages come from our own exceptions; pytest's long tracebacks (which
        # parse the check files' source for every failed test) are never shown, only slow.
        config.option.tbstyle = "native"

    def pytest_collection_modifyitems(self, items):
        for item in items:
            part = self.parts.setdefault(Path(item.fspath).stem, PartResult(Path(item.fspath).stem))
            doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
            part.tests.append(TestResult(doc, False, "not run", _test_points(item),
                                         node=f"{item.path}::{item.name}"))
            item.stash[_RESULT_KEY] = part.tests[-1]

    def pytest_runtest_setup(self, item):
        self.proxy.trusted_used = set()
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
            result.passed, result.message = True, "passed"
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


def released_notebook(assignment):
    """The released (student) version of the assignment's notebook, or None if unknown."""
    try:
        stem = solution_notebooks(assignment)[0].stem
    except (ValueError, IndexError):
        return None
    return NOTEBOOKS_DIR / assignment / f"{stem}.ipynb"


def grade_notebook(path, assignment, launcher=None, checks_root=CHECKS_ROOT,
                   require_sandbox=False, fork_server=True):
    """Grade one notebook file; returns the JSON-ready result dict. Without a ``launcher``
    the worker runs in the bubblewrap sandbox, or - where bwrap cannot run - in a plain
    subprocess with a loud warning in the result (an error with ``require_sandbox``)."""
    started = time.perf_counter()
    warning = None
    if launcher is None:
        launcher, warning = sandbox.launcher(require=require_sandbox, fork_server=fork_server)
    extraction, notes = read_submission(path, released_notebook(assignment))
    notes += [message for _, message in extraction.problems]
    with loaded_student(extraction, launcher, notes) as proxy:
        proxy.submitted_files = SubmittedFiles(Path(path).parent)
        parts, internal_errors = run_checks(proxy, assignment, checks_root=checks_root)
        charging.recheck_failed_parts(proxy, assignment, parts, internal_errors, checks_root)
        restarts, timing = proxy.restarts, dict(proxy.timing)
    result = to_json(assignment, parts, notes, restarts)
    result["internal_errors"] = internal_errors  # for TAs; never put in student feedback
    result["sandbox"] = {"active": bool(getattr(launcher, "sandboxed", False)),
                         "warning": warning}
    timing["grading_total"] = time.perf_counter() - started
    result["timing"] = {k: round(v, 3) for k, v in timing.items()}
    return result


def _loads(units, launcher):
    """Does a worker survive loading these units? (one worker start)"""
    with StudentProxy(Extraction(units, []), launcher=launcher) as proxy:
        try:
            proxy.has("")
        except WorkerCrashed:
            return False
    return True


def _first_fatal_unit(units, launcher):
    """Index of the first unit that kills the worker while loading, found by halving
    (known: loading all of them fails; assumed: loading none of them works)."""
    fine, fatal = 0, len(units)
    while fatal - fine > 1:
        middle = (fine + fatal) // 2
        if _loads(units[:middle], launcher):
            fine = middle
        else:
            fatal = middle
    return fatal - 1


def _without_fatal_unit(extraction, launcher, notes):
    units = extraction.units
    index = _first_fatal_unit(units, launcher)
    unit = units[index]
    lost = (f"{_listed_names(unit.names)} could not be defined" if unit.names
            else "nothing in it can be used")
    notes.append(f"Running cell {unit.cell} (line {unit.line}) stopped the Python process that "
                 f"runs your code while the notebook was being loaded, so it was left out: "
                 f"{lost}.")
    return Extraction(units[:index] + units[index + 1:], extraction.problems)


def loaded_student(extraction, launcher, notes, max_fatal=MAX_FATAL_UNITS):
    """A StudentProxy whose worker has loaded the notebook. A statement that ends the
    worker while loading (``os._exit`` in a constant, a class body that kills its own
    process) would otherwise fail every check of the notebook: it is found, left out and
    named in ``notes``, so it costs only the names it defines."""
    for attempt in range(max_fatal + 1):
        proxy = StudentProxy(extraction, launcher=launcher)
        try:
            proxy.has("")
            return proxy
        except StudentTimeout:
            # Loading hangs: halving would cost a load timeout per step; every check
            # reports the timeout instead.
            return proxy
        except WorkerCrashed:
            proxy.close()
        if attempt == max_fatal or not extraction.units:
            break
        extraction = _without_fatal_unit(extraction, launcher, notes)
    notes.append("Loading your notebook kept stopping the Python process that runs your "
                 "code, so none of its definitions could be used.")
    return StudentProxy(Extraction([], extraction.problems), launcher=launcher)


def _listed_names(names):
    return ", ".join(f"`{name}`" for name in names)


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
