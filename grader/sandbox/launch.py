"""Which launcher starts a notebook's worker: the sandbox (one pre-importing fork server
per grading process, or one plain sandboxed worker) when bubblewrap works here, else the
plain subprocess with a loud warning (an error with ``require``)."""

import atexit
import functools
import os

from grader.sandbox import bubblewrap
from grader.sandbox.bubblewrap import UNSANDBOXED_WARNING, BubblewrapLauncher, SandboxUnavailable
from grader.sandbox.forkserver import ZygoteLauncher
from grader.sandbox.plain import WorkerLauncher


@functools.lru_cache(maxsize=1)
def _shared_fork_server():
    """One sandboxed fork server per grading process, reused by every notebook it grades."""
    server = ZygoteLauncher()
    atexit.register(server.close)
    return server


def launcher(require=False, fork_server=True):
    """(launcher, warning-or-None): the sandbox when it works, else the plain subprocess.
    ``fork_server``: the process-wide pre-imported fork server (worth it when this process
    grades several notebooks); otherwise one plain sandboxed worker."""
    if os.environ.get("GRADER_SANDBOX", "auto") == "off" and not require:
        return WorkerLauncher(), UNSANDBOXED_WARNING.format(reason="GRADER_SANDBOX=off")
    reason = bubblewrap.probe()
    if reason is None:
        return (_shared_fork_server() if fork_server else BubblewrapLauncher()), None
    if require:
        raise SandboxUnavailable(f"--require-sandbox: {reason}")
    return WorkerLauncher(), UNSANDBOXED_WARNING.format(reason=reason)
