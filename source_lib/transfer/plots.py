"""Figures of notebook 08 (transfer learning), drawn from numbers the notebook computes.

    from source_lib.transfer.plots import (plot_accuracy_vs_labels, plot_transfer_gain,
                                           pca_2d, plot_embeddings, nearest_neighbours,
                                           show_neighbours)

Accuracies and gains are fractions (0.63, not 63 %); a label count is the number of
training images per class (the full set as its real count, e.g. 5000). Every helper
returns a Figure that is already closed: show it with ``display(fig)`` or as the cell's
last value. Nothing here trains or evaluates a model.
"""

import numpy as np
from matplotlib.ticker import NullFormatter, NullLocator

from source_lib.plotting import _displayable, _image_batch, _to_numpy, closed_figure

# frame colours of show_neighbours: the query, a neighbour of its class, of another, unknown
QUERY, SAME, OTHER, UNJUDGED = "black", "tab:green", "tab:red", "0.55"


def seed_summary(per_count):
    """``{labels per class: [value per seed]}`` -> (counts, means, minima, maxima), each (C,)
    sorted by count; counts without any seed are left out."""
    counts = sorted(int(count) for count, values in per_count.items() if len(values))
    rows = [np.asarray(per_count[count], dtype=float) for count in counts]
    return (np.array(counts), np.array([row.mean() for row in rows]),
            np.array([row.min() for row in rows]), np.array([row.max() for row in rows]))


def count_label(count, full_count=None):
    """How a label count reads on an axis: '20', or '5000\\n(all)' for ``full_count``."""
    return f"{count}\n(all)" if full_count is not None and count == full_count else str(count)


def format_count_axis(ax, counts, full_count=None):
    """A log x axis whose only ticks are the given label counts, written out in full."""
    counts = sorted({int(count) for count in counts})
    ax.set_xscale("log")
    ax.xaxis.set_minor_locator(NullLocator())     # log minor ticks would read 2x10^1 etc.
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(counts, [count_label(count, full_count) for count in counts])
    if counts:   # some room on both sides, in the log scale's own units
        ax.set_xlim(counts[0] / 1.4, counts[-1] * 1.4)
    ax.set_xlabel("labelled training images per class (log scale)")


def draw_accuracy_curve(ax, per_count, color, label=None, band=True, **line_kwargs):
    """The mean over seeds against the label count, and (``band``) the min-max band of the
    seeds around it. Returns the Line2D."""
    counts, means, lows, highs = seed_summary(per_count)
    line_kwargs = {"marker": "o", "markersize": 4, **line_kwargs}
    (line,) = ax.plot(counts, means, color=color, label=label, **line_kwargs)
    if band:
        ax.fill_between(counts, lows, highs, color=color, alpha=0.2, linewidth=0)
    return line


def draw_chance(ax, chance):
    """A dotted horizontal line at the accuracy of guessing (none when ``chance`` is None)."""
    if chance is not None:
        ax.axhline(chance, color="0.4", linestyle=":", linewidth=1.2,
                   label=f"chance ({chance:.2f})")


def plot_accuracy_vs_labels(results, chance=None, title=None, ax=None, full_count=None):
    """Test accuracy against labels per class on a log axis; returns the Figure.

    ``results``: ``{method: {labels per class: [accuracy per seed]}}``; not every method
    needs every count. One line per method (mean over seeds, dots at the measured counts)
    inside a band from the worst to the best seed; the ticks are the counts measured.
    ``chance``: accuracy of guessing (dotted line); ``full_count``: the count that is the
    whole training set (its tick says "(all)"); ``ax``: draw into an existing subplot."""
    if ax is None:
        ax = closed_figure((6.4, 4.0))[1][0, 0]
    for index, (method, per_count) in enumerate(results.items()):
        draw_accuracy_curve(ax, per_count, f"C{index % 10}", label=str(method))
    draw_chance(ax, chance)
    format_count_axis(ax, [count for per_count in results.values() for count in per_count],
                      full_count)
    ax.set_ylabel("test accuracy")
    ax.grid(alpha=0.3)
    ax.set_title(title or "accuracy against the number of labels (band: min-max over seeds)",
                 fontsize="medium")
    ax.legend(loc="best", fontsize="small")
    ax.figure.tight_layout()
    return ax.figure


