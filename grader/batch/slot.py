"""A long-lived grading process per job slot: start-up paid once, not once per notebook.

``python -m grader.batch.slot`` reads one JSON request per line on stdin,
``{"path": ..., "assignment": ..., "require_sandbox": bool}``, grades the notebook with
``grader.grading.harness.grade_notebook`` (its worker forked by the slot's sandboxed fork server)
and writes the result as one JSON line on the reply channel. Everything else the process
prints goes to stderr. ``SlotUnit`` is the trusted batch's side: the grading-unit interface
(``grade(path, assignment) -> result``, ``close()``) over one slot process, which it
restarts when it dies or takes longer than the notebook's time limit.
"""

import importlib
import json
import os
import select
import signal
import subprocess
import sys
import time

from grader.batch.unit import (NOTEBOOK_TIMEOUT, GradingUnavailable, die_with_parent_hook,
                               grading_environment, zero_result)
from grader.course.layout import REPO_ROOT

# Imported before the first request arrives: every notebook's checks need them.
WARM_IMPORTS = ("numpy", "torch", "grader.checking", "grader.checking.saved_models")


def warm_up():
    """Start the sandbox's fork server, then do the imports every check needs: the fork
    server imports torch in its own process meanwhile, so the two overlap, and both are
    done before (or while) the batch hands this slot its first notebook."""
    from grader.sandbox import launch
    launcher, _ = launch.launcher()
    if hasattr(launcher, "prestart"):
        launcher.prestart()
    for name in WARM_IMPORTS:
        importlib.import_module(name)


def serve():
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)                       # stray prints must not corrupt the reply channel
    sys.stdout = os.fdopen(1, "w", buffering=1)
    from grader.grading.harness import grade_notebook
    from grader.sandbox.bubblewrap import SandboxUnavailable
    try:
        warm_up()
    except Exception as error:          # noqa: BLE001 - the first request will say what
        print(f"slot warm-up failed: {error!r}", file=sys.stderr)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            result = grade_notebook(request["path"], request["assignment"],
                                    require_sandbox=request.get("require_sandbox", False))
        except SandboxUnavailable as error:
            result = {"unavailable": str(error)}
        except Exception as error:      # noqa: BLE001 - the batch must go on
            result = zero_result(request["assignment"], f"grader failed: {error!r}")
        replies.write(json.dumps(result) + "\n")
        replies.flush()
    return 0


class SlotUnit:
    """The grading-unit interface over one long-lived ``python -m grader.batch.slot`` process."""

    def __init__(self, require_sandbox=False, timeout=NOTEBOOK_TIMEOUT):
        self.require_sandbox, self.timeout = require_sandbox, timeout
        self.process = None
        self._hook = die_with_parent_hook()     # a killed batch takes its slots with it

    def _start(self):
        env = grading_environment()
        self.process = subprocess.Popen([sys.executable, "-m", "grader.batch.slot"], text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=env, cwd=str(REPO_ROOT),
                                        start_new_session=True, preexec_fn=self._hook)

    def warm_up(self):
        """Start the slot process now, so its start-up overlaps the batch's own set-up."""
        if self.process is None or self.process.poll() is not None:
            self._start()

    def grade(self, notebook_path, assignment):
        self.warm_up()
        request = {"path": str(notebook_path), "assignment": assignment,
                   "require_sandbox": self.require_sandbox}
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self._read_line(time.monotonic() + self.timeout)
        except (OSError, TimeoutError) as error:
            self.close()
            reason = (f"grading took longer than {self.timeout} s"
                      if isinstance(error, TimeoutError) else f"the grader stopped ({error})")
            return zero_result(assignment, reason)
        if not line:
            self.close()
            return zero_result(assignment, "the grading process ended unexpectedly")
        result = json.loads(line)
        if "unavailable" in result:
            raise GradingUnavailable(result["unavailable"])
        return result

    def _read_line(self, deadline):
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                return self.process.stdout.readline()

    def close(self):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        self.process = None


def make_unit(require_sandbox=False):
    """The unit each job slot uses: a long-lived grading process (``grader.batch.slot``) whose
    start-up, imports and sandboxed fork server are paid once per slot, not per notebook."""
    return SlotUnit(require_sandbox=require_sandbox)


if __name__ == "__main__":
    sys.exit(serve())

