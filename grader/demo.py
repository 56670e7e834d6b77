"""``python -m grader demo``: release, build sample submissions, autograde, print the table."""

import shutil
import sys
import time
from pathlib import Path

from grader.authoring.implementations import demo_selection
from grader.authoring.release import release
from grader.authoring.samples import write_samples
from grader.batch.autograde import autograde
from grader.batch.report import class_table
from grader.course.layout import assignments


def run_demo(output, jobs=None, all_samples=False):
    started = time.perf_counter()
    output = Path(output).resolve()
    print("1/3 releasing the course (course/solutions -> course/notebooks) ...", flush=True)
    for path in release():
        print(f"    {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    submissions = output / "submissions"
    if submissions.exists():
        shutil.rmtree(submissions)
    print("2/3 writing sample submissions (reference, blank, classic mistakes"
          + ("" if all_samples else "; --all-samples for every one") + ") ...", flush=True)
    for assignment in assignments():
        only = None if all_samples else demo_selection(assignment)
        written = write_samples(assignment, submissions, only, unbuilt_ok=True)
        for student, sample in written.items():
            what = sample.description if sample else f"the {student} notebook"
            print(f"    {assignment}/{student}: {what}")
    print("3/3 autograding (each notebook in its own grader + worker process) ...", flush=True)
    rows, graded = autograde(submissions, output_dir=output / "graded", jobs=jobs)
    print()
    print(class_table(rows))
    print(f"\ngrades.csv: {graded / 'grades.csv'}")
    print(f"feedback:   {graded / 'feedback'}/<student>/<assignment>/feedback.html")
    print(f"gradebook:  {graded / 'nbgrader' / 'gradebook.db'} (the formgrader: `jupyter lab` "
          "in that folder, then Nbgrader > Formgrader; or `nbgrader export` there)")
    print(f"demo finished in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
