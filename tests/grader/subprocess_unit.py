"""A grading unit that runs one fresh ``python -m grader grade-notebook --json`` process per
submission (tests only: it checks the batch's unit interface against the command line)."""

import json
import subprocess
import sys

from grader.batch.unit import (NOTEBOOK_TIMEOUT, SANDBOX_REFUSED, GradingUnavailable,
                               die_with_parent_hook, grading_environment, zero_result)
from grader.course.layout import REPO_ROOT


class SubprocessUnit:
    """One submission per fresh ``python -m grader grade-notebook --json`` process."""

    def __init__(self, require_sandbox=False, timeout=NOTEBOOK_TIMEOUT):
        self.require_sandbox = require_sandbox
        self.timeout = timeout
        self._hook = die_with_parent_hook()

    def command(self, notebook_path, assignment):
        command = [sys.executable, "-m", "grader", "grade-notebook", str(notebook_path),
                   "--assignment", assignment, "--json"]
        return command + ([SANDBOX_REFUSED] if self.require_sandbox else [])

    def grade(self, notebook_path, assignment):
        env = grading_environment()
        try:
            # errors="replace": a stray byte in a message must not cost the grade
            done = subprocess.run(self.command(notebook_path, assignment), capture_output=True,
                                  encoding="utf-8", errors="replace", env=env,
                                  timeout=self.timeout, cwd=str(REPO_ROOT),
                                  preexec_fn=self._hook)
        except subprocess.TimeoutExpired:
            return zero_result(assignment, f"grading took longer than {self.timeout} s")
        refusal = [line for line in done.stderr.splitlines()
                   if line.startswith(f"{SANDBOX_REFUSED}:")]
        if done.returncode == 2 and refusal:   # grade-notebook's own words, not the student's
            raise GradingUnavailable(refusal[-1])
        if done.returncode != 0:
            return zero_result(assignment, f"the grader failed (exit {done.returncode}): "
                                           f"{done.stderr[-2000:]}")
        try:
            return json.loads(done.stdout)
        except ValueError:
            return zero_result(assignment, f"the grader printed no result: {done.stdout[-500:]}")

    def warm_up(self):
        """Nothing to start ahead: each grade() starts its own process."""

    def close(self):
        """Nothing to release: each grade() used its own process."""
