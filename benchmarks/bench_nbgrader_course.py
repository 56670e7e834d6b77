"""Grade an nbgrader course folder two ways, both with the course's sandboxed grader:
a plain `nbgrader autograde ASSIGNMENT` (nbgrader's converter, one notebook after another,
our preprocessor in place of in-kernel execution) and `python -m grader autograde COURSE
--jobs N` (graded in parallel, then nbgrader's converter writes autograded/ from the
stored results). Median wall time of N runs each, interleaved, every run from scratch.

    python benchmarks/bench_nbgrader_course.py [--runs 3] [--assignment 03_padding_stride_pooling]
                                               [--jobs 2]

The submissions are the demo's samples of the assignment (``python -m grader demo``).
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.authoring.implementations import demo_selection  # noqa: E402
from grader.authoring.samples import write_samples  # noqa: E402
from grader.batch.nbgrader_course import lay_out_course  # noqa: E402
from benchmarks.bench_batch import print_medians, timed  # noqa: E402


def template(assignment, folder):
    students = write_samples(assignment, folder / "submitted", demo_selection(assignment))
    for student in students:
        (folder / "submitted" / student / assignment / "timestamp.txt").write_text(
            "2025-03-01 11:00:00.000000 UTC")
    return len(students)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assignment", default="03_padding_stride_pooling")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-nbgrader-course-"))
    try:
        count = template(args.assignment, scratch / "template")
        times = {"nbgrader autograde": [], f"python -m grader autograde --jobs {args.jobs}": []}
        for run in range(args.runs):
            plain, ours = scratch / f"plain{run}", scratch / f"ours{run}"
            shutil.copytree(scratch / "template", plain)
            shutil.copytree(scratch / "template", ours)
            lay_out_course(plain, [args.assignment])   # not timed: ours does it inside
            times["nbgrader autograde"].append(timed(
                [str(Path(sys.executable).parent / "nbgrader"), "autograde", args.assignment],
                plain))
            times[f"python -m grader autograde --jobs {args.jobs}"].append(timed(
                [sys.executable, "-m", "grader", "autograde", str(ours), "--jobs",
                 str(args.jobs)], REPO))
        print(f"{args.assignment}: {count} submissions, median of {args.runs} runs")
        print_medians(times)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
