"""Trusted-side proxy to the student's code running in a worker process.

``StudentProxy.call`` sends arguments to the worker, waits with a timeout, and
turns every outcome into a value or a ``grader.errors.StudentFault``. A worker
that hangs or dies is killed and replaced (definitions are re-loaded), so one
broken exercise costs only its own checks.
"""

import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from grader.errors import (BadReturnValue, ForbiddenOperation, MissingDefinition, StudentCodeError,
                           StudentTimeout, WorkerCrashed)
from grader.checking import source_scan
from grader.grading import trusted_calls
from grader.sandbox.plain import WorkerLauncher
from gradeworker import protocol

LOAD_TIMEOUT = 120.0
DEFAULT_CALL_TIMEOUT = 10.0


class _Timeout(Exception):
    pass


def _exit_in_words(code, error):
    if code is None:
        return f"it stopped answering ({type(error).__name__})"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = {"SIGKILL": "killed: out of memory, or killed on purpose",
               "SIGXCPU": "its CPU time limit was reached",
               "SIGXFSZ": "it wrote a file (or output) larger than allowed",
               "SIGSEGV": "a segmentation fault"}.get(name, "killed by a signal")
        return f"{why} ({name})"
    return f"exit code {code}"


class StudentProxy:
    def __init__(self, extraction, launcher=None, default_timeout=DEFAULT_CALL_TIMEOUT):
        self.extraction = extraction
        self.launcher = launcher or WorkerLauncher()
        self.default_timeout = default_timeout
        self.process = None
        self.defined, self.failed = set(), {}
        self.sources = {}
        for unit in extraction.units:
            for name in unit.names:
                self.sources[name] = unit.source
        self._scratch = tempfile.TemporaryDirectory(prefix="grader-worker-")
        self.stderr_path = Path(self._scratch.name) / "worker-stderr.txt"
        self.restarts = 0
        self._sequence = 0
        # Seconds spent starting workers / waiting on the student's code (for benchmarks).
        self.timing = {"worker_launch": 0.0, "student_code": 0.0}
        # Set per grade part by the harness, so many slow-but-finishing calls
        # cannot hold up the rest of the notebook either.
        self.part_deadline = None
        # Re-checks (grader.grading.charging): graded names answered by trusted code in this
        # process instead of the student's versions, and which of them were used.
        self.trusted = {}
        self.trusted_used = set()
        self.load_hung = False

    # -- process management -------------------------------------------------
    def _ensure_started(self):
        if self.process is not None and self.process.poll() is None:
            return
        if self.load_hung:
            # it would hang again: every later call would cost the whole load timeout
            raise StudentTimeout("loading your notebook", LOAD_TIMEOUT)
        started = time.perf_counter()
        work = Path(self._scratch.name) / "cwd"
        work.mkdir(exist_ok=True)
        with open(self.stderr_path, "ab") as stderr_file:
            self.process = self.launcher.start(str(work), stderr_file)
        units = [u.to_message() for u in self.extraction.units]
        try:
            reply = self._exchange({"op": "load", "units": units}, LOAD_TIMEOUT,
                                   "loading your notebook")
        except StudentTimeout:
            self.load_hung = True
            raise
        self.defined = set(reply.get("defined", []))
        self.failed = dict(reply.get("failed", {}))
        self.timing["worker_launch"] += time.perf_counter() - started

    def _kill(self, unexpected=True):
        if self.process is None:
            return
        self.restarts += int(unexpected)
        self.launcher.kill(self.process)
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()
        self.process = None

    def close(self):
        if self.process is not None and self.process.poll() is None:
            try:
                protocol.write_message(self.process.stdin, {"op": "shutdown"})
                self.process.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._kill(unexpected=False)
        self._scratch.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _exchange(self, message, timeout, what):
        deadline = time.perf_counter() + timeout
        self._sequence += 1
        message = dict(message, seq=self._sequence)
        try:
            protocol.write_message(self.process.stdin, message)
            while True:
                reply = self._next_frame(deadline)
                if "callback" in reply:
                    protocol.write_message(self.process.stdin,
                                           trusted_calls.answer(self.trusted, reply))
                elif reply.get("seq") != self._sequence:
                    # a frame the student's code wrote into the pipe: trust nothing after it
                    raise protocol.ProtocolError("a reply out of sequence")
                else:
                    return reply
        except _Timeout:
            self._kill()
            raise StudentTimeout(what, timeout) from None
        except (EOFError, BrokenPipeError, OSError, protocol.ProtocolError) as error:
            try:
                code = self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                code = None
            self._kill()
            raise WorkerCrashed(f"while {what}: {_exit_in_words(code, error)}") from None

    def _next_frame(self, deadline):
        """The worker's next frame; notices a dead worker even when a process it left
        behind still holds the pipe open."""
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise _Timeout()
            ready, _, _ = select.select([self.process.stdout], [], [], min(remaining, 1.0))
            if ready:
                return protocol.read_message(self.process.stdout, protocol.MAX_REPLY_BYTES)
            if self.process.poll() is not None:
                raise EOFError("the worker has exited")

    # -- the API used by hidden checks ---------------------------------------
    def has(self, name):
        self._ensure_started()
        return name in self.defined

    def source_of(self, name):
        return self.sources.get(name)

    def _missing(self, name):
        reason = self.failed.get(name)
        if reason is None and self.extraction.problems:
            reason = "; ".join(message for _, message in self.extraction.problems)
        return MissingDefinition(name, reason)

    def call(self, name, *args, forbid=(), timeout=None, **kwargs):
        """Call the student's ``name`` with these arguments in the worker."""
        if forbid:
            used = source_scan.forbidden_in_source(self.sources.get(name), forbid,
                                                     own_names=set(self.sources))
            if used:
                raise ForbiddenOperation(name, used)
        self._ensure_started()
        if name not in self.defined:
            raise self._missing(name)
        message = {"op": "call", "name": name, "args": protocol.encode(list(args)),
                   "kwargs": protocol.encode(kwargs), "forbid": list(forbid),
                   "trusted": sorted(self.trusted)}
        return self._handle_reply(name, self._request(message, name, timeout))

    def tool(self, tool_name, *args, timeout=None, **kwargs):
        """Run a helper from gradeworker.tools on the student's definitions."""
        self._ensure_started()
        message = {"op": "tool", "tool": tool_name, "args": protocol.encode(list(args)),
                   "kwargs": protocol.encode(kwargs), "trusted": sorted(self.trusted)}
        return self._handle_reply(tool_name, self._request(message, tool_name, timeout))

    def _request(self, message, name, timeout):
        seconds = self.default_timeout if timeout is None else timeout
        started = time.perf_counter()
        if self.part_deadline is not None:
            remaining = self.part_deadline - started
            if remaining <= 0:
                raise StudentTimeout(name, 0, budget_exhausted=True)
            seconds = min(seconds, remaining)
        try:
            return self._exchange(message, seconds, f"running {name}")
        except StudentTimeout:
            raise StudentTimeout(name, seconds) from None
        finally:
            self.timing["student_code"] += time.perf_counter() - started

    def _handle_reply(self, name, reply):
        self.trusted_used.update(n for n in reply.get("trusted_used", []) if n in self.trusted)
        if reply.get("forbidden"):
            raise ForbiddenOperation(name, reply["forbidden"])
        if reply.get("missing"):
            raise self._missing(reply["missing"])
        if reply.get("bad_return"):
            raise BadReturnValue(name, f"a value the grader cannot read ({reply['bad_return']})")
        error = reply.get("error")
        if error:
            message = error.get("message", "")
            if error.get("where"):
                message = f"{message} ({error['where']})"
            raise StudentCodeError(name, error.get("type", "Exception"), message)
        try:
            return protocol.decode(reply.get("value"), tensors=False)
        except protocol.ProtocolError as problem:
            raise BadReturnValue(name, f"malformed data ({problem})") from None
