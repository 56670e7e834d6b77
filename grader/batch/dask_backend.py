"""Grade a batch on Dask distributed: ``autograde ... --scheduler tcp://HOST:PORT``.

A task carries the submission's bytes and the assignment name (a grading machine need not
see the class's disk; it needs the course checkout, like a TA's machine), grades them there
with the same unit as a local run, and returns the result with the fingerprint of the
grader that produced it. The client, this process, stays the only writer of results and
gradebook. A task that raises is retried (``RETRIES``); a worker that dies mid-task is
handled by the scheduler (``distributed.scheduler.allowed-failures``, default 3). A
submission that still fails gets the zero result with the reason for the TA; one the
cluster lost (cancelled, scheduler gone) or graded with another grader version is left
ungraded, to be graded by the next run.
"""

import re
import socket
import threading
import uuid

from grader.batch.local import Outcome
from grader.batch.slot import make_unit
from grader.batch.submissions import grader_fingerprint
from grader.batch.unit import GradingUnavailable, grade_files, zero_result

RETRIES = 2
CONNECT_TIMEOUT = "10s"
IN_FLIGHT_PER_THREAD = 2       # tasks queued per worker thread: bounds the bytes in memory
_ADDRESS = re.compile(r"(tcp|tls)://(\[[0-9A-Fa-f:]+\]|[^\s/:\[\]]+):\d+")   # [IPv6] too
_units = threading.local()


class SchedulerUnavailable(RuntimeError):
    """The scheduler address is malformed or nothing answers there."""


def check_address(address):
    if not _ADDRESS.fullmatch(address):
        raise SchedulerUnavailable(f"bad scheduler address {address!r}: expected "
                                   "tcp://HOST:PORT (or tls://HOST:PORT)")


def connect(address):
    """A Dask client for ``address``, or SchedulerUnavailable saying what is wrong."""
    check_address(address)
    try:
        from distributed import Client
    except ImportError:
        raise SchedulerUnavailable("--scheduler needs Dask distributed: "
                                   "pip install 'cnn-course[distributed]'") from None
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler at {address}: "
                                   f"{error}") from None


def grade_payload(payload):
    """Runs on a Dask worker: grade {file name: bytes} in a private temporary folder."""
    slot = "strict" if payload["require_sandbox"] else "lenient"
    unit = getattr(_units, slot, None)
    if unit is None:   # one unit per worker thread, as one per job slot locally
        unit = make_unit(require_sandbox=payload["require_sandbox"])
        setattr(_units, slot, unit)
    result = grade_files(unit, payload["files"], payload["notebook"], payload["assignment"])
    # not cached here: a long-lived worker must report the grader it has now
    fingerprint = grader_fingerprint.__wrapped__(payload["assignment"])
    return {"result": result, "fingerprint": fingerprint, "worker": _worker_address()}


def _worker_address():
    from distributed import get_worker
    try:
        return get_worker().address
    except ValueError:   # called outside a Dask worker
        return socket.gethostname()


def _payload(submission, require_sandbox):
    return {"files": submission.file_bytes(), "notebook": submission.path.name,
            "assignment": submission.assignment, "require_sandbox": require_sandbox}


def _outcome(future, submission):
    """What became of one task."""
    try:
        answer = future.result()
    except GradingUnavailable as error:
        return Outcome(submission, not_graded=f"on a Dask worker: {error}")
    except Exception as error:
        if future.status != "error":       # lost by the cluster, not failed by grading
            return Outcome(submission, not_graded=f"the Dask cluster lost the task ({error!r})")
        reason = f"the Dask task failed (retried): {type(error).__name__}: {error}"
        return Outcome(submission, zero_result(submission.assignment, reason), "dask")
    if answer["fingerprint"] != grader_fingerprint(submission.assignment):
        return Outcome(submission, not_graded=f"the Dask worker {answer['worker']} has another "
                                              "version of the grader: update its checkout")
    return Outcome(submission, answer["result"], f"dask:{answer['worker']}")


class DaskBackend:
    """Grades on the cluster at ``address`` (connected at once: a bad address fails before
    any work), a bounded number of tasks in flight."""

    def __init__(self, address, require_sandbox=False):
        self.client = connect(address)
        self.require_sandbox = require_sandbox
        self.owners = {}

    def _submit_next(self, waiting, running):
        """Submit the next readable submission; the unreadable ones become Outcomes."""
        unreadable = []
        for submission in waiting:
            try:
                payload = _payload(submission, self.require_sandbox)
            except OSError as error:   # changed on disk since it was discovered
                unreadable.append(Outcome(submission, not_graded=f"unreadable: {error}"))
                continue
            future = self.client.submit(grade_payload, payload, pure=False, retries=RETRIES,
                                        key=f"grade-{submission.student}-{uuid.uuid4().hex}")
            self.owners[future.key] = submission
            running.add(future)
            break
        return unreadable

    def start(self, todo):
        """Start grading now; returns the Outcomes, in the order they finish."""
        from distributed import as_completed
        waiting, running = iter(todo), as_completed(loop=self.client.loop)
        threads = max(1, sum(self.client.nthreads().values()))
        unreadable = []
        for _ in range(IN_FLIGHT_PER_THREAD * threads):
            unreadable += self._submit_next(waiting, running)
        return self._outcomes(waiting, running, unreadable)

    def _outcomes(self, waiting, running, unreadable):
        yield from unreadable
        for future in running:
            yield _outcome(future, self.owners.pop(future.key))
            future.release()
            yield from self._submit_next(waiting, running)

    def close(self):
        self.client.close()
