"""Grade one class batch three ways and compare: plain `nbgrader autograde`, ours with
--jobs 1, ours with --jobs 2 (median of N runs each, interleaved, all in this one run).

    python benchmarks/bench_batch.py [--runs 3] [--assignment 01_conv1d] [--students 8]
                                     [--copies 1] [--skip-nbgrader]

The batch: the reference solution, the blank release and sample mistakes
(``grader.authoring.samples``). nbgrader works in a real course directory laid out as
``grader.course.nbgrader_config`` and ``grader.authoring.release`` do it (source, gradebook with the grade
cells, submitted/<student>/<assignment>/), and executes every notebook top to bottom in a
kernel, as it always does. Both sides use COURSE_QUICK=1 (short training). Every run grades
from scratch: a fresh copy of the course directory, a fresh output folder for ours; the
machine's caches are warmed once first (``warm_caches``). Each figure is the wall time of
the whole command, start-up included. With 8 submissions of 01 (seven of them ~7 s, one
blank) two slots cannot do better than four heavy notebooks each, so the speed-up is
bounded by 7/4 = 1.75 before any start-up; ``--copies 2`` grades 16 for a finer split.
Targets (issue 7): ours --jobs 1 not slower than nbgrader; --jobs 2 >= 1.6x --jobs 1.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from grader.authoring.implementations import implementations  # noqa: E402
from grader.authoring.samples import write_samples  # noqa: E402
from grader.batch.gradebook import scores
from grader.course.generate import generate
from grader.course.nbgrader_config import write_config_file

# Its infinite loop measures two timeouts (nbgrader's 30 s per cell, our 10 s per call),
# not grading; every other sample mistake is in the batch, in this order.
LEFT_OUT = ("cheater_and_hang",)
IN_KERNEL = ["nbgrader.preprocessors.Execute", "nbgrader.preprocessors.IgnorePattern",
             "nbconvert.preprocessors.ClearMetadataPreprocessor",
             "nbgrader.preprocessors.LimitOutput", "nbgrader.preprocessors.SaveAutoGrades",
             "nbgrader.preprocessors.AssignLatePenalties",
             "nbgrader.preprocessors.CheckCellMetadata"]   # nbgrader 0.9.6's default


def build_batch(assignment, n_students, folder, copies=1):
    """SUBMISSIONS/<student>/<assignment>/<notebook>.ipynb; returns the students.
    ``copies`` > 1 hands each sample in under that many student names (a bigger class
    from the same samples: each copy is graded on its own, like any other student's)."""
    mistakes = [i.student for i in implementations(assignment)
                if not i.right and i.student not in LEFT_OUT]
    chosen = mistakes[:max(0, n_students - 2)]
    written = write_samples(assignment, folder, only=chosen)
    if len(written) < n_students:
        raise SystemExit(f"{assignment} has only {len(written)} samples to grade")
    students = sorted(written)
    for student in list(students):
        for copy in range(2, copies + 1):
            shutil.copytree(Path(folder) / student, Path(folder) / f"{student}-{copy}")
            students.append(f"{student}-{copy}")
    return sorted(students)


def nbgrader_course(assignment, submissions, folder):
    """A course directory ready for `nbgrader autograde`: source, gradebook, submitted."""
    generate(assignment, folder)
    for notebook in submissions.glob(f"*/{assignment}/*.ipynb"):
        target = folder / "submitted" / notebook.relative_to(submissions)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
    return folder


def environment():
    env = dict(os.environ, COURSE_QUICK="1", PYTHONPATH=str(REPO))
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    return env


def print_medians(times, baseline=None):
    """One line per {name: [seconds of each run]}: the median, every run, and, given the
    name of a ``baseline`` entry, how many times faster than it."""
    base = statistics.median(times[baseline]) if baseline else None
    width = max(len(name) for name in times) + 2
    for name, values in times.items():
        median = statistics.median(values)
        ratio = f"   x{base / median:4.1f}" if base else ""
        print(f"  {name:<{width}} {median:7.1f} s{ratio}   "
              f"(runs: {', '.join(f'{v:.1f}' for v in values)})")


def timed(command, cwd, may_fail=False):
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=environment(), capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 and not may_fail:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return elapsed


def run_nbgrader(assignment, template, scratch, students):
    """Seconds, and the students nbgrader could not grade (it exits with an error then,
    having graded the others: a kernel that dies, as the 'crash' sample's does)."""
    course = scratch / "nbgrader-course"
    shutil.copytree(template, course)
    write_config_file(course)   # the course root is written in it: this copy, not the template
    with open(course / "nbgrader_config.py", "a") as config:
        # the baseline is nbgrader's own in-kernel execution, not our preprocessors
        config.write("c.Autograde.autograde_preprocessors = %r\n" % IN_KERNEL)
    elapsed = timed([sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"],
                    cwd=course, may_fail=True)
    graded = {s for _, s, _ in scores(course)}
    if not graded:
        raise SystemExit("nbgrader autograde graded nothing")
    shutil.rmtree(course)
    return elapsed, sorted(set(students) - graded)


def run_ours(assignment, submissions, scratch, jobs, students):
    output = scratch / f"ours-jobs{jobs}"
    elapsed = timed([sys.executable, "-m", "grader", "autograde", str(submissions),
                     "--output", str(output), "--jobs", str(jobs)], cwd=REPO)
    results = {s: json.loads((output / "results" / s / f"{assignment}.json").read_text())
               for s in students}
    unsandboxed = [s for s, r in results.items() if not r["result"]["sandbox"]["active"]]
    if len(results) != len(students) or unsandboxed:
        raise SystemExit(f"ours graded {sorted(results)}; not sandboxed: {unsandboxed}")
    totals = {s: r["result"]["score"] for s, r in results.items()}
    shutil.rmtree(output)
    return elapsed, totals, time_split(elapsed, [r["result"]["timing"] for r in results.values()])


def warm_caches(assignment, scratch):
    """Grade two notebooks before timing anything: it fills the grading machine's caches
    (the hidden MNIST-1D set, nbgrader's migration head), as any earlier batch would have.
    Every timed run, ours and nbgrader's, then starts from the same warm disk."""
    folder = scratch / "warm-up"
    write_samples(assignment, folder / "submissions", only=[])
    timed([sys.executable, "-m", "grader", "autograde", str(folder / "submissions"),
           "--output", str(folder / "output")], cwd=REPO)
    shutil.rmtree(folder)


def time_split(wall, timings):
    """Where a batch's wall time went, summed over its notebooks (meaningful for --jobs 1)."""
    launch = sum(t["worker_launch"] for t in timings)
    student = sum(t["student_code"] for t in timings)
    inside = sum(t["grading_total"] for t in timings)
    return {"start-up, imports, batch set-up": wall - inside, "worker launches": launch,
            "student code (worker)": student, "checks, pytest, trusted side": inside - launch
            - student}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--assignment", default="01_conv1d")
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--copies", type=int, default=1,
                        help="hand each sample in under this many names (--students x copies)")
    parser.add_argument("--skip-nbgrader", action="store_true",
                        help="only ours --jobs 1 and --jobs 2")
    args = parser.parse_args()
    os.environ.setdefault("COURSE_QUICK", "1")
    times = {"nbgrader": [], "ours_jobs1": [], "ours_jobs2": []}
    splits = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as scratch:
        scratch = Path(scratch)
        students = build_batch(args.assignment, args.students, scratch / "submissions",
                               args.copies)
        warm_caches(args.assignment, scratch)
        template = nbgrader_course(args.assignment, scratch / "submissions",
                                   scratch / "nbgrader-template")
        print(f"batch: {len(students)} submissions of {args.assignment}: {', '.join(students)}")
        nbgrader_failed = []
        if args.skip_nbgrader:
            del times["nbgrader"]
        for run in range(1, args.runs + 1):   # interleaved, so load changes hit all three
            if not args.skip_nbgrader:
                elapsed, nbgrader_failed = run_nbgrader(args.assignment, template, scratch,
                                                        students)
                times["nbgrader"].append(elapsed)
            for jobs in (1, 2):
                elapsed, totals, split = run_ours(args.assignment, scratch / "submissions",
                                                  scratch, jobs, students)
                times[f"ours_jobs{jobs}"].append(elapsed)
                splits += [split] if jobs == 1 else []
            print(f"run {run}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()),
                  flush=True)
    report(args, students, times, totals, nbgrader_failed)
    print_split(splits)


def print_split(splits):
    print("where ours --jobs 1 spends its time (median over runs, summed over notebooks):")
    for key in splits[0]:
        print(f"  {key:<32} {statistics.median(s[key] for s in splits):7.1f} s")


def report(args, students, times, totals, nbgrader_failed):
    median = {name: statistics.median(values) for name, values in times.items()}
    ours_vs_nbgrader = (median["ours_jobs1"] / median["nbgrader"] if "nbgrader" in median
                        else None)
    speedup = median["ours_jobs1"] / median["ours_jobs2"]
    print(f"\nmedians of {args.runs} runs, {len(students)} submissions of {args.assignment}:")
    for name, value in median.items():
        print(f"  {name:<11} {value:7.1f} s  ({value / len(students):5.1f} s per notebook; "
              f"raw {', '.join(f'{t:.1f}' for t in times[name])})")
    if "nbgrader" in median:
        print(f"  ours --jobs 1 / nbgrader autograde: {ours_vs_nbgrader:.2f} "
              f"(target <= 1.00: {'met' if ours_vs_nbgrader <= 1 else 'MISSED'})")
    print(f"  ours --jobs 1 / ours --jobs 2:      {speedup:.2f} "
          f"(target >= 1.60: {'met' if speedup >= 1.6 else 'MISSED'})")
    print(f"  our scores: {totals}")
    print(f"  nbgrader could not grade: {', '.join(nbgrader_failed) or 'none'}")
    print(json.dumps({"assignment": args.assignment, "submissions": len(students),
                      "runs": args.runs, **{f"{k}_seconds": round(v, 2) for k, v in median.items()},
                      "ours_jobs1_over_nbgrader": ours_vs_nbgrader and round(ours_vs_nbgrader, 3),
                      "jobs1_over_jobs2": round(speedup, 3)}))


if __name__ == "__main__":
    main()
