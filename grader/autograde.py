"""Grade a whole class: SUBMISSIONS_DIR/<student>/<assignment>/*.ipynb.

Each notebook is graded in its own ``python -m grader grade-notebook``
process (which starts its own untrusted worker), several at once. Results go
to the nbgrader gradebook, ``grades.csv``, one feedback page per student and
assignment, and a JSON file per submission (with TA-only diagnostics).
"""

import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from grader import feedback, gradebook
from grader.points import part_points
from grader.nbgrader_setup import REPO_ROOT, assignments, solution_notebooks, write_config_file
from grader.release import generate

NOTEBOOK_TIMEOUT = 900


def notebook_id(assignment):
    """nbgrader's notebook id: the solution notebook's file name without .ipynb."""
    return solution_notebooks(assignment)[0].stem


@dataclass
class Submission:
    student: str
    assignment: str
    path: Path
    notebook_id: str


def discover(submissions_dir, only=None):
    """Find one notebook per student and assignment, in a stable order."""
    known = set(assignments())
    found = []
    for student_dir in sorted(p for p in Path(submissions_dir).iterdir() if p.is_dir()):
        for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            name = assignment_dir.name
            if name not in known:
                print(f"skipping {assignment_dir}: no assignment called {name!r}", file=sys.stderr)
                continue
            if only and name not in only:
                continue
            notebooks = sorted(assignment_dir.glob("*.ipynb"))
            expected = assignment_dir / f"{notebook_id(name)}.ipynb"
            chosen = expected if expected.exists() else (notebooks[0] if notebooks else None)
            if chosen is not None:
                found.append(Submission(student_dir.name, name, chosen, notebook_id(name)))
    return found


def _zero_result(assignment, reason):
    """Every part scores 0, but the maximum still counts (the student is not let off)."""
    maxima = part_points(assignment)
    parts = {g: {"score": 0, "max_score": m, "tests": []} for g, m in maxima.items()}
    return {"assignment": assignment, "score": 0, "max_score": sum(maxima.values()),
            "parts": parts, "notes": ["This notebook could not be graded automatically; "
                                      "your TA will look at it."], "internal_errors": [reason]}


def grade_in_subprocess(submission):
    """Run grade-notebook for one submission in a fresh grader process."""
    command = [sys.executable, "-m", "grader", "grade-notebook", str(submission.path),
               "--assignment", submission.assignment, "--json"]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env,
                              timeout=NOTEBOOK_TIMEOUT, cwd=str(REPO_ROOT))
    except subprocess.TimeoutExpired:
        return _zero_result(submission.assignment, "grading timed out")
    if done.returncode != 0:
        return _zero_result(submission.assignment, f"grader failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _write_outputs(output_dir, submission, result):
    student, assignment = submission.student, submission.assignment
    page = output_dir / "feedback" / student / assignment / "feedback.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(feedback.render(student, result))
    raw = output_dir / "results" / student / f"{assignment}.json"
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text(json.dumps(result, indent=1))
    # Keep a copy where nbgrader's formgrader expects graded notebooks.
    copy = output_dir / "nbgrader" / "autograded" / student / assignment / f"{submission.notebook_id}.ipynb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(submission.path, copy)


def write_csv(path, rows):
    part_ids = sorted({g for row in rows for g in row["parts"]})
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "assignment", "score", "max_score"] + part_ids)
        for row in rows:
            writer.writerow([row["student"], row["assignment"], f"{row['score']:g}",
                             f"{row['max_score']:g}"]
                            + [f"{row['parts'][g]['score']:g}" if g in row["parts"] else ""
                               for g in part_ids])


def autograde(submissions_dir, only=None, output_dir=None, jobs=None, progress=True):
    """Grade everything found; returns the list of result rows (one per submission)."""
    submissions_dir = Path(submissions_dir)
    if not submissions_dir.is_dir():
        raise FileNotFoundError(f"no submissions folder at {submissions_dir}")
    output_dir = Path(output_dir or f"{submissions_dir}-graded")
    submissions = discover(submissions_dir, only)
    root = output_dir / "nbgrader"
    for assignment in sorted({s.assignment for s in submissions}):
        generate(assignment, root)  # registers notebooks and grade cells in the gradebook
    write_config_file(root)
    jobs = jobs or max(1, min(len(submissions), os.cpu_count() or 1))
    rows = []
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = pool.map(grade_in_subprocess, submissions)
        for submission, result in tqdm(zip(submissions, results), total=len(submissions),
                                       desc="grading", disable=not progress, file=sys.stderr):
            gradebook.record(root, submission.student, submission.assignment,
                             submission.notebook_id, result)
            _write_outputs(output_dir, submission, result)
            rows.append(dict(result, student=submission.student))
    write_csv(output_dir / "grades.csv", rows)
    return rows, output_dir
