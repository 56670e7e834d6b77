"""Notebook 08 in full mode: the transfer-learning experiments and the graded fine-tune.

Everything trains with the reference solutions (grader/checks/08_transfer_learning/
reference.py) on the course backbone (``python -m source_lib.pretrain``, cached in
COURSE_CACHE_DIR), with the notebook's budgets (``source_lib.transfer.budgets``):

* the accuracy table: scratch / linear probe on cached features / fine-tuning (backbone at
  a 10x lower learning rate, ``param_groups``) x labels per class, median (min-max) over
  the seeds, on the notebook's target test images;
* the gain of fine-tuning over scratch on the target CIFAR classes and on Fashion-MNIST;
* (``--widget``) the frozen-stages table of the notebook's widget;
* the graded model (fine-tuned on the graded number of labels per class), ``--runs`` times
  (seeds 0, 1, ...): its accuracy on all 5,000 target test images the grader's way, and
  the median training time;
* the times: pretraining (from the cache's meta.json), each experiment, the graded run.

    python benchmarks/bench_transfer.py [--runs 3] [--widget] [--save DIR] [--quick]

``--save DIR`` writes the seed-0 graded model as ``DIR/transfer.pt`` (float16 weights when
that leaves the accuracy unchanged, else float32) with ``source_lib.checkpoint``.
Set COURSE_DATA_DIR (the data) and COURSE_CACHE_DIR (the pretrained backbone).
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch

from grader.checking import load_reference
from source_lib.reproducibility import set_num_threads
from source_lib.training.cifar import mixed_subset
from source_lib.transfer.backbones import load_backbone
from source_lib.transfer.budgets import experiment_budget
from source_lib.transfer.features import cached_features
from source_lib.transfer.model import STAGES, TransferNet
from source_lib.transfer.tasks import (
    fashion_task,
    few_labels,
    target_task,
)
from source_lib.transfer.training import evaluate, fit, fit_linear_probe

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "grader" / "checks" / "08_transfer_learning" / "test_freeze.py"
# the graded model's training, shared with the build of the reference transfer.pt
BUILDER = load_reference(REFERENCE, "reference_model")
CHECKPOINT_NAME = BUILDER.FILES[0]


class Runs:
    """The notebook's three methods with the reference's functions and one budget."""

    def __init__(self, ref, pretrained, budget):
        self.ref, self.pretrained, self.budget = ref, pretrained, budget

    def fine_tune(self, x, y, steps, seed, frozen=0, batch_size=None):
        return BUILDER.fine_tune(self.ref, self.pretrained, self.budget, x, y, steps, seed,
                                 frozen=frozen, batch_size=batch_size)

    def from_scratch(self, x, y, steps, seed):
        torch.manual_seed(seed)
        model = TransferNet(num_classes=5)
        fit(model, model.parameters(), x, y, steps=steps, batch_size=self.budget.batch_size,
            seed=seed, lr=self.budget.lr_scratch)
        return model

    def features(self, x, y, tag):
        return cached_features(self.ref.extract_features, self.pretrained.backbone, x, y, tag)


def accuracy_table(runs, pool, test, test_features):
    """{method: {count: [accuracy per seed]}} of scratch, probe and fine-tuning."""
    budget = runs.budget
    pool_features = runs.features(*pool, tag="target-pool")
    table = {"from scratch": {}, "linear probe": {}, "fine-tuning": {}}
    for count in budget.counts:
        for per_count in table.values():
            per_count[count] = []
        for seed in budget.seeds:
            x, y = few_labels(*pool, count, seed=seed)
            fx, fy = few_labels(*pool_features, count, seed=seed)    # the same images
            steps = budget.steps[count]
            table["from scratch"][count].append(evaluate(runs.from_scratch(x, y, steps, seed), *test))
            table["linear probe"][count].append(evaluate(fit_linear_probe(fx, fy), *test_features))
            table["fine-tuning"][count].append(evaluate(runs.fine_tune(x, y, steps, seed), *test))
            print(f"  {count} labels/class, seed {seed}: " + ", ".join(
                f"{name} {table[name][count][-1]:.3f}" for name in table), flush=True)
    return table


def fashion_gains(runs, cifar_table):
    """{target: {count: [fine-tuning - scratch per seed]}} for CIFAR and Fashion-MNIST."""
    budget = runs.budget
    train, test = fashion_task("train"), mixed_subset(*fashion_task("test"), budget.test_images, seed=1)
    gains = {"CIFAR-10 target classes": {}, "Fashion-MNIST (grey)": {}}
    for count in budget.fashion_counts:
        seeds = range(len(budget.fashion_seeds))
        gains["CIFAR-10 target classes"][count] = [
            cifar_table["fine-tuning"][count][i] - cifar_table["from scratch"][count][i] for i in seeds]
        gains["Fashion-MNIST (grey)"][count] = []
        for seed in budget.fashion_seeds:
            x, y = few_labels(*train, count, seed=seed)
            steps = budget.steps[count]
            tuned = evaluate(runs.fine_tune(x, y, steps, seed), *test)
            scratch = evaluate(runs.from_scratch(x, y, steps, seed), *test)
            gains["Fashion-MNIST (grey)"][count].append(tuned - scratch)
            print(f"  Fashion-MNIST {count}/class seed {seed}: fine-tuning {tuned:.3f}, "
                  f"scratch {scratch:.3f}", flush=True)
    return gains


def widget_table(runs, pool, test):
    """{k frozen stages: {count: [accuracy per seed]}} of the notebook's widget."""
    budget = runs.budget
    test = mixed_subset(*test, budget.widget_test_images, seed=2)
    table = {}
    for k in range(len(STAGES) + 1):
        table[k] = {count: [evaluate(runs.fine_tune(
            *few_labels(*pool, count, seed=seed), budget.widget_steps, seed, frozen=k,
            batch_size=budget.widget_batch_size), *test) for seed in budget.widget_seeds]
            for count in budget.widget_counts}
        print(f"  k={k}: " + ", ".join(f"{c}: {statistics.median(v):.3f}"
                                       for c, v in table[k].items()), flush=True)
    return table


