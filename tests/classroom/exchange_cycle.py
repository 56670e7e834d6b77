"""One class's whole term through nbgrader's file-system exchange, run once per test process.

Only nbgrader's own commands, each run as the Unix user who would type it (``run_as``):

    instructor  generate_assignment, release_assignment (courses A: 03, B: 06), and the due
                date of A's 03 (`nbgrader db assignment add --duedate`) after the on-time work
    student1    in both courses: fetches both; hands in 03 twice (a known mistake, then the
                reference: the latest counts) and 06 with its checkpoint files beside it
    student2    in A: a known mistake, handed in after the due date (late penalty "zero")
    student3    in A: the reference saved under another name (nbgrader submit warns)
    ta          collect, autograde (our sandboxed grader, from the course's
                nbgrader_config.py), generate_feedback, release_feedback
    students    fetch_feedback, read it

Students "edit" their fetched notebook with a short script run as themselves (the
reference's or a known mistake's cells from ``grader/checks/<A>/implementations.py``, and
the reference's checkpoints for 06). A copy of A's collected ``submitted/`` is then graded
by ``python -m grader autograde`` (as root) to compare gradebooks.
"""

import json
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from grader.authoring.samples import answer_cells, handed_in_files
from grader.classroom.accounts import graders_group, run_as
from grader.classroom.exchange import make_course, make_exchange, write_user_config
from grader.classroom.python_env import user_environment
from grader.course.layout import REPO_ROOT, solution_notebooks

A03, P06 = "03_padding_stride_pooling", "06_fc_vs_cnn_fashionmnist"
FIRST_TRY = "ceil_output_size"          # student1's first hand-in of 03
LATE_MISTAKE = "conv_pad_one_side"      # student2's (late) hand-in of 03
RENAMED = "my_homework.ipynb"           # student3's name for 03
WORK = "cycle"                          # each student works in ~/cycle

EDIT_SCRIPT = r"""
import json, os, shutil, sys
import nbformat
spec = json.load(open(sys.argv[1]))
source = os.path.join(spec["folder"], spec["notebook"])
notebook = nbformat.read(source, as_version=4)
for cell in notebook.cells:
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if grade_id in spec["cells"]:
        cell.source = spec["cells"][grade_id]
target = os.path.join(spec["folder"], spec["save_as"] or spec["notebook"])
nbformat.write(notebook, target)
if target != source:
    os.remove(source)
for name, path in spec["files"].items():
    shutil.copy(path, os.path.join(spec["folder"], name))
"""


@dataclass
class Cycle:
    classroom: object
    python: Path
    base: Path                                     # the cycle's exchange and course folders
    ids: dict = field(default_factory=dict)        # "a", "b" -> course id
    courses: dict = field(default_factory=dict)    # "a", "b" -> course folder
    done: dict = field(default_factory=dict)       # step name -> CompletedProcess
    seconds: dict = field(default_factory=dict)    # step name -> seconds
    submitted_at: dict = field(default_factory=dict)   # (student, n) -> nbgrader's timestamp
    duedate: str = ""
    feedback: dict = field(default_factory=dict)   # (student, assignment) -> html text
    compared: Path = None       # a copy of A graded by `python -m grader autograde`

    @property
    def exchange(self):
        return self.base / "exchange"

    def student(self, number):
        return self.classroom.students[number - 1]

    def run(self, step, account, argv, cwd=None, check=True):
        """Run ``argv`` as ``account``; remembered under ``step``."""
        start = time.monotonic()
        done = run_as(account, argv, cwd=cwd, env=user_environment(self.python, account))
        self.seconds[step] = round(time.monotonic() - start, 1)
        self.done[step] = done
        assert not check or done.returncode == 0, (
            f"{step}: {argv} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-5000:]}")
        return done

    def nbgrader(self, step, account, *args, cwd=None, check=True):
        return self.run(step, account, [self.python.parent / "nbgrader", *args], cwd, check)


