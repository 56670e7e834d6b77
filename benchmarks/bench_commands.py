"""Wall time of the README's two commands, `make demo` and `make test` (after installs).

    python benchmarks/bench_commands.py [--runs 3] [--only demo|test]

Setup is done once first (not timed), so the figures are for an installed tree.
Baseline in the same run: `make setup` on an already installed tree (the cost
every command pays to confirm the environment is ready).
"""

import argparse
import statistics
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(target):
    started = time.perf_counter()
    subprocess.run(["make", target], cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["demo", "test"])
    args = parser.parse_args()
    timed("setup")
    targets = [args.only] if args.only else ["demo", "test"]
    setup = [timed("setup") for _ in range(args.runs)]
    print(f"make setup (already installed): median {statistics.median(setup):.2f} s")
    for target in targets:
        runs = [timed(target) for _ in range(args.runs)]
        print(f"make {target}: median {statistics.median(runs):.1f} s over {args.runs} runs "
              f"(raw: {', '.join(f'{r:.1f}' for r in runs)})")


if __name__ == "__main__":
    main()
