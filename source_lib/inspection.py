"""Looking inside a trained image classifier: its worst mistakes, its filters, its feature maps.

    from source_lib.inspection import (worst_mistakes, show_worst_mistakes,
                                       plot_first_layer_filters, plot_feature_maps)
    mistakes = worst_mistakes(model, x_test, y_test, n=16)
    show_worst_mistakes(x_test, y_test, mistakes)
    plot_first_layer_filters(model.features[0].weight)
    plot_feature_maps(model, x_test[0])

Images are ``(N, C, H, W)`` in the model's input convention. Models run in eval
mode without gradients and get their train/eval mode back. Figures are returned
closed (shown once at the end of a Jupyter cell, never piling up).
"""

from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from source_lib.data.registry import FASHION_MNIST_CLASSES
from source_lib.plotting import closed_figure, show_images


class Mistakes(NamedTuple):
    """The most confident wrong predictions, most confident first (arrays of length n)."""

    indices: np.ndarray     # int64 positions in the data set
    predicted: np.ndarray   # int64 predicted labels
    confidence: np.ndarray  # float, the probability the model gave its wrong prediction


def _as_array(values):
    return values.detach().cpu().numpy() if isinstance(values, torch.Tensor) else np.asarray(values)


def _model_device(model):
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def class_probabilities(model, x, batch_size=1000):
    """Softmax of the model's logits: float32 array (N, C) for images ``x`` (N, ...)."""
    inputs = torch.as_tensor(x, dtype=torch.float32)
    device, was_training = _model_device(model), model.training
    model.eval()
    chunks = []
    try:
        with torch.no_grad():
            for start in range(0, len(inputs), int(batch_size)):
                logits = model(inputs[start:start + int(batch_size)].to(device))
                chunks.append(torch.softmax(logits.float(), dim=1).cpu())
    finally:
        model.train(was_training)
    return torch.cat(chunks).numpy() if chunks else np.zeros((0, 0), dtype=np.float32)


def worst_mistakes(model, x, y, n=16, batch_size=1000):
    """The ``n`` test images the model gets wrong with the highest confidence (:class:`Mistakes`).

    Fewer than ``n`` are returned when the model makes fewer mistakes.
    """
    labels = _as_array(y).astype(np.int64)
    probabilities = class_probabilities(model, x, batch_size)
    if len(probabilities) != len(labels):
        raise ValueError(f"x has {len(probabilities)} images but y has {len(labels)} labels")
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    # stable sort: equally confident mistakes keep their data set order
    worst = wrong[np.argsort(-confidence[wrong], kind="stable")][:int(n)]
    return Mistakes(worst.astype(np.int64), predicted[worst].astype(np.int64),
                    confidence[worst].astype(float))


