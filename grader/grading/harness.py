"""Grade one notebook: read it, load the student's definitions into a sandboxed worker,
run the hidden checks (``grader.grading.check_run``), and charge each mistake once
(``grader.grading.charging``). The result is a JSON-ready dict (docs/ARCHITECTURE.md)."""

import time
from pathlib import Path

from grader.checking.submitted_files import SubmittedFiles
from grader.course.layout import CHECKS_ROOT, released_notebook
from grader.errors import StudentTimeout, WorkerCrashed
from grader.grading import charging
from grader.grading.check_run import run_checks, to_json
from grader.grading.definitions import Extraction
from grader.grading.student import StudentProxy
from grader.grading.submission import read_submission
from grader.sandbox.launch import launcher as sandbox_launcher

MAX_FATAL_UNITS = 3  # statements that kill the worker while loading, left out one by one


def grade_notebook(path, assignment, launcher=None, checks_root=CHECKS_ROOT,
                   require_sandbox=False, fork_server=True):
    """Grade one notebook file; returns the JSON-ready result dict. Without a ``launcher``
    the worker runs in the bubblewrap sandbox, or - where bwrap cannot run - in a plain
    subprocess with a loud warning in the result (an error with ``require_sandbox``)."""
    started = time.perf_counter()
    warning = None
    if launcher is None:
        launcher, warning = sandbox_launcher(require=require_sandbox, fork_server=fork_server)
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
