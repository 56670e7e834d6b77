"""Loops vs im2col vs torch for one conv layer (the algorithms of notebook 02).

    python benchmarks/bench_im2col.py [--repeats 5] [--loop-images 1]

x (8, 16, 32, 32), w (32, 16, 3, 3), float64, one thread. The im2col and loop versions
are the reference solutions (grader/checks/02_conv2d/reference.py): conv2d_im2col and
corr2d_multi_in_out (loops over output channels, input channels and pixels). The loop
version is timed on --loop-images images and scaled to the batch (it is far too slow
for all 8). Targets: im2col within 5x of torch, loops at least 50x slower than im2col.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from grader.checking import load_reference

REFERENCE = Path(__file__).resolve().parent.parent / "grader" / "checks" / "02_conv2d" / "reference.py"
X_SHAPE, W_SHAPE = (8, 16, 32, 32), (32, 16, 3, 3)


def median_seconds(function, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--loop-images", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    ref = load_reference(REFERENCE)
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=X_SHAPE), rng.normal(size=W_SHAPE)
    xt, wt = torch.as_tensor(x), torch.as_tensor(w)
    loop_images = max(1, min(args.loop_images, X_SHAPE[0]))

    expected = F.conv2d(xt, wt).numpy()
    assert np.allclose(ref.conv2d_im2col(x, w), expected)
    assert np.allclose(ref.corr2d_multi_in_out(x[0], w), expected[0])

    torch_s = median_seconds(lambda: F.conv2d(xt, wt), args.repeats)
    im2col_s = median_seconds(lambda: ref.conv2d_im2col(x, w), args.repeats)
    per_image = median_seconds(lambda: [ref.corr2d_multi_in_out(img, w) for img in x[:loop_images]],
                               max(1, args.repeats // 2)) / loop_images
    loops_s = per_image * X_SHAPE[0]

    print(f"x {X_SHAPE}, w {W_SHAPE}, float64, 1 thread, median of {args.repeats} runs")
    print(f"  torch F.conv2d         {torch_s * 1e3:10.2f} ms")
    print(f"  im2col (reference)     {im2col_s * 1e3:10.2f} ms")
    print(f"  loops (reference)      {loops_s * 1e3:10.2f} ms   "
          f"(timed on {loop_images} image(s), x{X_SHAPE[0] / loop_images:g})")
    print(f"  im2col / torch         {im2col_s / torch_s:10.2f}x   (target <= 5x)")
    print(f"  loops / im2col         {loops_s / im2col_s:10.0f}x   (target >= 50x)")


if __name__ == "__main__":
    main()