def show_worst_mistakes(x, y, mistakes, class_names=FASHION_MNIST_CLASSES, ncols=8):
    """Grid of the mistaken images titled "true / predicted (p)"; returns the Figure.

    ``mistakes``: the result of :func:`worst_mistakes` on the same ``x``, ``y``.
    """
    labels = _as_array(y).astype(np.int64)
    titles = [f"{class_names[labels[i]]} /\n{class_names[p]} ({c:.2f})"
              for i, p, c in zip(mistakes.indices, mistakes.predicted, mistakes.confidence)]
    if not titles:
        fig, axes = closed_figure((4, 1))
        axes[0, 0].axis("off")
        axes[0, 0].text(0.5, 0.5, "no mistakes", ha="center", va="center")
        return fig
    images = x[torch.as_tensor(mistakes.indices)] if isinstance(x, torch.Tensor) \
        else np.asarray(x)[mistakes.indices]
    fig = show_images(images, labels=titles, ncols=ncols)
    fig.set_size_inches(1.7 * min(ncols, len(titles)), 2.0 * -(-len(titles) // ncols))
    fig.suptitle("most confident mistakes: true / predicted (probability)", y=1.0)
    fig.tight_layout()
    plt.close(fig)
    return fig


def plot_first_layer_filters(conv_weight, ncols=8, title=None):
    """Every filter of a first convolution layer as a small image; returns the Figure.

    ``conv_weight``: (C_out, C_in, kh, kw), e.g. ``model.conv1.weight`` (the
    weights of a dense layer on images, reshaped to (units, 1, H, W), work too). Grey
    inputs (C_in = 1) use a red/blue map centred on 0 with one scale for all
    filters (red: the filter responds to bright pixels there, blue: to dark
    ones; a pale filter is a weak one). RGB filters (C_in = 3) are shown as
    colours, each rescaled to [0, 1]; other C_in show the first input channel.
    """
    weights = _as_array(conv_weight).astype(float)
    if weights.ndim != 4:
        raise ValueError(f"expected a conv weight (C_out, C_in, kh, kw), got shape {weights.shape}")
    count = len(weights)
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    fig, axes = closed_figure((0.9 * ncols + 0.9, 1.1 * nrows + 0.6), nrows, ncols)
    bound = max(np.abs(weights).max(), 1e-12)
    image = None
    for index, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if index >= count:
            continue
        kernel = weights[index]
        if kernel.shape[0] == 3:
            low, high = kernel.min(), kernel.max()
            ax.imshow(((kernel - low) / max(high - low, 1e-12)).transpose(1, 2, 0))
        else:
            image = ax.imshow(kernel[0], cmap="RdBu_r", vmin=-bound, vmax=bound)
        ax.set_title(str(index), fontsize="x-small")
    if image is not None:
        fig.colorbar(image, ax=axes.ravel().tolist(), fraction=0.03, pad=0.02)
    fig.suptitle(title or f"{count} first-layer filters ({weights.shape[2]}x{weights.shape[3]})")
    return fig


def _hooked_modules(model, layers):
    named = dict(model.named_modules())
    if layers is None:
        return [(name, module) for name, module in named.items()
                if isinstance(module, nn.Conv2d)]
    missing = [name for name in layers if name not in named]
    if missing:
        raise ValueError(f"no module named {missing} in the model; names come from "
                         "model.named_modules(), e.g. 'features.0'")
    return [(name, named[name]) for name in layers]


def _record_outputs(model, image, modules):
    """Run one image through the model; {layer name: output (C, H', W')} via forward hooks."""
    outputs = {}

    def hook_for(name):
        def record(module, inputs, output):
            # a copy: a later in-place layer (ReLU(inplace=True)) must not change it
            outputs.setdefault(name, output.detach()[0].float().cpu().clone().numpy())
        return record

    handles = [module.register_forward_hook(hook_for(name)) for name, module in modules]
    was_training = model.training
    try:
        model.eval()  # batch norm must not update its statistics for one image
        with torch.no_grad():
            model(image.to(_model_device(model)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return outputs


def _draw_maps(row_axes, name, maps, shape, titled):
    """One figure row: the layer's name and shape (C, H, W), then its maps (one red/blue scale)."""
    bound = max(np.abs(maps).max(), 1e-12)
    row_axes[0].text(0.95, 0.5, f"{name}\n{shape[0]}x{shape[1]}x{shape[2]}", ha="right",
                     va="center", fontsize="small", transform=row_axes[0].transAxes)
    for channel, values in enumerate(maps):
        row_axes[channel + 1].imshow(values, cmap="RdBu_r", vmin=-bound, vmax=bound)
        if titled:
            row_axes[channel + 1].set_title(f"channel {channel}", fontsize="x-small")


def plot_feature_maps(model, image, layers=None, n_channels=8):
    """The input image and the first ``n_channels`` output maps of each layer; returns the Figure.

    ``image``: one image (C, H, W) (or (H, W), or a batch of one). ``layers``:
    module names from ``model.named_modules()``; None = every ``nn.Conv2d``.
    Maps use a red/blue scale centred on 0, one scale per layer (before ReLU,
    negative values are the ones ReLU will set to 0).
    """
    batch = torch.as_tensor(_as_array(image), dtype=torch.float32)
    while batch.ndim < 4:  # (H, W) -> (1, H, W) -> (1, 1, H, W): a batch of one
        batch = batch[None]
    modules = _hooked_modules(model, layers)
    outputs = _record_outputs(model, batch, modules)
    rows = [name for name, _ in modules if outputs.get(name) is not None
            and outputs[name].ndim == 3]
    ncols = 1 + n_channels
    fig, axes = closed_figure((1.15 * ncols, 1.25 * (len(rows) + 1) + 0.3), len(rows) + 1, ncols)
    for ax in axes.ravel():
        ax.axis("off")
    shown = batch[0].permute(1, 2, 0).numpy() if batch.shape[1] == 3 else batch[0, 0].numpy()
    axes[0, 0].imshow(shown, cmap=None if shown.ndim == 3 else "gray")
    axes[0, 0].set_title("input", fontsize="small")
    for row, name in enumerate(rows, start=1):
        _draw_maps(axes[row], name, outputs[name][:n_channels], outputs[name].shape,
                   titled=row == 1)
    fig.suptitle("feature maps (white: 0, red: positive, blue: negative)")
    fig.tight_layout()
    return fig
