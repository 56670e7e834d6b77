"""The plain worker launcher: a subprocess with resource limits and no sandbox. The
bubblewrap launcher (``grader.sandbox.bubblewrap``) wraps its command; grading falls back to
this one, loudly, where bubblewrap cannot run."""

import os
import resource
import signal
import subprocess
import sys

from grader.course.layout import REPO_ROOT


class WorkerLauncher:
    """How a worker process is started. Subclass to run it inside a sandbox
    (override ``command`` to wrap it, e.g. in bubblewrap, and ``limits``)."""

    threads = 1
    memory_bytes = 4 << 30      # address space: a runaway allocation fails in the worker only
    file_bytes = 256 << 20      # largest file the student's code may write

    def command(self):
        return [sys.executable, "-m", "gradeworker.worker"]

    def environment(self, scratch_dir):
        keep = ("PATH", "LANG", "LC_ALL", "COURSE_DATA_DIR", "COURSE_CACHE_DIR", "SYSTEMROOT")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(HOME=scratch_dir, TMPDIR=scratch_dir, PYTHONPATH=str(REPO_ROOT),
                   PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", MPLBACKEND="Agg",
                   COURSE_QUICK="1", OMP_NUM_THREADS=str(self.threads),
                   MKL_NUM_THREADS=str(self.threads))
        return env

    def limits(self):
        """Runs in the child before exec: resource limits for the student's process."""
        resource.setrlimit(resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_bytes, self.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    def kill(self, process):
        """SIGKILL the worker and everything it started (its own session)."""
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def start(self, scratch_dir, stderr_file):
        return subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=stderr_file, cwd=scratch_dir, preexec_fn=self.limits,
                                env=self.environment(scratch_dir), start_new_session=True)
