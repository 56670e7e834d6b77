"""The suite's ``--dist loadgroup`` really keeps an ``xdist_group`` on one process.

Expensive shared results (a class graded once per assignment, the nbgrader course folders)
rely on it; when grouping silently stopped (pytest 9.2 with xdist 3.8), every process
graded them again and the suite took 40 % longer without a single failure."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

GROUPED = '''
import os
import pytest

@pytest.mark.parametrize("i", [pytest.param(i, marks=pytest.mark.xdist_group("one"))
                               for i in range(6)])
def test_param_marks(i):
    print("PID", os.getpid())

@pytest.mark.xdist_group("two")
@pytest.mark.parametrize("i", range(6))
def test_function_marks(i):
    print("PID", os.getpid())
'''


def test_a_group_runs_on_one_worker(tmp_path):
    pytest.importorskip("xdist")
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "conftest.py").write_text((Path(__file__).parent / "conftest.py").read_text())
    done = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup",
                           "-p", "no:cacheprovider", "-v", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    workers = {}
    for worker, test in re.findall(r"\[(gw\d)\] (?:\[.*?\] )?PASSED \S+::(test_\w+)", done.stdout):
        workers.setdefault(test, set()).add(worker)
    assert set(workers) == {"test_param_marks", "test_function_marks"}, done.stdout[-3000:]
    assert all(len(found) == 1 for found in workers.values()), workers