def edit(cycle, number, assignment, folder, mistake=None, save_as=None, files=False):
    """The student edits their fetched notebook in ``folder`` (as themselves)."""
    account = cycle.student(number)
    staging = cycle.base / "staging" / account.name
    staging.mkdir(parents=True, exist_ok=True)
    handed = {}
    for name, data in (handed_in_files(assignment, None) if files else {}).items():
        (staging / name).write_bytes(data)
        handed[name] = str(staging / name)
    spec = {"folder": str(folder), "notebook": solution_notebooks(assignment)[0].name,
            "cells": answer_cells(assignment, mistake), "save_as": save_as, "files": handed}
    (staging / "edit.json").write_text(json.dumps(spec))
    for path in [staging, *staging.iterdir()]:
        os.chown(path, pwd.getpwnam(account.name).pw_uid, -1)
    staging.chmod(0o700)
    step = f"edit {account.name} {assignment} {mistake or save_as or 'reference'}"
    cycle.run(step, account, [cycle.python, "-c", EDIT_SCRIPT, staging / "edit.json"])


def _timestamp(done):
    """nbgrader's timestamp of a submission, from submit's "Submitted as:" line."""
    line = next(x for x in (done.stdout + done.stderr).splitlines() if "Submitted as:" in x)
    return " ".join(line.split("Submitted as:")[1].split()[2:])


def set_up(cycle):
    classroom = cycle.classroom
    make_exchange(cycle.exchange)
    graders = graders_group(classroom.prefix)
    for key, assignment in (("a", A03), ("b", P06)):
        cycle.ids[key] = f"{classroom.prefix}-{key}"
        cycle.courses[key] = make_course(cycle.ids[key], cycle.base / f"course-{key}",
                                         cycle.exchange, graders, [assignment],
                                         late_penalty="zero")
    both = [cycle.ids["a"], cycle.ids["b"]]
    for account in (classroom.instructor, classroom.ta, cycle.student(1)):
        write_user_config(account, both, cycle.exchange)
    for number in (2, 3):
        write_user_config(cycle.student(number), [cycle.ids["a"]], cycle.exchange)
    for account in classroom.students:
        cycle.run(f"mkdir {account.name}", account, ["mkdir", "-p", account.home / WORK])


def release(cycle):
    instructor = cycle.classroom.instructor
    for key, assignment in (("a", A03), ("b", P06)):
        for command in ("generate_assignment", "release_assignment"):
            cycle.nbgrader(f"{command} {key}", instructor, command, assignment,
                           cwd=cycle.courses[key])


def hand_in(cycle):
    """Fetch, edit and submit; the due date falls between the on-time work and student2's."""
    s1, s2, s3 = (cycle.student(n) for n in (1, 2, 3))
    a, b = cycle.ids["a"], cycle.ids["b"]
    work = {n: cycle.student(n).home / WORK for n in (1, 2, 3)}
    cycle.nbgrader("fetch s1 a", s1, "fetch_assignment", A03, "--course", a, cwd=work[1])
    cycle.nbgrader("fetch s1 b", s1, "fetch_assignment", P06, "--course", b, cwd=work[1])
    for n, account in ((2, s2), (3, s3)):
        cycle.nbgrader(f"fetch s{n} a", account, "fetch_assignment", A03, cwd=work[n])
    edit(cycle, 1, A03, work[1] / a / A03, mistake=FIRST_TRY)
    done = cycle.nbgrader("submit s1 a 1", s1, "submit", A03, "--course", a, cwd=work[1])
    cycle.submitted_at["student1", 1] = _timestamp(done)
    edit(cycle, 1, A03, work[1] / a / A03)
    done = cycle.nbgrader("submit s1 a 2", s1, "submit", A03, "--course", a, cwd=work[1])
    cycle.submitted_at["student1", 2] = _timestamp(done)
    edit(cycle, 1, P06, work[1] / b / P06, files=True)
    cycle.nbgrader("submit s1 b", s1, "submit", P06, "--course", b, cwd=work[1])
    edit(cycle, 3, A03, work[3] / A03, save_as=RENAMED)
    cycle.nbgrader("submit s3 a", s3, "submit", A03, cwd=work[3])
    time.sleep(1.0)     # the due date falls strictly after every on-time submission
    cycle.duedate = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    cycle.nbgrader("duedate a", cycle.classroom.instructor, "db", "assignment", "add", A03,
                   f"--duedate={cycle.duedate}", cwd=cycle.courses["a"])
    edit(cycle, 2, A03, work[2] / A03, mistake=LATE_MISTAKE)
    cycle.nbgrader("submit s2 a", s2, "submit", A03, cwd=work[2])


