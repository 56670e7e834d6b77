"""Trusted side of the sandboxed fork server (``gradeworker.zygote``).

One ``ZygoteLauncher`` per grading process (a job slot): it starts the zygote inside
bubblewrap once and then gets each notebook's worker by a fork, with fresh pipes passed
over a Unix socket. Worker pids live in the sandbox's PID namespace, so they are never
signalled from here: kills and waits go through the zygote. If the zygote dies (a hostile
worker can kill it), the next worker starts a new one.
"""

import json
import os
import signal
import socket
import subprocess
import tempfile
from pathlib import Path

from grader.sandbox.bubblewrap import BubblewrapLauncher

CONTROL_TIMEOUT = 60.0     # seconds; the first fork waits for the zygote's imports


class ZygoteDied(OSError):
    """The fork server is gone; its sandbox (and every worker in it) went with it."""


class ForkedWorker:
    """What ``StudentProxy`` needs of a worker process, for a forked one."""

    def __init__(self, launcher, pid, stdin, stdout):
        self.launcher, self.pid, self.stdin, self.stdout = launcher, pid, stdin, stdout
        self.returncode = None

    def poll(self):
        try:
            return self.wait(0)
        except subprocess.TimeoutExpired:
            return None

    def wait(self, timeout=None):
        if self.returncode is None:
            seconds = CONTROL_TIMEOUT if timeout is None else timeout
            try:
                code = self.launcher.request({"op": "wait", "pid": self.pid,
                                              "timeout": seconds}, seconds + 5)["returncode"]
            except ZygoteDied:
                code = -signal.SIGKILL              # the whole sandbox is gone
            if code is None and timeout is not None:
                raise subprocess.TimeoutExpired("worker", timeout)
            self.returncode = code
        return self.returncode


class ZygoteLauncher(BubblewrapLauncher):
    def __init__(self):
        super().__init__()
        self._slot = tempfile.TemporaryDirectory(prefix="grader-slot-")
        self.zygote, self.control, self.replies = None, None, None

    def _start_zygote(self):
        scratch = Path(self._slot.name) / "scratch"
        scratch.mkdir(exist_ok=True)
        ours, theirs = socket.socketpair()
        command = self.command(str(scratch), module="gradeworker.zygote",
                               extra_env={"GRADEWORKER_CONTROL_FD": str(theirs.fileno())})
        if self.as_root:
            os.chown(scratch, self.uid, self.uid)
        with open(Path(self._slot.name) / "zygote-stderr.txt", "ab") as stderr:
            self.zygote = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                           stdout=stderr, stderr=stderr, cwd=str(scratch),
                                           preexec_fn=self.limits, env={},
                                           start_new_session=True, pass_fds=(theirs.fileno(),))
        theirs.close()
        ours.settimeout(CONTROL_TIMEOUT)
        self.control, self.replies = ours, ours.makefile("rb")

    def request(self, message, timeout=CONTROL_TIMEOUT, fds=()):
        if self.zygote is None or self.zygote.poll() is not None:
            raise ZygoteDied("the worker sandbox has ended")
        try:
            self.control.settimeout(timeout)
            socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
            line = self.replies.readline()
        except (OSError, ValueError) as error:
            self.close()
            raise ZygoteDied(f"the worker sandbox stopped answering ({error})") from None
        if not line:
            self.close()
            raise ZygoteDied("the worker sandbox has ended")
        reply = json.loads(line)
        if "error" in reply:
            raise ZygoteDied(f"the worker sandbox refused: {reply['error']}")
        return reply

    def prestart(self):
        """Start the fork server (if it is not running) without waiting for its imports."""
        if self.zygote is None or self.zygote.poll() is not None:
            self.close()
            self._start_zygote()

    def start(self, scratch_dir, stderr_file):
        self.prestart()
        worker_in, to_worker = os.pipe()
        from_worker, worker_out = os.pipe()
        try:
            pid = self.request({"op": "fork"}, fds=(worker_in, worker_out,
                                                    stderr_file.fileno()))["pid"]
        finally:
            os.close(worker_in)
            os.close(worker_out)
        return ForkedWorker(self, pid, os.fdopen(to_worker, "wb"), os.fdopen(from_worker, "rb"))

    def kill(self, process):
        if not isinstance(process, ForkedWorker):
            return super().kill(process)
        try:
            process.returncode = self.request({"op": "kill", "pid": process.pid})["returncode"]
        except ZygoteDied:
            process.returncode = -signal.SIGKILL    # the whole sandbox is gone

    def close(self):
        if self.control is not None:
            self.replies.close()
            self.control.close()
        if self.zygote is not None and self.zygote.poll() is None:
            try:
                os.killpg(self.zygote.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.zygote.wait()
        self.zygote, self.control, self.replies = None, None, None