def _draw_gain_bars(ax, per_count, slots, offset, width, color, label):
    """One target's bars at the x slots of its counts: mean gain, min-max whiskers, dots
    for the seeds, and the mean written beyond the whisker."""
    counts, means, lows, highs = seed_summary(per_count)
    x = np.array([slots[count] for count in counts]) + offset
    ax.bar(x, means, width, color=color, label=label, alpha=0.85)
    ax.errorbar(x, means, yerr=[means - lows, highs - means], fmt="none", ecolor="0.2",
                capsize=3, linewidth=1)
    for position, count in zip(x, counts):
        seeds = np.asarray(per_count[count], dtype=float)
        ax.plot(np.full(len(seeds), position), seeds, ".", color="0.1", markersize=3)
    for position, mean, low, high in zip(x, means, lows, highs):
        above = mean >= 0
        ax.annotate(f"{mean:+.2f}", (position, high if above else low),
                    xytext=(0, 3 if above else -3), textcoords="offset points",
                    ha="center", va="bottom" if above else "top", fontsize="x-small")


def plot_transfer_gain(gains, title=None, ax=None, full_count=None):
    """How much transfer gains over training from scratch, per target task; returns the Figure.

    ``gains``: ``{target: {labels per class: [transfer accuracy - scratch accuracy, per
    seed]}}``, e.g. targets "CIFAR-10 dog/frog/horse/ship/truck" and "Fashion-MNIST
    (grey)". Grouped bars, one group per label count and one bar per target: the mean gain,
    whiskers from the smallest to the largest seed's gain, a dot per seed."""
    if ax is None:
        ax = closed_figure((6.8, 4.0))[1][0, 0]
    counts = sorted({int(count) for per_count in gains.values() for count in per_count})
    slots = {count: slot for slot, count in enumerate(counts)}
    width = 0.8 / max(len(gains), 1)
    for index, (target, per_count) in enumerate(gains.items()):
        offset = width * (index - (len(gains) - 1) / 2)
        _draw_gain_bars(ax, per_count, slots, offset, width, f"C{index % 10}", str(target))
    ax.axhline(0, color="0.2", linewidth=0.8)
    ax.set_xticks(range(len(counts)), [count_label(count, full_count) for count in counts])
    ax.set_xlabel("labelled training images per class")
    ax.set_ylabel("transfer accuracy - scratch accuracy")
    ax.margins(y=0.15)   # room for the numbers above the whiskers
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title or "gain of transfer over scratch (whiskers: min-max over seeds)",
                 fontsize="medium")
    ax.legend(fontsize="small")
    ax.figure.tight_layout()
    return ax.figure


def _principal_axes(features):
    """(coordinates (N, 2) on the two main directions, their shares of the variance (2,))."""
    values = _to_numpy(features).astype(np.float64)
    values = values.reshape(len(values), -1)
    if values.shape[0] < 2 or values.shape[1] < 2:
        raise ValueError(f"PCA to 2-D needs at least 2 points of 2 dimensions, got {values.shape}")
    centred = values - values.mean(axis=0)
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    directions = directions[:2]
    # a direction's sign is arbitrary: make its largest loading positive, so reruns agree
    largest = np.abs(directions).argmax(axis=1)
    directions = directions * np.sign(directions[np.arange(2), largest])[:, None]
    variance = singular ** 2
    return centred @ directions.T, variance[:2] / max(variance.sum(), 1e-300)


def pca_2d(features):
    """Features (N, D) (array or tensor; more dimensions are flattened) projected on their
    two principal directions: (N, 2) float64, centred, first column the direction of most
    variance. NumPy's SVD of the centred features; each direction's sign is fixed (largest
    loading positive) so the picture does not flip between runs."""
    return _principal_axes(features)[0]


def plot_embeddings(panels, labels, class_names, title=None):
    """One scatter per ``{panel title: features (N, D)}`` (the same N images in every
    panel, e.g. "before fine-tuning" and "after fine-tuning"), each projected with
    :func:`pca_2d` on its own and coloured by ``labels`` (N,), named by ``class_names``.
    Returns the Figure."""
    labels = _to_numpy(labels).astype(int).ravel()
    fig, axes = closed_figure((4.2 * len(panels) + 1.6, 4.2), 1, len(panels))
    for ax, (name, features) in zip(axes[0], panels.items()):
        coordinates, shares = _principal_axes(features)
        if len(coordinates) != len(labels):
            raise ValueError(f"panel {name!r} has {len(coordinates)} points, labels "
                             f"{len(labels)}")
        for label in np.unique(labels):
            chosen = labels == label
            ax.scatter(coordinates[chosen, 0], coordinates[chosen, 1], s=10, alpha=0.7,
                       color=f"C{label % 10}", label=str(class_names[label]), linewidths=0)
        ax.set_title(str(name), fontsize="medium")
        ax.set_xlabel(f"PCA direction 1 ({shares[0]:.0%} of the variance)")
        ax.set_ylabel(f"PCA direction 2 ({shares[1]:.0%})")
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, -1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize="small",
                       markerscale=1.8, frameon=False)
    if title:
        fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    return fig


