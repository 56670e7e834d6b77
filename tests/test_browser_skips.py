"""Without Chromium the browser tests are skipped, each with the reason, not failed or
silently passed (make test-browser shows the reasons with -rs)."""

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def test_browser_tests_skip_with_the_reason_when_chromium_is_missing(tmp_path):
    env = {**os.environ, "PATH": str(tmp_path), "COURSE_CHROMIUM": ""}  # nothing to find
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs",
                           str(TESTS / "browser")], capture_output=True, text=True,
                          env=env, cwd=TESTS.parent, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert "skipped" in summary and "passed" not in summary and "failed" not in summary, summary
    assert "no Chromium found (apt-get install chromium" in done.stdout
