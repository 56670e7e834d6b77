"""Notebook 10's detector in its full budget: training time and mAP@0.5 on the grader's hidden
test scenes, with the reference's encode_grid and localisation_loss (training) and iou,
decode_grid and nms (scoring), over ``--runs`` seeds (0, 1, ...); median and range.

    python benchmarks/bench_detection.py [--runs 3] [--quick] [--save DIR] [--no-time-limit]

Uses 2 threads (COURSE_MAX_THREADS / OMP_NUM_THREADS as set, else 2). ``--save DIR`` writes
the seed-0 model as ``DIR/detector.pt`` (source_lib.detection.model.save_detector).
``--no-time-limit`` takes every step of the budget however long it takes (the grader's
reference checkpoint: the same weights on a busy or a one-thread machine).
"""

import argparse
import dataclasses
import statistics
from pathlib import Path

import torch

from grader.checking import load_reference
from source_lib.detection.model import TinyDetector, save_detector
from source_lib.detection.training import detection_budget, train_detector
from source_lib.reproducibility import set_num_threads

CHECKS = Path(__file__).resolve().parents[1] / "grader" / "checks" / "10_detection"
ref = load_reference(CHECKS / "reference.py")
mean_ap = load_reference(CHECKS / "reference.py", "mean_ap")


def run(seed, budget, test):
    """Train one detector; returns (model, history, mAP, per-class APs)."""
    torch.manual_seed(seed)
    model = TinyDetector(width=budget.width)
    history = train_detector(model, ref.encode_grid, ref.localisation_loss, budget, seed=seed)
    score, aps = mean_ap.score_detector(model, test)
    return model, history, score, aps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the QUICK budget")
    parser.add_argument("--save", type=Path, default=None)
    parser.add_argument("--no-time-limit", action="store_true",
                        help="ignore the budget's time_budget (all steps)")
    args = parser.parse_args()
    threads = set_num_threads(2)
    budget = detection_budget(quick=args.quick)
    if args.no_time_limit:
        budget = dataclasses.replace(budget, time_budget=None)
    test = mean_ap.hidden_scenes()
    print(f"budget {budget}\nthreads {threads}, {len(test)} hidden test scenes")
    scores, seconds = [], []
    for seed in range(args.runs):
        model, history, score, aps = run(seed, budget, test)
        scores.append(score)
        seconds.append(history["seconds"])
        per_class = " ".join(f"{ap:.3f}" for ap in aps if ap is not None)
        print(f"seed {seed}: {history['steps']} steps in {history['seconds']:.1f} s, final loss "
              f"{statistics.fmean(history['loss'][-50:]):.3f}, mAP@0.5 {score:.3f} "
              f"(per class {per_class})", flush=True)
        if seed == 0 and args.save:
            save_detector(model, args.save / "detector.pt", map50=score, seed=seed)
    print(f"median over {args.runs} runs: mAP@0.5 {statistics.median(scores):.3f} "
          f"(min {min(scores):.3f}, max {max(scores):.3f}), training "
          f"{statistics.median(seconds):.1f} s (max {max(seconds):.1f} s)")


if __name__ == "__main__":
    main()
