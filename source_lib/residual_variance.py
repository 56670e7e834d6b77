"""How the variance of the signal grows through a stack of residual blocks at initialisation.

    from source_lib.residual_variance import (PreActivationBlock, variance_by_depth,
                                              plot_variance_by_depth)
    curves = {"pre-activation": variance_by_depth(PreActivationBlock)}
    plot_variance_by_depth(curves)   # log scale, and a linear panel for the slow curves

The lecture's argument (deck 002, "¿Por qué batch normalization?"): with He initialisation a
convolution followed by a ReLU keeps the scale of its input, so a residual block without
normalisation adds to x a branch F(x) as large as x itself and almost uncorrelated with it:
every sum doubles the variance, and K blocks multiply it by 2^K. A batch norm in the branch
gives F(x) unit variance whatever the scale of x, so each block adds about a constant and the
variance grows linearly. ``variance_by_depth`` measures this on random inputs in a second.
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from source_lib.plotting import closed_figure


class PreActivationBlock(nn.Module):
    """The "pre-activation" residual block (He et al., Identity Mappings in Deep Residual
    Networks, 2016): x + conv(relu(bn(conv(relu(bn(x)))))), identity shortcut only.

    Nothing follows the sum, so the identity path from a block's input to the network's
    last sum is a chain of additions. ``batch_norm=False`` leaves out both batch norms.
    (N, C, H, W) -> (N, C, H, W).
    """

    def __init__(self, channels, batch_norm=True):
        super().__init__()
        def norm():
            return nn.BatchNorm2d(channels) if batch_norm else nn.Identity()
        self.bn1, self.bn2 = norm(), norm()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)

    def forward(self, x):
        branch = self.conv1(F.relu(self.bn1(x)))
        return x + self.conv2(F.relu(self.bn2(branch)))


def he_initialise(module):
    """Every Conv2d's weights drawn with He's normal initialisation (std sqrt(2 / fan_in),
    the scale that a ReLU halves back), biases zeroed; returns the module.

    PyTorch's default initialisation is sqrt(6) = 2.4 times smaller in standard deviation, so
    without batch norm its signal *shrinks* from layer to layer: the lecture's argument
    assumes He's."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    return module


def variance_by_depth(make_block, depth=32, channels=32, size=16, batch=32, seed=0):
    """Variance of the activations after each of ``depth`` fresh blocks ``make_block(channels)``
    (He-initialised), on ``batch`` standard normal inputs (C = channels, size x size).

    Returns a float array (depth + 1,): entry 0 is the input's variance (about 1), entry k
    the variance after block k. Blocks run in train mode (batch norm uses the batch's
    statistics, as in the first training step) without gradients, on one thread; the caller's
    random state and thread count are left as they were.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # tensors this small: waking a second thread costs more than it saves
    try:
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            x = torch.randn(batch, channels, size, size)
            variances = [x.var().item()]
            with torch.no_grad():
                for _ in range(depth):
                    x = he_initialise(make_block(channels)).train()(x)
                    variances.append(x.float().var().item())
    finally:
        torch.set_num_threads(threads)
    return np.array(variances)


def _draw_curves(ax, curves):
    for index, (name, curve) in enumerate(curves.items()):
        ax.plot(np.arange(len(curve)), curve, marker=".", color=f"C{index}", label=name)
    ax.set_xlabel("block k (0: the input)")
    ax.grid(True, alpha=0.3)


def plot_variance_by_depth(curves, doubling=True):
    """Variance against the number of blocks, one line per ``{name: curve}`` (curves from
    :func:`variance_by_depth`): on a log scale with the dotted line 2^k of a variance doubled
    at every sum (``doubling``), and beside it on a linear scale the curves that stay below
    10 times the depth (the ones that grow linearly), with the line 1 + k. Returns the Figure."""
    depth = max(len(curve) for curve in curves.values()) - 1
    blocks = np.arange(depth + 1)
    slow = {name: curve for name, curve in curves.items() if np.max(curve) <= 10 * depth}
    fig, axes = closed_figure((12, 4.2), 1, 2 if slow else 1,
                              gridspec_kw={"width_ratios": [1.4, 1] if slow else [1]})
    ax = axes[0, 0]
    _draw_curves(ax, curves)
    if doubling:
        ax.plot(blocks, 2.0 ** blocks, ":", color="0.4", label="$2^k$: doubled at every sum")
    ax.set_yscale("log")
    ax.set_ylabel("variance of the activations")
    ax.set_title("log scale", fontsize="medium")
    ax.legend(fontsize="small")
    if slow:
        ax = axes[0, 1]
        _draw_curves(ax, slow)
        for line, name in zip(ax.lines, slow):   # the colours of the left panel
            line.set_color(f"C{list(curves).index(name)}")
        ax.plot(blocks, 1.0 + blocks, ":", color="0.4", label="$1 + k$: one more per block")
        ax.set_title("linear scale: the curves that grow linearly", fontsize="medium")
        ax.legend(fontsize="small")
    fig.suptitle("variance of the signal after k residual blocks at initialisation (He), "
                 "random inputs", fontsize="medium")
    fig.tight_layout()
    return fig