def grade(cycle):
    """The TA's part, in each course folder; autograde's exit status is kept, not checked
    (nbgrader exits 1 when a submission has none of the assignment's notebooks)."""
    ta = cycle.classroom.ta
    cycle.run("sandbox probe ta", ta, [cycle.python, "-c", "from grader.sandbox.bubblewrap "
                                       "import probe; print(probe())"])
    for key, assignment in (("a", A03), ("b", P06)):
        course = cycle.courses[key]
        cycle.nbgrader(f"collect {key}", ta, "collect", assignment, cwd=course)
        cycle.nbgrader(f"autograde {key}", ta, "autograde", assignment, cwd=course,
                       check=False)
        cycle.nbgrader(f"generate_feedback {key}", ta, "generate_feedback", assignment,
                       cwd=course)
        cycle.nbgrader(f"release_feedback {key}", ta, "release_feedback", assignment,
                       cwd=course)


def read_feedback(cycle):
    """Students fetch their feedback and read it (as themselves)."""
    a, b = cycle.ids["a"], cycle.ids["b"]
    fetches = [(1, A03, ["--course", a], Path(a) / A03), (1, P06, ["--course", b], Path(b) / P06),
               (2, A03, [], Path(A03)), (3, A03, [], Path(A03))]
    for number, assignment, course, folder in fetches:
        account = cycle.student(number)
        work = account.home / WORK
        cycle.nbgrader(f"fetch_feedback s{number} {assignment}", account, "fetch_feedback",
                       assignment, *course, cwd=work)
        found = cycle.run(f"find feedback s{number} {assignment}", account,
                          ["find", work / folder / "feedback", "-name", "*.html"],
                          check=False).stdout.splitlines()     # folders hold spaces
        if found:
            page = cycle.run(f"read feedback s{number} {assignment}", account,
                             ["cat", found[-1]])
            cycle.feedback[f"student{number}", assignment] = page.stdout


def probe_permissions(cycle):
    """What a student can reach of other people's files (recorded, asserted by the tests)."""
    s2, s3 = cycle.student(2), cycle.student(3)
    a, b = cycle.ids["a"], cycle.ids["b"]
    probes = {
        "s2 lists A's inbound": (s2, ["ls", cycle.exchange / a / "inbound"]),
        "s2 lists course A": (s2, ["ls", cycle.courses["a"]]),
        "s2 reads A's gradebook": (s2, ["cat", cycle.courses["a"] / "gradebook.db"]),
        "s2 reads s1's home": (s2, ["ls", cycle.student(1).home]),
        "s3 lists B's release": (s3, ["ls", cycle.exchange / b / "outbound" / P06]),
    }
    inbound = cycle.exchange / a / "inbound"
    handed_in = next(inbound.glob(f"{cycle.student(1).name}+*")) / f"{A03}.ipynb"
    probes["s2 reads s1's hand-in by its name"] = (s2, ["cat", handed_in])
    for step, (account, argv) in probes.items():
        cycle.run(step, account, argv, check=False)
    cycle.nbgrader("s3 fetches B", s3, "fetch_assignment", P06, "--course", b,
                   cwd=s3.home / WORK, check=False)


def compare_with_python_m_grader(cycle):
    """A copy of course A's collected submissions, graded by `python -m grader autograde`."""
    copy = cycle.base / "python-m-grader"
    shutil.copytree(cycle.courses["a"] / "submitted", copy / "submitted")
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "grader", "autograde", str(copy), "--jobs", "1",
                           "--duedate", f"{A03}={cycle.duedate}", "--late-penalty", "zero"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=900)
    cycle.seconds["python -m grader autograde"] = round(time.monotonic() - start, 1)
    cycle.done["python -m grader autograde"] = done
    return copy


def run_cycle(classroom, python):
    cycle = Cycle(classroom=classroom, python=Path(python), base=classroom.root / "cycle")
    cycle.base.mkdir()
    cycle.base.chmod(0o755)
    set_up(cycle)
    release(cycle)
    hand_in(cycle)
    grade(cycle)
    read_feedback(cycle)
    probe_permissions(cycle)
    cycle.compared = compare_with_python_m_grader(cycle)
    return cycle
