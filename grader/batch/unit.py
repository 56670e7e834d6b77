"""The unit of work of a class batch: grade one submission, get its result dict.

The batch's unit is a long-lived grading process per job slot (``grader.batch.slot``,
made by ``grader.batch.slot.make_unit``); any other unit only has to offer the same
interface:

    unit.warm_up()     start what can be started before the first notebook arrives
    unit.grade(notebook_path, assignment) -> result dict   (see docs/ARCHITECTURE.md)
    unit.close()

``grade`` never raises because of the submission: a notebook that cannot be graded gets
``zero_result`` with the reason for the TA. It raises ``GradingUnavailable`` when this
machine cannot grade anything (the sandbox is required but missing): the submission then
stays ungraded rather than scored. A backend makes one unit per job slot and uses it from
one thread at a time.
"""

import ctypes
import functools
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path, PurePath

from grader.course.layout import REPO_ROOT
from grader.course.points import part_points

NOTEBOOK_TIMEOUT = 900        # seconds for one whole notebook (its parts have their own)
SANDBOX_REFUSED = "--require-sandbox"   # how grade-notebook starts its refusal line
COULD_NOT_GRADE = "This notebook could not be graded automatically; your TA will look at it."


class GradingUnavailable(RuntimeError):
    """This machine cannot grade at all; nothing is recorded for the submission."""


_MAXIMA_LOCK = threading.Lock()


def grading_environment():
    """The environment of a grading process. One thread per math library: the job slots
    are the parallelism, and a process whose thread pool waits at a barrier for a core
    that another slot's worker holds runs several times slower (measured: the trusted
    side of a notebook went from 0.5 s to 3-5 s with --jobs 2 on 2 cores)."""
    return dict(os.environ, PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS="1",
                MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


@functools.lru_cache(maxsize=None)
def _maxima(assignment):
    return part_points(assignment)


def part_maxima(assignment):
    """grade_id -> points, read once per process. Call it in the main thread before
    starting grading threads: reading the points parses the checks, and CPython 3.11's
    ast.parse is not thread-safe (SystemError "AST constructor recursion depth mismatch")."""
    with _MAXIMA_LOCK:
        return dict(_maxima(assignment))


def zero_result(assignment, reason):
    """Every part scores 0, but the maximum still counts (the student is not let off)."""
    maxima = part_maxima(assignment)
    parts = {g: {"score": 0, "max_score": m, "tests": []} for g, m in maxima.items()}
    return {"assignment": assignment, "score": 0, "max_score": sum(maxima.values()),
            "parts": parts, "notes": [COULD_NOT_GRADE], "internal_errors": [reason]}


def die_with_parent_hook():
    """A pre-exec hook asking Linux to SIGKILL the child when its parent dies, so a killed
    batch leaves no grading processes behind; None where prctl is not available."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    set_parent_death_signal = 1
    # Looked up before forking: the hook itself must do as little as possible.
    return lambda: prctl(set_parent_death_signal, signal.SIGKILL, 0, 0, 0)


def grade_files(unit, files, notebook_name, assignment):
    """Grade a submission given as {file name: bytes} (a machine without the class's
    disk): the files are written to a private temporary folder that is removed after."""
    for name in [notebook_name, *files]:
        if PurePath(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"unsafe file name in a submission: {name!r}")
    # A submission without its notebook is graded all the same (0 everywhere, with the note
    # saying so), as on the machine that has the class's disk.
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as folder:
        for name, data in files.items():
            (Path(folder) / name).write_bytes(data)
        return unit.grade(Path(folder) / notebook_name, assignment)
