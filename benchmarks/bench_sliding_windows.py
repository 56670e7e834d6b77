"""Sliding windows: one classifier forward per window against one pass of its convolutional
version (notebook 10, exercise 3), with the reference's fc_to_conv.

The classifier is the notebook's (two 3x3 convolutions with max-pooling, then three Linear
layers over a 14 x 14 window); windows step by 4 pixels. Each run times both ways on fresh
random images (best of 5 calls each, alternated), checks the outputs agree, and reports the
ratio; the script prints the median over runs for each image size.

    python benchmarks/bench_sliding_windows.py [--runs 5] [--sizes 64 128] [--threads 1]
"""

import argparse
import statistics
import time

import torch
from torch import nn

from grader.checking import load_reference
from grader.course.layout import CHECKS_ROOT

WINDOW, STRIDE, CLASSES = 14, 4, 4


def window_classifier():
    """The notebook's classifier of one 14 x 14 window (4 outputs)."""
    return nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3),
                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 2 * 2, 64),
                         nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, CLASSES)).eval()


def one_forward_per_window(classifier, images):
    rows = (images.shape[2] - WINDOW) // STRIDE + 1
    cols = (images.shape[3] - WINDOW) // STRIDE + 1
    out = torch.zeros(images.shape[0], CLASSES, rows, cols)
    for i in range(rows):
        for j in range(cols):
            window = images[:, :, i * STRIDE:i * STRIDE + WINDOW, j * STRIDE:j * STRIDE + WINDOW]
            out[:, :, i, j] = classifier(window)
    return out


def best_of(function, repeats=5):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def one_run(classifier, convolutional, size, seed):
    images = torch.randn(1, 3, size, size, generator=torch.Generator().manual_seed(seed))
    loop_seconds, by_loop = best_of(lambda: one_forward_per_window(classifier, images))
    pass_seconds, by_pass = best_of(lambda: convolutional(images))
    if by_loop.shape != by_pass.shape or not torch.allclose(by_loop, by_pass, atol=1e-5):
        raise SystemExit(f"outputs differ at size {size}: the benchmark is wrong")
    return loop_seconds, pass_seconds, by_loop.shape[2] * by_loop.shape[3]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    classifier = window_classifier()
    with torch.no_grad():
        reference = load_reference(CHECKS_ROOT / "10_detection" / "reference.py")
        convolutional = reference.fc_to_conv(classifier).eval()
        print(f"torch {torch.__version__}, {args.threads} thread(s), {args.runs} runs, "
              f"window {WINDOW}, stride {STRIDE}")
        for size in args.sizes:
            runs = [one_run(classifier, convolutional, size, seed) for seed in range(args.runs)]
            loops = [r[0] for r in runs]
            passes = [r[1] for r in runs]
            ratios = [loop / one_pass for loop, one_pass, _ in runs]
            print(f"{size:4d} px, {runs[0][2]:4d} windows: one forward per window "
                  f"{statistics.median(loops) * 1e3:7.1f} ms, one pass "
                  f"{statistics.median(passes) * 1e3:6.2f} ms, speed-up median "
                  f"{statistics.median(ratios):5.1f}x [{min(ratios):.1f}-{max(ratios):.1f}]")


if __name__ == "__main__":
    main()
