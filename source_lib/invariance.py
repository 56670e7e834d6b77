"""What a network's inductive bias assumes about images: pixel order and position.

    from source_lib.invariance import (fixed_pixel_permutation, permute_pixels, shift_images,
                                       accuracy_under_shift, plot_accuracy_vs_shift)
    permutation = fixed_pixel_permutation(28 * 28, seed=0)
    x_scrambled = permute_pixels(x, permutation)          # same shuffle for every image
    x_right = shift_images(x, dx=2, dy=0)                  # whole batch 2 pixels to the right
    curve = accuracy_under_shift(model, x_test, y_test, shifts=range(5))
    plot_accuracy_vs_shift({"SmallCNN": curve})

Images are batches ``(N, C, H, W)`` (or ``(N, H, W)``), as tensors or NumPy arrays;
every function returns the type it was given. Nothing here is random at call
time: a permutation is fixed by its seed, a shift by its offsets, so train and
test data get exactly the same transformation.
"""

import numpy as np
import torch

from source_lib.plotting import closed_figure
from source_lib.training.loops import predict

# The four directions averaged by accuracy_under_shift, as (dx, dy) unit steps:
# right, left, down, up (x grows to the right, y downwards, as in an image).
SHIFT_DIRECTIONS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def fixed_pixel_permutation(n_pixels=784, seed=0):
    """One fixed shuffle of ``n_pixels`` positions: int64 tensor (n_pixels,), same for a seed."""
    if int(n_pixels) < 1:
        raise ValueError(f"n_pixels must be >= 1, got {n_pixels}")
    generator = torch.Generator().manual_seed(int(seed))
    return torch.randperm(int(n_pixels), generator=generator)


def _check_images(x, name):
    if x.ndim < 3:
        raise ValueError(f"{name} expects a batch of images (N, H, W) or (N, C, H, W), "
                         f"got shape {tuple(x.shape)}")


def permute_pixels(x, permutation):
    """Move pixel ``permutation[i]`` of every image to position ``i``; returns x's shape and type.

    ``x``: (N, C, H, W) or (N, H, W); ``permutation``: (H*W,) indices, a
    permutation of 0..H*W-1. Every image and every channel gets the same shuffle,
    so no information is lost: the shuffle could be undone.
    """
    _check_images(x, "permute_pixels")
    height, width = x.shape[-2:]
    order = np.asarray(permutation.cpu() if isinstance(permutation, torch.Tensor)
                       else permutation).astype(np.int64).ravel()
    if not np.array_equal(np.sort(order), np.arange(height * width)):
        raise ValueError(f"permutation must contain each of the {height * width} pixel "
                         f"positions of a {height}x{width} image exactly once")
    flat = x.reshape(*x.shape[:-2], height * width)
    if isinstance(x, torch.Tensor):
        return flat[..., torch.from_numpy(order).to(x.device)].reshape(x.shape)
    return flat[..., order].reshape(x.shape)


def shift_images(x, dx, dy):
    """Translate every image by ``dx`` pixels to the right and ``dy`` down (negative: left/up).

    Pixels moved out of the frame are lost, uncovered ones are 0 (the black
    background of Fashion-MNIST). Deterministic: the whole batch moves the same
    way. ``x``: (N, C, H, W) or (N, H, W); returns the same shape and type.
    """
    _check_images(x, "shift_images")
    dx, dy = int(dx), int(dy)
    height, width = x.shape[-2:]
    shifted = torch.zeros_like(x) if isinstance(x, torch.Tensor) else np.zeros_like(x)
    if abs(dx) >= width or abs(dy) >= height:
        return shifted  # everything moved out of the frame
    shifted[..., max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        x[..., max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    return shifted


def _accuracy(model, x, labels, batch_size):
    return float((predict(model, x, batch_size=batch_size) == labels).mean())


def accuracy_under_shift(model, x, y, shifts, batch_size=1000):
    """Test accuracy of ``model`` on images translated by each shift: ``{shift: accuracy}``.

    A shift ``s`` > 0 moves the images ``s`` pixels right, left, down and up
    (:data:`SHIFT_DIRECTIONS`) and averages the four accuracies, so a model that
    happens to prefer one direction is not favoured; ``s = 0`` is the plain test
    accuracy. Predictions run in eval mode without gradients (``training.predict``),
    the way the grader measures; the model's mode is restored. ``x``: (N, C, H, W)
    in the model's input convention, ``y``: (N,) labels; accuracies in [0, 1].
    """
    labels = np.asarray(y.cpu() if isinstance(y, torch.Tensor) else y).astype(np.int64)
    if len(labels) != len(x):
        raise ValueError(f"x has {len(x)} images but y has {len(labels)} labels")
    results = {}
    for shift in shifts:
        shift = int(shift)
        if shift < 0:
            raise ValueError(f"shifts are distances in pixels (>= 0), got {shift}")
        if shift == 0:
            results[shift] = _accuracy(model, x, labels, batch_size)
            continue
        per_direction = [_accuracy(model, shift_images(x, step_x * shift, step_y * shift),
                                   labels, batch_size)
                         for step_x, step_y in SHIFT_DIRECTIONS]
        results[shift] = float(np.mean(per_direction))
    return results


def plot_accuracy_vs_shift(curves, title="accuracy on translated test images"):
    """One line per model: accuracy (y) against the shift in pixels (x); returns the Figure.

    ``curves``: ``{model name: {shift: accuracy}}`` as returned by
    :func:`accuracy_under_shift`.
    """
    fig, axes = closed_figure((5.5, 3.6))
    ax = axes[0, 0]
    for i, (name, curve) in enumerate(curves.items()):
        shifts = sorted(curve)
        ax.plot(shifts, [curve[s] for s in shifts], marker="o", color=f"C{i % 10}",
                label=str(name))
    all_shifts = sorted({int(s) for curve in curves.values() for s in curve})
    ax.set_xticks(all_shifts)
    ax.set_xlabel("shift in pixels (average of right, left, down, up)")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.set_title(title)
    if curves:
        ax.legend(loc="lower left")
    fig.tight_layout()
    return fig
