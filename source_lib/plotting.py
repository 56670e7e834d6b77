"""Plot helpers for the notebooks: signals, matrices, learning curves, images.

Every helper returns the matplotlib ``Figure`` or ``Axes`` it drew on and never
calls ``plt.show()``: in Jupyter the figure appears at the end of the cell (end
the line with ``;`` or assign the result so that it is not shown twice), and in
scripts and tests nothing blocks. Helpers that take ``ax`` draw into an
existing subplot, so they compose into larger figures.
"""

import io
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

ANNOTATE_MAX = 12  # matrices up to 12 x 12 get their values written in the cells
_METRIC_NAMES = {"train_loss": "training loss", "train_acc": "training accuracy",
                 "val_loss": "validation loss", "val_acc": "validation accuracy",
                 "seconds": "seconds per epoch"}


def closed_figure(figsize, nrows=1, ncols=1, **subplots_kwargs):
    """(Figure, 2-D array of Axes) made through pyplot, so Jupyter can show it, but closed
    at once: a widget that redraws on every change must not pile up open figures or show
    each one again at the end of the cell."""
    fig = plt.figure(figsize=figsize)
    axes = fig.subplots(nrows, ncols, squeeze=False, **subplots_kwargs)
    plt.close(fig)
    return fig, axes


def png_bytes(fig, dpi=90):
    """The figure as PNG bytes (what the widgets display in their Output area)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _to_numpy(values):
    """Arrays, lists and tensors (also on GPU or requiring grad) as a NumPy array."""
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    return np.asarray(values)


def _axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_signals(signals, title=None, ax=None, stem=False):
    """Plot 1-D signals, each ``{label: values (L,)}``, against their sample index.

    ``stem=True`` draws discrete stems (best for short sequences and kernels);
    stems of several signals are offset sideways so they do not hide each other.
    Returns the Axes.
    """
    ax = _axes(ax, (7, 3))
    count = len(signals)
    for i, (label, values) in enumerate(signals.items()):
        values = _to_numpy(values).astype(float).ravel()
        index = np.arange(len(values))
        if stem:
            offset = 0.0 if count == 1 else 0.25 * (i - (count - 1) / 2) / max(count - 1, 1)
            color = f"C{i % 10}"
            ax.stem(index + offset, values, label=str(label), basefmt=" ",
                    linefmt=color, markerfmt=color + "o")
        else:
            ax.plot(index, values, label=str(label), marker="." if len(values) <= 60 else None)
    ax.axhline(0, color="0.6", linewidth=0.8, zorder=0)
    ax.set_xlabel("index")
    if title:
        ax.set_title(title)
    if any(str(label) for label in signals):
        ax.legend(loc="best", fontsize="small")
    return ax


def plot_matrix(matrix, title=None, ax=None, annotate=None, fmt=None, cmap=None):
    """Heatmap of a 2-D ``matrix`` (R, C); returns the Axes.

    Matrices with negative entries use a diverging colour map centred on zero,
    so the sign is visible at a glance. ``annotate=None`` writes the values in
    the cells when the matrix is at most 12 x 12.
    """
    values = _to_numpy(matrix).astype(float)
    if values.ndim != 2:
        raise ValueError(f"plot_matrix expects a 2-D matrix, got shape {values.shape}")
    ax = _axes(ax, (min(1 + 0.5 * values.shape[1], 9), min(0.8 + 0.5 * values.shape[0], 8)))
    finite = values[np.isfinite(values)]
    if cmap is None and finite.size and finite.min() < 0:
        bound = max(np.abs(finite).max(), 1e-12)
        image = ax.imshow(values, cmap="RdBu_r", vmin=-bound, vmax=bound)
    else:
        image = ax.imshow(values, cmap=cmap or "viridis")
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    if annotate is None:
        annotate = max(values.shape) <= ANNOTATE_MAX
    if annotate:
        _annotate_cells(ax, image, values, fmt)
    if title:
        ax.set_title(title)
    return ax


def _annotate_cells(ax, image, values, fmt):
    if fmt is None:
        integral = np.all(np.isclose(values[np.isfinite(values)] % 1, 0))
        fmt = "{:.0f}" if integral else "{:.2f}"
    for (row, col), value in np.ndenumerate(values):
        # dark text on light cells and vice versa
        red, green, blue, _ = image.cmap(image.norm(value))
        light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.5
        ax.text(col, row, fmt.format(value), ha="center", va="center", fontsize="small",
                color="black" if light else "white")


def _history_series(history, metric):
    if isinstance(history, Mapping):
        return list(history.get(metric) or [])
    return list(getattr(history, metric, None) or [])


def _as_named_histories(histories):
    """{name: history}; a single History (or its to_dict()) gets the name ''."""
    if isinstance(histories, Mapping) and not any(
            isinstance(value, (list, tuple)) for value in histories.values()):
        return dict(histories)
    return {"": histories}


def plot_learning_curves(histories, metrics=("train_loss", "val_acc")):
    """One subplot per metric, one line per run; returns the Figure.

    ``histories``: a ``training.History``, its ``to_dict()``, or
    ``{run name: History}`` to compare runs. Metrics a run did not record
    (e.g. no validation data) are skipped for that run.
    """
    named = _as_named_histories(histories)
    fig, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.2), squeeze=False)
    for ax, metric in zip(axes[0], metrics):
        for i, (name, history) in enumerate(named.items()):
            series = _history_series(history, metric)
            if series:
                epochs = np.arange(1, len(series) + 1)
                ax.plot(epochs, series, label=name or None, color=f"C{i % 10}",
                        marker="o" if len(series) <= 30 else None, markersize=3)
        ax.set_title(_METRIC_NAMES.get(metric, metric))
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3)
        if any(name for name in named) and ax.lines:
            ax.legend(fontsize="small")
    fig.tight_layout()
    return fig


def plot_mnist1d_examples(x, y, t=None, n_per_class=1, class_names=None):
    """Grid of MNIST-1D signals: one column per class, ``n_per_class`` rows; returns the Figure.

    ``x``: (N, L) signals, ``y``: (N,) labels, ``t``: (L,) sample positions
    (the dataset's ``t``; default 0..L-1).
    """
    x, y = _to_numpy(x), _to_numpy(y).astype(int)
    x = x.reshape(len(x), -1)  # (N, 1, L) as fed to Conv1d works too
    t = np.arange(x.shape[1]) if t is None else _to_numpy(t)
    classes = np.unique(y)
    fig, axes = plt.subplots(n_per_class, len(classes), figsize=(1.6 * len(classes),
                             1.4 * n_per_class + 0.4), squeeze=False, sharex=True, sharey=True)
    for col, label in enumerate(classes):
        examples = np.flatnonzero(y == label)[:n_per_class]
        name = class_names[label] if class_names is not None else str(label)
        axes[0, col].set_title(name)
        for row in range(n_per_class):
            ax = axes[row, col]
            ax.set_xticks([])
            ax.set_yticks([])
            if row < len(examples):
                ax.plot(t, x[examples[row]], color=f"C{label % 10}", linewidth=1.2)
            else:
                ax.set_visible(False)  # fewer examples of this class than rows
    fig.tight_layout()
    return fig


def _image_batch(images):
    """(N, H, W), (N, C, H, W) or (N, H, W, C) -> (N, H, W) or (N, H, W, C) for imshow."""
    array = _to_numpy(images)
    if array.ndim == 2:
        array = array[None]
    if array.ndim == 4 and array.shape[1] in (1, 3) and array.shape[-1] not in (1, 3):
        array = array.transpose(0, 2, 3, 1)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (3, 4):
        raise ValueError(f"expected images (N, H, W) or (N, C, H, W), got shape {array.shape}")
    return array


def _displayable(image):
    """uint8 as is; floats in [0, 1] as is; anything else (e.g. normalised) rescaled to [0, 1]."""
    if image.dtype == np.uint8:
        return image
    image = image.astype(float)
    low, high = np.nanmin(image), np.nanmax(image)
    if low >= 0 and high <= 1:
        return image
    return (image - low) / (high - low) if high > low else np.zeros_like(image)


def show_images(images, labels=None, class_names=None, ncols=8):
    """Grid of images with optional titles; returns the Figure.

    ``images``: (N, H, W) grey or (N, C, H, W) / (N, H, W, C) with C in {1, 3},
    uint8 or float (arrays or tensors). ``labels`` (N,) become titles, via
    ``class_names`` when given.
    """
    batch = _image_batch(images)
    count = len(batch)
    ncols = max(1, min(ncols, count))
    nrows = int(np.ceil(count / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, 1.6 * nrows), squeeze=False)
    labels = None if labels is None else _to_numpy(labels)
    for i, ax in enumerate(axes.ravel()):
        ax.axis("off")
        if i >= count:
            continue
        image = _displayable(batch[i])
        if image.ndim == 2:
            # fixed grey range: a dark image must not be stretched to look bright
            ax.imshow(image, cmap="gray", vmin=0, vmax=255 if image.dtype == np.uint8 else 1)
        else:
            ax.imshow(image)
        if labels is not None:
            label = labels[i].item() if hasattr(labels[i], "item") else labels[i]
            ax.set_title(str(class_names[label] if class_names is not None else label),
                         fontsize="small")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(y_true, y_pred, class_names=None, ax=None, normalize=True):
    """Confusion matrix heatmap, rows = true class, columns = predicted; returns the Axes.

    ``normalize=True`` shows each row as fractions of that true class (recall
    on the diagonal); rows of absent classes stay 0.
    """
    y_true = _to_numpy(y_true).astype(int).ravel()
    y_pred = _to_numpy(y_pred).astype(int).ravel()
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true {y_true.shape} and y_pred {y_pred.shape} differ in length")
    n = len(class_names) if class_names is not None else int(max(y_true.max(initial=-1),
                                                               y_pred.max(initial=-1)) + 1)
    counts = np.bincount(y_true * n + y_pred, minlength=n * n).reshape(n, n).astype(float)
    matrix = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    ax = plot_matrix(matrix, ax=ax, cmap="Blues", fmt="{:.2f}" if normalize else "{:.0f}",
                     title="confusion matrix" + (" (row-normalised)" if normalize else ""))
    names = [str(name) for name in class_names] if class_names is not None else [
        str(i) for i in range(n)]
    ax.set_xticks(range(n), names, rotation=45 if max(map(len, names), default=0) > 3 else 0)
    ax.set_yticks(range(n), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return ax


def _plot_channels(ax, values, title, color):
    values = _to_numpy(values).astype(float)
    rows = values.reshape(-1, values.shape[-1]) if values.ndim > 1 else values[None]
    for channel, row in enumerate(rows):
        ax.plot(row, color=color if len(rows) == 1 else f"C{channel % 10}", marker=".")
    ax.set_title(title)
    ax.axhline(0, color="0.6", linewidth=0.8, zorder=0)
    ax.grid(alpha=0.3)


def plot_equivariance(x, shifted_x, y, shifted_y,
                      labels=("input x", "shifted input", "layer(x)", "layer(shifted input)"),
                      title=None):
    """2 x 2 panels: top input / shifted input, bottom the layer's outputs for each.

    Only plots the given arrays, (L,) or (C, L) (channels drawn as separate
    lines); a shift-equivariant layer shows the same shift in the bottom row.
    ``labels`` are the four panel titles. Returns the Figure.
    """
    fig, axes = plt.subplots(2, 2, figsize=(9, 5), sharex="row", sharey="row")
    panels = ((x, "C0"), (shifted_x, "C0"), (y, "C1"), (shifted_y, "C1"))
    for ax, (values, color), label in zip(axes.ravel(), panels, labels):
        _plot_channels(ax, values, label, color)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
