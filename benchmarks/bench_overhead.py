"""Fixed overhead per notebook: what grading costs before any student code or check runs.

Measured on the BLANK release of each notebook (every graded function raises
NotImplementedError, so almost no student code and no reference work runs), sandbox on:

- baseline: a fresh ``python -m grader grade-notebook`` process per notebook (process
  start-up, imports, sandbox and worker start every time): today's per-submission cost;
- warm slot: the same notebooks graded one after another by one long-lived grading process
  (``grader.batch.slot.SlotUnit``), whose sandboxed fork server forks each worker.

Also printed: the slot's cold start (its first notebook), paid once per job slot, and the
worker launch time inside each warm grading. Median of N runs; ratios in the same run.

    python benchmarks/bench_overhead.py [--runs 5]
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

REPO = Path(__file__).resolve().parents[1]


def blank_notebooks(folder):
    from grader.course.layout import NOTEBOOKS_DIR, assignments
    out = {}
    for assignment in assignments():
        source = next((NOTEBOOKS_DIR / assignment).glob("*.ipynb"))
        target = Path(folder) / assignment / source.name
        target.parent.mkdir(parents=True)
        target.write_bytes(source.read_bytes())
        out[assignment] = target
    return out


def fresh_process(path, assignment):
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "grader", "grade-notebook", str(path),
                           "--assignment", assignment, "--json", "--require-sandbox"],
                          capture_output=True, text=True, cwd=REPO, check=True)
    assert json.loads(done.stdout)["score"] == 0
    return time.perf_counter() - started


def warm_slot(unit, path, assignment):
    started = time.perf_counter()
    result = unit.grade(path, assignment)
    assert result["score"] == 0 and result["sandbox"]["active"], result
    return time.perf_counter() - started, result["timing"]["worker_launch"]


def main():
    from grader.batch.slot import SlotUnit
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("COURSE_QUICK", "1")
    with tempfile.TemporaryDirectory() as folder:
        notebooks = blank_notebooks(folder)
        unit = SlotUnit(require_sandbox=True)
        started = time.perf_counter()
        first = next(iter(notebooks))
        unit.grade(notebooks[first], first)
        cold = time.perf_counter() - started
        rows = []
        for assignment, path in notebooks.items():
            fresh = [fresh_process(path, assignment) for _ in range(args.runs)]
            warm = [warm_slot(unit, path, assignment) for _ in range(args.runs)]
            rows.append({"assignment": assignment, "fresh_process": statistics.median(fresh),
                         "warm_slot": statistics.median(w[0] for w in warm),
                         "worker_launch": statistics.median(w[1] for w in warm)})
        unit.close()
    print(f"slot cold start (process + imports + sandboxed fork server + first notebook): "
          f"{cold:.2f} s, once per job slot")
    print(f"{'notebook (blank)':<28}{'fresh process':>14}{'warm slot':>11}{'worker launch':>15}"
          f"{'ratio':>7}")
    for row in rows:
        print(f"{row['assignment']:<28}{row['fresh_process']:13.2f}s{row['warm_slot']:10.2f}s"
              f"{row['worker_launch']:14.3f}s{row['fresh_process'] / row['warm_slot']:6.1f}x")
    print(json.dumps({"bench": "overhead", "runs": args.runs, "slot_cold_start": round(cold, 3),
                      "rows": [{k: (round(v, 3) if isinstance(v, float) else v)
                                for k, v in row.items()} for row in rows]}))


if __name__ == "__main__":
    main()