def _unit_rows(rows):
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def nearest_neighbours(query_features, gallery_features, k=5, metric="cosine"):
    """Indices (Q, k) int64 of the ``k`` gallery rows nearest to each query row, nearest
    first (ties: the smaller index first). ``metric``: "cosine" (largest cosine
    similarity) or "euclidean". A query that is also in the gallery finds itself first."""
    queries = _to_numpy(query_features).astype(np.float64)
    gallery = _to_numpy(gallery_features).astype(np.float64)
    queries, gallery = queries.reshape(len(queries), -1), gallery.reshape(len(gallery), -1)
    if queries.shape[1] != gallery.shape[1]:
        raise ValueError(f"queries have {queries.shape[1]} features, the gallery "
                         f"{gallery.shape[1]}")
    if not 1 <= k <= len(gallery):
        raise ValueError(f"k must be in 1..{len(gallery)} (the gallery's size), got {k}")
    if metric == "cosine":
        distances = -(_unit_rows(queries) @ _unit_rows(gallery).T)
    elif metric == "euclidean":   # |q|^2 - 2 q.g + |g|^2, the query's own term dropped
        distances = (gallery ** 2).sum(axis=1)[None] - 2 * queries @ gallery.T
    else:
        raise ValueError(f"metric must be 'cosine' or 'euclidean', got {metric!r}")
    return np.argsort(distances, axis=1, kind="stable")[:, :k].astype(np.int64)


def _framed_image(ax, image, title, color, bold=False):
    """One image with a coloured frame (the axes' spines) and a title in the same colour."""
    shown = _displayable(image)
    ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None, vmin=0,
              vmax=255 if shown.dtype == np.uint8 else 1)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor(color)
        spine.set_linewidth(3)
    ax.set_title(title, fontsize="small", color=color,
                 fontweight="bold" if bold else "normal")


def show_neighbours(query_images, gallery_images, indices, gallery_labels, class_names,
                    query_labels=None, title=None):
    """One row per query: the query, then its neighbours ``indices`` (Q, k) from
    :func:`nearest_neighbours`, nearest first, titled with their class names. With
    ``query_labels`` a neighbour's frame is green when it has the query's class and red
    otherwise (grey without them). Images: (N, C, H, W) with C in {1, 3}, floats in [0, 1]
    (or (N, H, W)). ``title``: in place of "the k nearest images in feature space".
    Returns the Figure."""
    queries, gallery = _image_batch(query_images), _image_batch(gallery_images)
    indices = np.atleast_2d(_to_numpy(indices).astype(int))
    if len(indices) != len(queries):
        raise ValueError(f"{len(queries)} query images but {len(indices)} rows of indices")
    gallery_labels = _to_numpy(gallery_labels).astype(int).ravel()
    truths = None if query_labels is None else _to_numpy(query_labels).astype(int).ravel()
    count, k = indices.shape
    fig, axes = closed_figure((1.5 * (k + 1) + 0.3, 1.75 * count + 0.5), count, k + 1)
    for row in range(count):
        truth = None if truths is None else truths[row]
        name = "query" if truth is None else f"query: {class_names[truth]}"
        _framed_image(axes[row, 0], queries[row], name, QUERY, bold=True)
        for column, index in enumerate(indices[row], start=1):
            label = gallery_labels[index]
            color = UNJUDGED if truth is None else SAME if label == truth else OTHER
            _framed_image(axes[row, column], gallery[index], f"{column}: {class_names[label]}",
                          color)
    note = "" if query_labels is None else " (green: the query's class, red: another class)"
    fig.suptitle((title or f"the {k} nearest images in feature space") + note,
                 fontsize="medium")
    fig.tight_layout()
    return fig
