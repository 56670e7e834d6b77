"""Notebook 09's style transfer timed per feature extractor and image size.

For each extractor available here (``source_lib.style.extractors.available_extractors``:
ImageNet VGG-16 when its weights are cached or downloadable, random VGG-16, the course's
ResNet-18) and each size (128 and 256 px by default), with the reference solutions
(grader/checks/09_style_transfer/reference.py) and the notebook's settings
(``source_lib.style.budgets``: Adam at lr 0.02, the extractor's default layers, alpha and the
extractor's beta, scaled by (size / 128)^2 as the notebook does):

* seconds per step: the median of ``--repeats`` runs of ``--probe-steps`` steps, after one
  warm-up run;
* the full run (``--steps``, 200 by default): its seconds and the final content, style and
  total costs.

Printed as a table, then one JSON line.

    python benchmarks/bench_style.py [--sizes 128 256] [--steps 200] [--repeats 3]
        [--threads 2] [--reference PATH] [--no-course] [--max-pooling-baseline]

``--reference`` loads the graded functions from another file with the same names (default:
the checks folder's reference.py). Set COURSE_DATA_DIR (the paintings) and COURSE_CACHE_DIR
(the course backbone, pretrained on first use).
"""

import argparse
import dataclasses
import importlib.util
import json
import statistics
import time
from pathlib import Path

from source_lib.reproducibility import set_num_threads
from source_lib.style.budgets import style_budget
from source_lib.style.extractors import RANDOM_NAME, available_extractors, layer_list, vgg_features
from source_lib.style.images import content_image, style_image

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "grader" / "checks" / "09_style_transfer" / "reference.py"


def load_functions(path):
    """The module at ``path`` (the reference solutions, trusted code)."""
    spec = importlib.util.spec_from_file_location("_bench_style_reference", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_run(ref, choice, content, style, steps, beta, budget):
    """(seconds, history) of one run_style_transfer with ``choice``'s default layers and the
    budget's alpha and learning rate."""
    layers, content_index, style_weights = layer_list(choice)
    extractor = ref.FeatureExtractor(choice.model, layers)
    started = time.perf_counter()
    _, history = ref.run_style_transfer(extractor, content, style, content_index, style_weights,
                                        alpha=budget.alpha, beta=beta, steps=steps, lr=budget.lr)
    return time.perf_counter() - started, history


def measure(ref, choice, size, args):
    """One row of the table: seconds per step and the full run's time and costs."""
    budget = style_budget(quick=False)
    content = content_image(size)[0]
    style = style_image(budget.style, size)[0]
    beta = budget.scaled_beta(choice.name, size)
    one_run(ref, choice, content, style, 2, beta, budget)              # warm-up
    per_step = [one_run(ref, choice, content, style, args.probe_steps, beta, budget)[0]
                / args.probe_steps for _ in range(args.repeats)]
    seconds, history = one_run(ref, choice, content, style, args.steps, beta, budget)
    return {"extractor": choice.name, "size": size, "beta": beta,
            "seconds_per_step": statistics.median(per_step), "steps": args.steps,
            "seconds": seconds, **{f"final_{key}": values[-1] for key, values in history.items()},
            **{f"first_{key}": values[0] for key, values in history.items()}}


def max_pooling_baseline(extractors):
    """The random VGG-16 choice with max instead of average pooling (same seed, same weights,
    same layers and beta): what the notebook used before it followed Gatys et al."""
    random_vgg = next(choice for choice in extractors if choice.name == RANDOM_NAME)
    return dataclasses.replace(random_vgg, name=RANDOM_NAME + ", max pool",
                               model=vgg_features(16, "random", seed=0, pooling="max"),
                               note="the same, with max pooling (the baseline)")


def print_table(rows):
    print(f"\n{'extractor':<34}{'size':>6}{'s/step':>9}{'steps':>7}{'seconds':>9}"
          f"{'content':>12}{'style':>12}{'total':>12}")
    for row in rows:
        print(f"{row['extractor']:<34}{row['size']:>6}{row['seconds_per_step']:>9.3f}"
              f"{row['steps']:>7}{row['seconds']:>9.1f}{row['final_content']:>12.4g}"
              f"{row['final_style']:>12.4g}{row['final_total']:>12.4g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--steps", type=int, default=200, help="steps of the full run")
    parser.add_argument("--probe-steps", type=int, default=20, help="steps of a timing run")
    parser.add_argument("--repeats", type=int, default=3, help="timing runs per row")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--reference", type=Path, default=REFERENCE)
    parser.add_argument("--no-course", action="store_true", help="leave out the course ResNet-18")
    parser.add_argument("--max-pooling-baseline", action="store_true",
                        help="also random VGG-16 with torchvision's max pooling (same weights)")
    args = parser.parse_args()
    threads = set_num_threads(args.threads)
    ref = load_functions(args.reference)
    extractors = available_extractors(include_course=not args.no_course)
    if args.max_pooling_baseline:
        extractors.append(max_pooling_baseline(extractors))
    for choice in extractors:
        print(f"{'available' if choice.available else 'unavailable'}: {choice.name}: {choice.note}",
              flush=True)
    rows = []
    for choice in (c for c in extractors if c.available):
        for size in args.sizes:
            rows.append(measure(ref, choice, size, args))
            print(f"  {choice.name}, {size} px: {rows[-1]['seconds_per_step']:.3f} s/step, "
                  f"{rows[-1]['seconds']:.1f} s for {args.steps} steps", flush=True)
    print_table(rows)
    print(json.dumps({"notebook": "09", "threads": threads, "rows": rows,
                      "unavailable": {c.name: c.note for c in extractors if not c.available}}))


if __name__ == "__main__":
    main()
