"""Grade 07's reference submission (its trained cifarnet.pt beside the notebook) again and
again: with an empty course cache (the test accuracy is predicted: 10,000 CIFAR-10 images
through the student's CifarNet) and with a warm one (the accuracy is read from
``grader.checking.accuracy_cache``). Median wall time of N runs each, interleaved; every run
grades from scratch (a new output folder, so no stored result is reused).

    python benchmarks/bench_accuracy_cache.py [--runs 3] [--assignment 07_cifar10]

Needs the CIFAR-10 test set (COURSE_DATA_DIR). The decoded-data caches of source_lib are
shared by both, so only the accuracy cache differs.
"""

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.authoring.samples import write_samples  # noqa: E402
from benchmarks.bench_batch import print_medians, timed  # noqa: E402


def grade(submissions, output, cache_dir):
    os.environ["COURSE_CACHE_DIR"] = str(cache_dir)     # timed()'s environment copies it
    return timed([sys.executable, "-m", "grader", "autograde", str(submissions), "--jobs", "1",
                  "--output", str(output)], cwd=REPO)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assignment", default="07_cifar10")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-accuracy-cache-"))
    try:
        write_samples(args.assignment, scratch / "subs", ())
        shutil.rmtree(scratch / "subs" / "blank")
        warm = scratch / "warm-cache"
        grade(scratch / "subs", scratch / "warm-up", warm)        # fills the warm cache
        times = {"empty cache (predicts)": [], "warm cache (reads the accuracy)": []}
        for run in range(args.runs):
            cold = scratch / f"cold-cache{run}"
            shutil.copytree(warm, cold, ignore=shutil.ignore_patterns("accuracies"))
            times["empty cache (predicts)"].append(grade(scratch / "subs", scratch / f"c{run}", cold))
            times["warm cache (reads the accuracy)"].append(
                grade(scratch / "subs", scratch / f"w{run}", warm))
        print(f"{args.assignment}: the reference graded from scratch, median of {args.runs}")
        print_medians(times, baseline="empty cache (predicts)")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
