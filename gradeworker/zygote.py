"""A pre-imported worker that forks one worker per notebook, inside the sandbox.

Importing torch takes one to two seconds; paid once per job slot instead of once per
notebook. Run as ``python -m gradeworker.zygote`` with a Unix stream socket to the trusted
side on the fd named by ``GRADEWORKER_CONTROL_FD``. Requests are JSON objects, one per ``sendmsg``:

- ``{"op": "fork"}`` with three file descriptors attached (the new worker's stdin, stdout and
  stderr): first every process left by the previous worker is killed and its files are
  removed, then a child starts ``gradeworker.worker.serve`` on those descriptors in a fresh
  directory. Reply ``{"pid": <pid inside the sandbox>}``.
- ``{"op": "kill", "pid": p}`` kills the child's process group;
  ``{"op": "wait", "pid": p, "timeout": s}`` replies ``{"returncode": code or None}``.

The zygote runs the student's code only in its children; it stays out of their way with
``PR_SET_DUMPABLE`` 0 (a child of the same uid cannot ptrace it). A child that kills the
zygote ends the slot's sandbox; the trusted side then starts a new one.
"""

import ctypes
import importlib
import json
import os
import shutil
import signal
import socket
import sys
import time

from gradeworker import tripwires
from gradeworker.worker import drop_privileges, serve

PR_SET_DUMPABLE = 4
JOBS_ROOT = "jobs"


# What the course's notebooks import (a module missing here is simply imported later).
PRELOAD = ("numpy", "torch", "torch.nn.functional", "torch.utils.flop_counter",
           "matplotlib.pyplot", "source_lib.self_check", "source_lib.config",
           "source_lib.plotting", "source_lib.images", "source_lib.architectures",
           "source_lib.reproducibility", "source_lib.training.loops", "source_lib.data",
           "source_lib.widgets.sliding_kernel")


def _preload():
    """Imports every worker needs, done once before any fork (no threads started yet)."""
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:   # noqa: BLE001 - an optional module; the worker reports it later
            pass
    sys.modules["torch"].set_num_threads(1)
    tripwires.install()


def _living():
    """Pids of this sandbox's PID namespace still running, other than pid 1 and us."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in (1, os.getpid()):
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    if stat.read().rsplit(b")", 1)[1].split()[0] != b"Z":
                        pids.append(int(entry))
            except (OSError, IndexError):
                pass    # gone meanwhile
    return pids


def _kill_leftovers(patience=2.0):
    """SIGKILL every other process of the sandbox until none is left, and reap our own
    children. kill(-1) reaches every process we may signal in this PID namespace except
    ourselves and init, in one step, so a fork-and-exit chain cannot slip through."""
    deadline = time.monotonic() + patience
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG) == (0, 0):
                    break
            except ChildProcessError:
                break
        if not _living() or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def _fresh_directories(job):
    """Remove what earlier workers left in scratch and /tmp; return a new job directory."""
    for root in ("/tmp", JOBS_ROOT):
        if os.path.isdir(root):
            for name in os.listdir(root):
                path = os.path.join(root, name)
                shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) and \
                    not os.path.islink(path) else _unlink(path)
    path = os.path.join(os.getcwd(), JOBS_ROOT, str(job))
    os.makedirs(path)
    return path


def _unlink(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _fork_worker(fds, job, control):
    _kill_leftovers()
    directory = _fresh_directories(job)
    pid = os.fork()
    if pid:
        for fd in fds:       # the child's ends: a worker's exit must close its pipes
            os.close(fd)
        return pid
    try:                                   # the child: a worker for one notebook
        control.close()
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(directory)
        os.environ["HOME"] = os.environ["TMPDIR"] = directory
        code = serve()
    except BaseException:   # noqa: BLE001 - nothing may return into the zygote's loop
        code = 70
    os._exit(code if isinstance(code, int) else 0)


def _wait(pid, timeout):
    deadline = time.monotonic() + max(float(timeout), 0.0)
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -1
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def _handle(request, fds, job, control):
    op = request.get("op")
    if op == "fork" and len(fds) == 3:
        return {"pid": _fork_worker(fds, job, control)}
    for fd in fds:
        os.close(fd)
    if op == "kill":
        try:
            os.killpg(int(request["pid"]), signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        return {"returncode": _wait(int(request["pid"]), 5)}
    if op == "wait":
        return {"returncode": _wait(int(request["pid"]), request.get("timeout", 0))}
    return {"error": f"unknown request {op!r}"}


def main():
    drop_privileges()
    ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    _preload()
    control = socket.socket(fileno=int(os.environ.pop("GRADEWORKER_CONTROL_FD")))
    os.makedirs(JOBS_ROOT, exist_ok=True)
    job = 0
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 4096, 3)
        except (ConnectionError, OSError):
            return 0
        if not message:
            return 0
        request = json.loads(message) if message.startswith(b"{") else {}
        job += request.get("op") == "fork"
        try:
            reply = _handle(request, fds, job, control)
        except (ValueError, KeyError, TypeError, OSError) as error:
            reply = {"error": f"{type(error).__name__}: {error}"}
        control.sendall(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    sys.exit(main())
