"""Time `python -m grader grade-notebook` on a solution notebook, split into parts.

Prints, for N runs (median): wall time of the grading command; inside it, the
worker launch, the time spent in the student's own code (calls and model
training in the worker), and the rest (process start-up, imports, pytest,
trusted reference computations). Baseline measured in the same run: executing
the same notebook top to bottom in a Jupyter kernel in quick mode, which is
what plain nbgrader autograde does before it can grade anything.

    python benchmarks/bench_grading.py [--runs 3] [--assignment 01_conv1d ...]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def grade_once(notebook, assignment):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "grader", "grade-notebook", str(notebook),
                           "--assignment", assignment, "--json"],
                          capture_output=True, text=True, cwd=REPO, check=True)
    wall = time.perf_counter() - started
    result = json.loads(done.stdout)
    assert result["score"] == result["max_score"], "the solution must get full marks"
    timing = result["timing"]
    return {"wall": wall, "worker_launch": timing["worker_launch"],
            "student_code": timing["student_code"],
            "startup_imports": wall - timing["grading_total"],
            "checks_and_pytest": timing["grading_total"] - timing["worker_launch"]
            - timing["student_code"]}


def execute_once(notebook):
    sys.path.insert(0, str(REPO / "tests" / "grader"))   # the test suite's notebook runner
    from notebook_run import execute
    with tempfile.TemporaryDirectory() as scratch:
        return execute(notebook, scratch)[1]


def bench_assignment(assignment, n_runs):
    notebook = next((REPO / "course" / "solutions" / assignment).glob("*.ipynb"))
    runs = [grade_once(notebook, assignment) for _ in range(n_runs)]
    baseline = [execute_once(notebook) for _ in range(n_runs)]
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    fixed = median["startup_imports"] + median["worker_launch"]
    print(f"grade-notebook {assignment} solution, median of {n_runs} runs")
    for key, value in median.items():
        print(f"  {key:<18} {value:7.2f} s  ({100 * value / median['wall']:5.1f} % of wall)")
    print(f"  fixed overhead (start-up + imports + worker launch): {fixed:.2f} s "
          f"= {100 * fixed / median['wall']:.1f} %")
    print(f"  student's own code: {median['student_code']:.2f} s "
          f"= {100 * median['student_code'] / median['wall']:.1f} %")
    base = statistics.median(baseline)
    print(f"baseline: execute the notebook in a kernel (quick mode): median {base:.2f} s")
    print(f"ratio grade-notebook / notebook execution: {median['wall'] / base:.2f}")
    print("raw wall times:", [round(r["wall"], 2) for r in runs], "baseline:",
          [round(b, 2) for b in baseline])
    return {"assignment": assignment, "grade_wall": median["wall"],
            "fixed_share": fixed / median["wall"], "notebook_seconds": base}


def main():
    from grader.course.layout import assignments
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assignment", action="append",
                        help="repeatable; default: every assignment")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_QUICK", "1")
    summary = [bench_assignment(a, args.runs) for a in args.assignment or assignments()]
    print("\nsummary (medians): notebook, grade-notebook wall, fixed share, "
          "notebook top to bottom (quick mode, limit 60 s)")
    for row in summary:
        print(f"  {row['assignment']:<28} {row['grade_wall']:6.2f} s  "
              f"{100 * row['fixed_share']:5.1f} %  {row['notebook_seconds']:6.2f} s")


if __name__ == "__main__":
    main()
