"""Tests for source_lib.invariance: fixed permutations, deterministic shifts, accuracy vs shift."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from source_lib.invariance import (  # noqa: E402
    accuracy_under_shift,
    fixed_pixel_permutation,
    permute_pixels,
    plot_accuracy_vs_shift,
    shift_images,
)


def numbered_images(n=2, channels=1, height=4, width=5):
    """Images whose pixel values are their flat positions (plus 100 per image)."""
    base = torch.arange(height * width, dtype=torch.float32).reshape(height, width)
    return torch.stack([base + 100 * i for i in range(n)])[:, None].repeat(1, channels, 1, 1)


def test_permutation_is_fixed_by_its_seed():
    first = fixed_pixel_permutation(784, seed=0)
    assert first.dtype == torch.int64 and first.shape == (784,)
    assert torch.equal(torch.sort(first).values, torch.arange(784))
    assert torch.equal(first, fixed_pixel_permutation(784, seed=0))
    assert not torch.equal(first, fixed_pixel_permutation(784, seed=1))
    with pytest.raises(ValueError):
        fixed_pixel_permutation(0)


def test_permute_pixels_same_shuffle_for_every_image_and_channel():
    x = numbered_images(n=3, channels=2)
    permutation = fixed_pixel_permutation(20, seed=3)
    permuted = permute_pixels(x, permutation)
    assert permuted.shape == x.shape and isinstance(permuted, torch.Tensor)
    for image in range(3):
        for channel in range(2):
            expected = x[image, channel].reshape(-1)[permutation].reshape(4, 5)
            assert torch.equal(permuted[image, channel], expected)
    # nothing lost: the inverse permutation restores the images
    inverse = torch.argsort(permutation)
    assert torch.equal(permute_pixels(permuted, inverse), x)


def test_permute_pixels_numpy_in_numpy_out_and_bad_permutations():
    x = numbered_images(n=2).numpy()
    permutation = np.arange(20)[::-1]
    permuted = permute_pixels(x, permutation)
    assert isinstance(permuted, np.ndarray)
    np.testing.assert_array_equal(permuted[1, 0].ravel(), x[1, 0].ravel()[::-1])
    with pytest.raises(ValueError, match="exactly once"):
        permute_pixels(x, np.arange(19))
    with pytest.raises(ValueError, match="exactly once"):
        permute_pixels(x, np.zeros(20, dtype=int))
    with pytest.raises(ValueError, match="batch of images"):
        permute_pixels(x[0, 0], np.arange(20))


@pytest.mark.parametrize("dx, dy", [(1, 0), (-2, 0), (0, 3), (0, -1), (2, -1), (-1, 2)])
def test_shift_images_moves_every_pixel_and_fills_with_zeros(dx, dy):
    x = numbered_images(n=2) + 1  # no zero pixels, so the fill is visible
    shifted = shift_images(x, dx, dy)
    assert shifted.shape == x.shape
    height, width = x.shape[-2:]
    for row in range(height):
        for col in range(width):
            source_row, source_col = row - dy, col - dx
            inside = 0 <= source_row < height and 0 <= source_col < width
            expected = x[:, :, source_row, source_col] if inside else torch.zeros(2, 1)
            assert torch.equal(shifted[:, :, row, col], expected), (row, col)


def test_shift_images_edge_cases():
    x = numbered_images(n=1)
    assert torch.equal(shift_images(x, 0, 0), x)
    assert shift_images(x, 0, 0) is not x  # a copy: the caller's data is never changed
    assert torch.count_nonzero(shift_images(x, 5, 0)) == 0
    assert torch.count_nonzero(shift_images(x, 0, -4)) == 0
    as_numpy = shift_images(x.numpy()[:, 0], 1, 0)  # (N, H, W) NumPy works too
    assert isinstance(as_numpy, np.ndarray) and as_numpy.shape == (1, 4, 5)
    np.testing.assert_array_equal(as_numpy[0, :, 0], 0)


class PixelLookup(nn.Module):
    """Predicts class 1 when the pixel at (row 2, col 2) is bright, else class 0."""

    def forward(self, x):
        bright = x[:, 0, 2, 2] > 0.5
        return torch.stack([(~bright).float(), bright.float()], dim=1)


def test_accuracy_under_shift_averages_four_directions_in_eval_mode():
    x = torch.zeros(4, 1, 5, 5)
    x[:, 0, 2, 2] = 1.0                       # every image: one bright centre pixel
    y = torch.ones(4, dtype=torch.int64)
    model = PixelLookup().train()
    curve = accuracy_under_shift(model, x, y, shifts=[0, 1, 2])
    assert curve == {0: 1.0, 1: 0.0, 2: 0.0}
    assert model.training                     # mode restored

    # a bright vertical bar survives up/down shifts but not left/right: half of four
    x[:, 0, :, 2] = 1.0
    assert accuracy_under_shift(model, x, y, shifts=[1]) == {1: 0.5}


def test_accuracy_under_shift_rejects_bad_arguments():
    x, y = torch.zeros(3, 1, 5, 5), torch.zeros(2, dtype=torch.int64)
    with pytest.raises(ValueError, match="labels"):
        accuracy_under_shift(PixelLookup(), x, y, [0])
    with pytest.raises(ValueError, match=">= 0"):
        accuracy_under_shift(PixelLookup(), x, torch.zeros(3, dtype=torch.int64), [-1])


def test_plot_accuracy_vs_shift_one_line_per_model():
    fig = plot_accuracy_vs_shift({"MLP": {0: 0.88, 2: 0.4, 1: 0.7},
                                  "SmallCNN": {0: 0.92, 1: 0.85, 2: 0.7}})
    assert isinstance(fig, Figure)
    assert not plt.get_fignums()              # returned closed
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    assert set(lines) == {"MLP", "SmallCNN"}
    np.testing.assert_array_equal(lines["MLP"].get_xdata(), [0, 1, 2])  # sorted by shift
    np.testing.assert_allclose(lines["MLP"].get_ydata(), [0.88, 0.7, 0.4])
    assert "shift" in ax.get_xlabel()
