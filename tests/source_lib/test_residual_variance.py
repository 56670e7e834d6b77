"""Tests for source_lib.residual_variance: the pre-activation block, He initialisation and the
measured growth of the variance with depth (doubling without batch norm, linear with it)."""

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from source_lib.residual_variance import (PreActivationBlock, he_initialise,
                                          plot_variance_by_depth, variance_by_depth)


def test_preactivation_block_is_x_plus_its_branch_with_nothing_after_the_sum():
    block = PreActivationBlock(4).eval()
    x = torch.randn(2, 4, 6, 6, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        expected = x + block.conv2(F.relu(block.bn2(block.conv1(F.relu(block.bn1(x))))))
        torch.testing.assert_close(block(x), expected)
        block.conv2.weight.zero_()            # no branch: the identity, negative values kept
        torch.testing.assert_close(block(x), x)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in PreActivationBlock(4).modules()) == 2
    assert not any(isinstance(m, nn.BatchNorm2d)
                   for m in PreActivationBlock(4, batch_norm=False).modules())


def test_he_initialisation_scale():
    torch.manual_seed(0)
    model = he_initialise(nn.Sequential(nn.Conv2d(64, 128, 3), nn.Linear(3, 3)))
    conv = model[0]
    assert math.isclose(conv.weight.std().item(), math.sqrt(2 / (64 * 9)), rel_tol=0.02)
    assert torch.count_nonzero(conv.bias) == 0
    default = nn.Conv2d(64, 128, 3)           # PyTorch's default: sqrt(6) times smaller
    assert math.isclose(conv.weight.std().item() / default.weight.std().item(), math.sqrt(6),
                        rel_tol=0.03)


def test_without_batch_norm_each_sum_about_doubles_the_variance():
    curve = variance_by_depth(lambda c: PreActivationBlock(c, batch_norm=False), depth=16)
    assert curve.shape == (17,) and math.isclose(curve[0], 1.0, rel_tol=0.05)
    per_block = (curve[-1] / curve[0]) ** (1 / 16)
    assert 1.6 < per_block < 2.4


def test_with_batch_norm_the_variance_grows_linearly():
    curve = variance_by_depth(PreActivationBlock, depth=16)
    steps = np.diff(curve)
    assert 0.6 < steps.mean() < 1.4                 # about one unit of variance per block
    assert np.all(steps > 0)
    assert curve[-1] < 2 * 16                       # nowhere near 2^16


def test_identity_blocks_keep_the_variance_and_the_seed_repeats():
    state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    curve = variance_by_depth(lambda c: nn.Identity(), depth=3, seed=5)
    assert torch.equal(torch.random.get_rng_state(), state)   # the caller's stream untouched
    assert torch.get_num_threads() == threads
    assert np.ptp(curve) == 0
    np.testing.assert_array_equal(variance_by_depth(PreActivationBlock, depth=3, seed=1),
                                  variance_by_depth(PreActivationBlock, depth=3, seed=1))


def test_plot_log_scale_with_doubling_and_linear_panel_for_slow_curves():
    before = plt.get_fignums()
    curves = {"fast": 2.0 ** np.arange(9), "slow": 1.0 + np.arange(9)}   # 256 > 10 x 8
    fig = plot_variance_by_depth(curves)
    log_ax, linear_ax = fig.axes
    assert log_ax.get_yscale() == "log" and linear_ax.get_yscale() == "linear"
    assert plt.get_fignums() == before
    assert [line.get_label() for line in log_ax.lines] == ["fast", "slow",
                                                           "$2^k$: doubled at every sum"]
    np.testing.assert_array_equal(log_ax.lines[2].get_ydata(), 2.0 ** np.arange(9))
    # only the curve that stays below 10 x depth, in its colour on the left
    assert [line.get_label() for line in linear_ax.lines] == ["slow", "$1 + k$: one more per block"]
    assert linear_ax.lines[0].get_color() == log_ax.lines[1].get_color()
    assert len(plot_variance_by_depth({"fast": curves["fast"]}).axes) == 1
    assert len(plot_variance_by_depth(curves, doubling=False).axes[0].lines) == 2
