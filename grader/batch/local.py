"""Grading a batch: N submissions at once on this machine, one writer for everything.

Grading happens in worker threads (each drives its own grading unit, see
``grader.batch.unit``) or on a Dask cluster (``grader.batch.dask_backend``): a backend's
``start(todo)`` begins at once and yields an ``Outcome`` per submission as it finishes.
Every outcome comes back to the main process, whose ``Recorder`` stores it (atomically,
one file per submission) and then writes it to the gradebook (one transaction). So a
grader killed at any moment loses at most the submissions being graded, and the next run
picks up there.
"""

import errno
import fcntl
import os
import queue
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from grader.batch.slot import make_unit
from grader.batch.unit import COULD_NOT_GRADE, GradingUnavailable, part_maxima, zero_result

LOCK_NAME = ".autograde.lock"


class BatchBusy(RuntimeError):
    """Another autograde run is writing to the same output folder."""


@contextmanager
def batch_lock(output_dir):
    """Hold the output folder for this run; the kernel frees the lock if the run is killed."""
    path = Path(output_dir) / LOCK_NAME
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise BatchBusy(f"another autograde run is writing to {output_dir}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")   # for a TA wondering who holds it
        handle.flush()
        yield
    finally:
        handle.close()


@dataclass
class Outcome:
    """What a backend made of one submission: a result, or why it could not grade it."""
    submission: object
    result: dict = None
    graded_by: str = ""
    not_graded: str = ""        # the reason, when ``result`` is None


def _well_formed(result, assignment):
    """A result the recorder can use, or the zero result saying why it could not."""
    parts = result.get("parts") if isinstance(result, dict) else None
    if not isinstance(parts, dict) or not all(
            isinstance(p, dict) and isinstance(p.get("score"), (int, float))
            for p in parts.values()):
        return zero_result(assignment, f"the grader returned a malformed result: {result!r:.300}")
    return result


class Recorder:
    """The single writer of a batch: results are stored, then written to the gradebook."""

    def __init__(self, store, writer, total, skipped, progress=True):
        self.store, self.writer = store, writer
        self.records = {}           # (student, assignment) -> stored record, this run
        self.ungraded = []          # (submission, reason): nothing stored for these
        self.bar = tqdm(total=total, desc="grading", unit="nb", file=sys.stderr,
                        disable=not progress or not total,
                        postfix={"graded": 0, "skipped": skipped})
        self.skipped = skipped

    def take(self, outcome):
        submission = outcome.submission
        if outcome.result is None:
            self.ungraded.append((submission, outcome.not_graded))
            print(f"\nnot graded: {submission.student}/{submission.assignment}: "
                  f"{outcome.not_graded}", file=sys.stderr)
        else:
            result = _well_formed(outcome.result, submission.assignment)
            failed = COULD_NOT_GRADE in result.get("notes", ())
            record = self.store.save(submission, result, outcome.graded_by, failed=failed)
            self.writer.record(submission.student, submission.assignment,
                               submission.notebook_id, result)
            self.records[submission.student, submission.assignment] = record
        self.bar.set_postfix(graded=len(self.records), skipped=self.skipped, refresh=False)
        self.bar.update(1)

    def close(self):
        self.bar.close()


def _grade_with_a_slot(units, submission):
    unit = units.get()
    try:
        return unit.grade(submission.path, submission.assignment)
    finally:
        units.put(unit)


def _local_outcome(submission, future):
    try:
        return Outcome(submission, future.result(), "local")
    except GradingUnavailable as error:
        return Outcome(submission, not_graded=str(error))
    except Exception as error:  # a bug in a unit costs this submission only
        reason = f"grading crashed: {type(error).__name__}: {error}"
        return Outcome(submission, zero_result(submission.assignment, reason), "local")


class LocalBackend:
    """Grades ``jobs`` submissions at once on this machine, one unit per job slot."""

    def __init__(self, jobs, require_sandbox=False):
        self.units = queue.Queue()
        for _ in range(jobs):
            unit = make_unit(require_sandbox=require_sandbox)
            unit.warm_up()
            self.units.put(unit)
        self.pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grading-slot")

    def start(self, todo):
        """Start grading now; returns the Outcomes, in the order they finish."""
        for assignment in {s.assignment for s in todo}:
            part_maxima(assignment)   # read here, not in the grading threads
        futures = {self.pool.submit(_grade_with_a_slot, self.units, s): s for s in todo}
        return (_local_outcome(futures[f], f) for f in as_completed(futures))

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)
        while not self.units.empty():
            self.units.get().close()
