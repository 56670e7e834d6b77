"""Class batches on Dask distributed, against a real cluster on 127.0.0.1 (a scheduler and
two workers started here as processes): the scores of a local --jobs 1 run, a worker killed
mid-task, a scheduler that is not there. Notebook 04 (cheap to grade)."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
from distributed import Client
from slow_submission import add_slow_copy

from grader.authoring.samples import write_samples
from grader.batch import dask_backend, gradebook
from grader.batch.results_store import ResultsStore
from grader.batch.submissions import Submission
from grader.cli import main
from grader.course.layout import REPO_ROOT

ASSIGNMENT = "04_param_counting"
STUDENTS = ("blank", "conv_forgot_bias", "reference")
SLOW = "slow_reference"    # sorts last: graded last
DASK = os.path.join(os.path.dirname(sys.executable), "dask")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("batch")]


def autograde(submissions, output, *options, wait=True):
    command = [sys.executable, "-m", "grader", "autograde", str(submissions),
               "--output", str(output), *options]
    if not wait:
        return subprocess.Popen(command, cwd=REPO_ROOT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, cwd=REPO_ROOT, text=True, capture_output=True, timeout=900)


def _wait_for(condition, what, seconds=120):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """(scheduler address, worker processes). The scheduler gives up on a task at the
    first worker death (allowed-failures 0) so that the zero-result path can be seen."""
    root = tmp_path_factory.mktemp("dask")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT),
               DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0")
    started = []

    def start(*args, log):
        started.append(subprocess.Popen([DASK, *args], cwd=REPO_ROOT, env=env,
                                        stdout=open(root / log, "w"), stderr=subprocess.STDOUT))
        return started[-1]
    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
              "--scheduler-file", str(root / "scheduler.json"), log="scheduler.log")
        _wait_for(lambda: (root / "scheduler.json").exists(), "the scheduler")
        address = json.loads((root / "scheduler.json").read_text())["address"]
        workers = [start("worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                         "--host", "127.0.0.1", "--name", f"grading-{i}", "--local-directory",
                         str(root / f"worker-{i}"), log=f"worker-{i}.log") for i in (1, 2)]
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address, workers
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("dask-class")
    write_samples(ASSIGNMENT, root / "submissions", only=STUDENTS[1:2])
    done = autograde(root / "submissions", root / "local", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    return root


def test_a_batch_on_the_cluster_scores_as_a_local_run(cluster, local_run):
    address, _ = cluster
    done = autograde(local_run / "submissions", local_run / "dask", "--scheduler", address)
    assert done.returncode == 0, done.stderr
    assert gradebook.scores(local_run / "dask" / "nbgrader") == \
        gradebook.scores(local_run / "local" / "nbgrader")
    assert (local_run / "dask" / "grades.csv").read_bytes() == \
        (local_run / "local" / "grades.csv").read_bytes()
    store = ResultsStore(local_run / "dask")
    for student in STUDENTS:
        record = store.load(student, ASSIGNMENT)
        assert record["graded_by"].startswith("dask:tcp://127.0.0.1:") and not record["failed"]
        assert record["result"]["sandbox"]["active"] is True


def _worker_grading_now(client, workers):
    """The process of one of our workers that is running a grading task, or None."""
    ours = {worker.pid: worker for worker in workers}
    # a lambda travels by value: the workers cannot import this test module
    running = client.run(lambda dask_worker: (os.getpid(), len(dask_worker.state.executing)))
    for pid, executing in running.values():
        if executing and pid in ours:
            return ours[pid]
    return None


def test_a_worker_killed_mid_task_costs_a_zero_result_that_can_be_graded_again(
        cluster, local_run, tmp_path):
    """Runs last here: it kills one of the two workers."""
    address, workers = cluster
    shutil.copytree(local_run / "submissions", tmp_path / "submissions")
    # graded for 20 s: a grading task is running when the test looks, on any machine
    add_slow_copy(tmp_path / "submissions", ASSIGNMENT, "reference", SLOW)
    batch = autograde(tmp_path / "submissions", tmp_path / "graded", "--scheduler", address,
                      wait=False)
    store = ResultsStore(tmp_path / "graded")
    with Client(address, timeout="60s") as client:
        # once the other three are stored, a worker still grading is grading the slow one
        _wait_for(lambda: all(store.load(s, ASSIGNMENT) for s in STUDENTS)
                  and _worker_grading_now(client, workers) is not None, "the slow notebook")
        os.kill(_worker_grading_now(client, workers).pid, signal.SIGKILL)
    stdout, stderr = batch.communicate(timeout=600)
    assert batch.returncode == 0, stderr
    records = {s: store.load(s, ASSIGNMENT) for s in (*STUDENTS, SLOW)}
    failed = [s for s, r in records.items() if r["failed"]]
    assert failed == [SLOW], "the killed worker's task must fail (allowed-failures 0)"
    for student in failed:
        result = records[student]["result"]
        assert result["score"] == 0 and "KilledWorker" in result["internal_errors"][0]
        assert "could not be graded automatically" in result["notes"][0]
    again = autograde(tmp_path / "submissions", tmp_path / "graded", "--scheduler", address,
                      "--regrade-failed")
    assert again.returncode == 0, again.stderr
    assert f"grading {len(failed)} of 4 submissions" in again.stderr
    scores = gradebook.scores(tmp_path / "graded" / "nbgrader")
    assert {key: score for key, score in scores.items() if key[1] != SLOW} == \
        gradebook.scores(local_run / "local" / "nbgrader")
    slow = store.load(SLOW, ASSIGNMENT)["result"]
    assert slow["score"] == slow["max_score"] > 0


def test_a_scheduler_that_is_not_there_is_a_clear_error(local_run, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dask_backend, "CONNECT_TIMEOUT", "2s")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]     # free once closed: nothing listens there
    code = main(["autograde", str(local_run / "submissions"), "--output",
                 str(tmp_path / "graded"), "--scheduler", f"tcp://127.0.0.1:{port}"])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port}" in err
    assert "Traceback" not in err and not (tmp_path / "graded" / "results").exists()


class _Finished:
    """A finished Dask future, as _outcome sees it."""
    status = "finished"

    def __init__(self, answer):
        self.answer = answer

    def result(self):
        return self.answer


def test_a_result_from_another_grader_version_is_not_recorded(tmp_path):
    submission = Submission("ann", ASSIGNMENT, tmp_path / "nb.ipynb", ASSIGNMENT)
    answer = {"result": {"parts": {}}, "fingerprint": "an older grader", "worker": "tcp://w:1"}
    outcome = dask_backend._outcome(_Finished(answer), submission)
    assert outcome.result is None and "another version of the grader" in outcome.not_graded
