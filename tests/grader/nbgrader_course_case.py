"""One nbgrader course folder per assignment, graded both ways, once per test process.

The demo's samples (plus, for 03, a crash, a hang and a cheat) are laid out as nbgrader's
``submitted/<student>/<assignment>/`` with timestamp.txt (one submission late) and a
roster. One copy is graded by a plain ``nbgrader autograde ASSIGNMENT`` (the course's
nbgrader_config.py puts our grader in place of in-kernel execution), the other by
``python -m grader autograde COURSE --roster --duedate --late-penalty``.
"""

import csv
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import nbformat

from grader.authoring.implementations import demo_selection, implementations
from grader.authoring.samples import replace_cells, write_samples
from grader.batch.nbgrader_course import lay_out_course
from grader.course.layout import REPO_ROOT, solution_notebooks

DUE = "2025-03-01 12:00:00 UTC"
ON_TIME, LATE = "2025-03-01 11:00:00.000000 UTC", "2025-03-02 09:30:00.000000 UTC"
LATE_STUDENT = {"03_padding_stride_pooling": "ceil_output_size",
                "06_fc_vs_cnn_fashionmnist": "train_no_zero_grad",
                "07_cifar10": "reference"}
# 07 predicts 10,000 images per checkpoint handed in: only the reference and the blank
# release. Its cifarnet.pt must reach the grader from submitted/ on both paths; the second
# path reads the first's accuracy from the accuracy cache, whose key includes the file's bytes.
SAMPLES = {"07_cifar10": ()}
P03 = "03_padding_stride_pooling"
# Hostile students of 03: (solution/check cell replacements, parts they must lose)
HOSTILE = {
    "crash": ({"global_avg_pool": "def global_avg_pool(x):\n    import os\n    os._exit(1)\n"},
              {"test_global_avg_pool"}),
    "hang": ({"same_padding": "def same_padding(k, dilation=1):\n    while True:\n        pass\n"},
             {"test_same_padding"}),
    "cheat": ({"pad2d": "def pad2d(X, padding):\n    import numpy as np\n"
                        "    return np.asarray(X, dtype=float)\n",
               "test_pad2d": "print('all checks passed')\n"},
              {"test_pad2d"}),
}
_CASES = {}


def run(command, cwd):
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1800)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}"
    return done


def nbgrader(*args, cwd):
    return run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd)


def _write_hostile(submitted):
    source = solution_notebooks(P03)[0]
    for student, (cells, _) in HOSTILE.items():
        notebook = replace_cells(nbformat.read(str(source), as_version=4), cells)
        for cell in notebook.cells:     # the cheat also claims 100 points for its check
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_pad2d":
                cell.metadata["nbgrader"]["points"] = 100
        folder = submitted / student / P03
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / source.name))


def write_course(root, assignment):
    """submitted/ with every sample and timestamp.txt, and roster.csv; returns students."""
    submitted = root / "submitted"
    students = list(write_samples(assignment, submitted,
                                  SAMPLES.get(assignment, demo_selection(assignment))))
    if assignment == P03:
        _write_hostile(submitted)
        students += list(HOSTILE)
    for student in students:
        late = student == LATE_STUDENT[assignment]
        (submitted / student / assignment / "timestamp.txt").write_text(LATE if late else ON_TIME)
    with open(root / "roster.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "first_name", "last_name", "email"])
        for student in students:
            writer.writerow([student, f"First-{student}", f"Last-{student}",
                             f"{student}@example.org"])
    return students


def course_case(assignment, tmp_path_factory):
    """{"plain": folder, "ours": folder, "students": [...]} graded both ways."""
    if assignment in _CASES:
        return _CASES[assignment]
    base = tmp_path_factory.mktemp(f"nbgrader_{assignment}")
    plain, ours = base / "plain", base / "ours"
    students = write_course(plain, assignment)
    shutil.copytree(plain, ours)
    lay_out_course(plain, [assignment], late_penalty="zero")
    nbgrader("db", "student", "import", "roster.csv", cwd=plain)
    nbgrader("db", "assignment", "add", assignment, f"--duedate={DUE}", cwd=plain)
    nbgrader("autograde", assignment, cwd=plain)
    run([sys.executable, "-m", "grader", "autograde", str(ours), "--jobs", "2",
         "--roster", str(ours / "roster.csv"), "--duedate", f"{assignment}={DUE}",
         "--late-penalty", "zero"], cwd=REPO_ROOT)
    _CASES[assignment] = {"plain": plain, "ours": ours, "students": students}
    return _CASES[assignment]


CELLS_QUERY = """
SELECT sa.student_id, c.name, g.auto_score, g.manual_score, g.needs_manual_grade,
       sn.late_submission_penalty
FROM grade g JOIN base_cell c ON c.id = g.cell_id
JOIN submitted_notebook sn ON sn.id = g.notebook_id
JOIN submitted_assignment sa ON sa.id = sn.assignment_id
"""


def cell_grades(root):
    """{(student, grade_id): (auto_score, manual_score, needs_manual_grade, late penalty)}."""
    with closing(sqlite3.connect(root / "gradebook.db")) as connection:
        return {(s, g): rest for s, g, *rest in connection.execute(CELLS_QUERY)}


def lost_parts(assignment, student):
    """The parts a sample must lose (None: the blank release, which loses everything)."""
    if assignment == P03 and student in HOSTILE:
        return HOSTILE[student][1]
    known = {s.student: s for s in implementations(assignment)}
    return None if student == "blank" else set(known[student].loses) if student in known else set()
