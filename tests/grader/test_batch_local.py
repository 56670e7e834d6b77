"""Real class batches on this machine (`python -m grader autograde`): --jobs 2 gives the
scores of --jobs 1, a batch killed with SIGKILL resumes where it stopped and ends as an
uninterrupted run, an unchanged batch is a no-op. Notebook 04 (cheap to grade)."""

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import psutil
import pytest
from slow_submission import add_slow_copy

from grader.authoring.samples import write_samples
from grader.batch import gradebook
from grader.batch.results_store import ResultsStore
from grader.course.layout import REPO_ROOT

ASSIGNMENT = "04_param_counting"
MISTAKES = ("conv_forgot_bias", "macs_per_input")
STUDENTS = ("blank", *MISTAKES, "reference")
SLOW = "zz_slow_reference"    # sorts last: graded last, so a kill lands while it grades
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("batch")]


def autograde(submissions, output, *options, env=None, wait=True):
    command = [sys.executable, "-m", "grader", "autograde", str(submissions),
               "--output", str(output), *options]
    environment = dict(os.environ, **(env or {}))
    if not wait:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=environment, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(command, cwd=REPO_ROOT, env=environment, text=True,
                          capture_output=True, timeout=900)


def graded_at(output, students=STUDENTS):
    store = ResultsStore(output)
    records = (store.load(student, ASSIGNMENT) for student in students)
    return {r["student"]: r["graded_at"] for r in records if r is not None}


@pytest.fixture(scope="module")
def jobs_1(tmp_path_factory):
    """The class graded once, one notebook at a time: the reference for everything here."""
    root = tmp_path_factory.mktemp("batch")
    write_samples(ASSIGNMENT, root / "submissions", only=MISTAKES)
    done = autograde(root / "submissions", root / "jobs1", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "grading 4 of 4 submissions (0 results up to date)" in done.stderr
    return root


def test_two_jobs_give_the_scores_of_one(jobs_1):
    done = autograde(jobs_1 / "submissions", jobs_1 / "jobs2", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    one, two = gradebook.scores(jobs_1 / "jobs1" / "nbgrader"), \
        gradebook.scores(jobs_1 / "jobs2" / "nbgrader")
    assert one == two and {s for _, s, _ in one} == set(STUDENTS)
    assert (jobs_1 / "jobs1" / "grades.csv").read_bytes() == \
        (jobs_1 / "jobs2" / "grades.csv").read_bytes()
    reference = ResultsStore(jobs_1 / "jobs1").load("reference", ASSIGNMENT)["result"]
    assert reference["score"] == reference["max_score"] > 0
    assert reference["sandbox"] == {"active": True, "warning": None}


def test_an_unchanged_batch_is_a_no_op(jobs_1, tmp_path):
    output = tmp_path / "graded"
    shutil.copytree(jobs_1 / "jobs1", output)
    leftover = output / "results" / "blank" / f".tmp-{ASSIGNMENT}.json.999.dead"
    leftover.write_text('{"half": ')
    database, csv = output / "nbgrader" / "gradebook.db", output / "grades.csv"
    before = database.read_bytes(), csv.read_bytes(), graded_at(output)
    done = autograde(jobs_1 / "submissions", output, "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert "nothing to grade: 4 results up to date" in done.stderr
    assert (database.read_bytes(), csv.read_bytes(), graded_at(output)) == before
    assert not leftover.exists()


def test_a_gradebook_made_before_the_parts_changed_is_rebuilt_from_the_stored_results(
        jobs_1, tmp_path):
    """A new exercise in a graded notebook: nbgrader will not add its grade cell to a notebook
    with submissions, so the batch's own (derived) gradebook is rebuilt, nothing regraded."""
    output = tmp_path / "graded"
    shutil.copytree(jobs_1 / "jobs1", output)
    with sqlite3.connect(output / "nbgrader" / "gradebook.db") as connection:   # "an old course"
        connection.execute("UPDATE base_cell SET name = 'test_retired_part' "
                           "WHERE name = 'test_linear_params'")
    before = graded_at(output)
    done = autograde(jobs_1 / "submissions", output, "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert f"the parts of {ASSIGNMENT} changed" in done.stderr
    assert "nothing to grade: 4 results up to date" in done.stderr and graded_at(output) == before
    assert gradebook.scores(output / "nbgrader") == gradebook.scores(jobs_1 / "jobs1" / "nbgrader")


def test_a_batch_killed_with_sigkill_resumes_and_ends_as_an_uninterrupted_run(
        jobs_1, tmp_path):
    submissions, output = tmp_path / "submissions", tmp_path / "graded"
    shutil.copytree(jobs_1 / "submissions", submissions)
    add_slow_copy(submissions, ASSIGNMENT, "reference", SLOW)
    everyone = (*STUDENTS, SLOW)
    batch = autograde(submissions, output, "--jobs", "1", wait=False)
    deadline = time.monotonic() + 600
    while len(graded_at(output)) < len(STUDENTS) and batch.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    grading = psutil.Process(batch.pid).children(recursive=True)
    batch.send_signal(signal.SIGKILL)
    batch.communicate(timeout=60)
    survivors = graded_at(output, everyone)
    assert set(survivors) == set(STUDENTS), "kill the batch while the slow notebook grades"
    assert gradebook.integrity(output / "nbgrader") == "ok"
    # the killed batch's grading processes go with it (not after finishing their notebook)
    _, still_running = psutil.wait_procs(grading, timeout=3)
    assert still_running == []
    done = autograde(submissions, output, "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert "grading 1 of 5 submissions (4 results up to date)" in done.stderr
    after = graded_at(output, everyone)
    assert {s: after[s] for s in survivors} == survivors and len(after) == len(everyone)
    scores = gradebook.scores(output / "nbgrader")
    assert {key: score for key, score in scores.items() if key[1] != SLOW} == \
        gradebook.scores(jobs_1 / "jobs1" / "nbgrader")
    slow = ResultsStore(output).load(SLOW, ASSIGNMENT)["result"]
    assert slow["score"] == slow["max_score"] > 0
    assert gradebook.integrity(output / "nbgrader") == "ok"
    for student in STUDENTS:
        assert (output / "feedback" / student / ASSIGNMENT / "feedback.html").is_file()


def test_a_changed_notebook_alone_is_graded_again_and_unsandboxed_grading_is_announced(
        jobs_1, tmp_path):
    submissions, output = tmp_path / "submissions", tmp_path / "graded"
    shutil.copytree(jobs_1 / "submissions", submissions)
    shutil.copytree(jobs_1 / "jobs1", output)
    notebook = submissions / "blank" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook.write_text(notebook.read_text().replace("YOUR CODE HERE", "my code here"))
    done = autograde(submissions, output, "--jobs", "2", env={"GRADER_SANDBOX": "off"})
    assert done.returncode == 0, done.stderr
    assert "grading 1 of 4 submissions (3 results up to date)" in done.stderr
    assert "WARNING: NOT SANDBOXED: 1 of 4 submissions were graded without" in done.stderr
    assert done.stdout.startswith("!!! NOT SANDBOXED: 1 of 4 submissions")
    blank = ResultsStore(output).load("blank", ASSIGNMENT)["result"]
    assert blank["sandbox"]["active"] is False and blank["score"] == 0