def graded_runs(runs, pool, n_runs):
    """The graded fine-tune ``n_runs`` times: [(model, accuracy, seconds)]."""
    budget, test = runs.budget, BUILDER.graded_test_set()
    results = []
    for seed in range(n_runs):
        started = time.perf_counter()
        model = BUILDER.graded_model(runs.ref, runs.pretrained, budget, pool, seed)
        seconds = time.perf_counter() - started
        results.append((model, evaluate(model, *test), seconds))
        print(f"  graded model, seed {seed}: target test accuracy {results[-1][1]:.4f} "
              f"({seconds:.1f} s)", flush=True)
    return results


def save_graded(model, accuracy, save_dir, budget):
    path = Path(save_dir) / CHECKPOINT_NAME
    kind, saved_accuracy = BUILDER.save_graded(model, path, budget, accuracy)
    print(f"saved {path} ({path.stat().st_size / 1e6:.2f} MB, {kind} weights): reloaded "
          f"test accuracy {saved_accuracy:.4f} (float32 {accuracy:.4f})", flush=True)


def print_table(table, title):
    print(f"\n{title} (median [min-max] over seeds)")
    counts = sorted({c for per in table.values() for c in per})
    print("  " + "method".ljust(24) + "".join(str(c).rjust(22) for c in counts))
    for name, per in table.items():
        cells = [f"{statistics.median(per[c]):.3f} [{min(per[c]):.3f}-{max(per[c]):.3f}]"
                 if c in per else "-" for c in counts]
        print("  " + str(name).ljust(24) + "".join(cell.rjust(22) for cell in cells))


def experiments(runs, pool, test, times, widget):
    """The notebook's section 4, timed: its accuracy table."""
    test_features = timed(times, "test features", runs.features, *test, "target-test")
    table = timed(times, "accuracy table", accuracy_table, runs, pool, test, test_features)
    print_table(table, "target test accuracy")
    gains = timed(times, "fashion", fashion_gains, runs, table)
    print_table(gains, "gain of fine-tuning over scratch")
    if widget:
        print_table(timed(times, "widget", widget_table, runs, pool, test), "frozen stages k")
    return table


def timed(times, name, function, *args):
    started = time.perf_counter()
    result = function(*args)
    times[name] = round(time.perf_counter() - started, 1)
    print(f"{name}: {times[name]} s", flush=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="graded fine-tunes (seeds)")
    parser.add_argument("--widget", action="store_true", help="also the frozen-stages table")
    parser.add_argument("--save", metavar="DIR", default=None)
    parser.add_argument("--quick", action="store_true", help="quick-mode budgets (smoke test)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--graded-only", action="store_true",
                        help="only the graded runs (and --save): no experiments")
    args = parser.parse_args()
    if args.quick:     # the quick backbone too (course_backbone follows COURSE_QUICK)
        os.environ["COURSE_QUICK"] = "1"
    threads = set_num_threads(args.threads)
    ref, budget = load_reference(REFERENCE), experiment_budget(args.quick or None)
    times = {}
    pretrained, info = timed(times, "backbone", load_backbone, "course")
    print(info.description, f"| {threads} threads", flush=True)
    times["pretraining (meta.json)"] = info.meta.get("seconds")
    pool = BUILDER.labelled_pool(budget)
    test = mixed_subset(*target_task("test"), budget.test_images, seed=1)
    runs = Runs(ref, pretrained, budget)
    table = {} if args.graded_only else experiments(runs, pool, test, times, args.widget)
    graded = timed(times, "graded runs", graded_runs, runs, pool, args.runs)
    accuracies = [accuracy for _, accuracy, _ in graded]
    print(f"\ngraded model: median {statistics.median(accuracies):.4f} (min {min(accuracies):.4f},"
          f" max {max(accuracies):.4f}), median {statistics.median(s for *_, s in graded):.1f} s")
    if args.save is not None:
        save_graded(graded[0][0], graded[0][1], args.save, budget)
    print(json.dumps({"notebook": "08", "times": times, "graded_accuracies": accuracies,
                      "table": {m: {str(c): v for c, v in per.items()} for m, per in table.items()}}))


if __name__ == "__main__":
    main()
