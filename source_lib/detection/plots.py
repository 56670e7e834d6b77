"""Notebook 10's pictures of boxes on images: predictions against the truth, the YOLO grid,
non-max suppression before / after, precision-recall curves.

    fig = draw_boxes(images, boxes, labels, scores, true_boxes=..., true_labels=...)
    fig = grid_overlay(image, boxes, labels, grid_size=4)
    fig = nms_picture(image, boxes, scores, labels, kept)    # kept: what *your* nms returned
    fig = pr_curve(result.precisions, result.recalls, result.aps)   # evaluation.evaluate's

and the diagrams of ``source_lib.detection.diagrams`` (``iou_picture``, ``windows_picture``,
``anchors_picture``), importable from here too. Every function returns a *closed* Figure
(show it with ``display(fig)``). Images are (H, W, 3) or (3, H, W) arrays or tensors in
[0, 1]; boxes are corners (x1, y1, x2, y2), image-relative by default (the notebook's
convention: the image is the unit square), or in pixels with ``units="pixels"``.
"""

import matplotlib.patheffects as effects
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from source_lib.detection.diagrams import anchors_picture, iou_picture, windows_picture
from source_lib.detection.evaluation import monotone
from source_lib.detection.shapes import CLASSES
from source_lib.plotting import _displayable, _image_batch, closed_figure

__all__ = ["CLASS_COLOURS", "anchors_picture", "draw_boxes", "grid_overlay", "iou_picture",
           "nms_picture", "pr_curve", "windows_picture"]

# bright colours that stand out on the shapes' random colours, thanks to a dark outline
CLASS_COLOURS = ("#ffd92f", "#4dd9ff", "#ff5ce1", "#7cff6b", "#ff8c3a", "#ffffff")
OUTLINE = [effects.withStroke(linewidth=3.5, foreground="black")]
THIN_OUTLINE = [effects.withStroke(linewidth=2.5, foreground="black")]


def class_colour(label):
    """The colour of class ``label`` in every picture of the notebook."""
    return CLASS_COLOURS[int(label) % len(CLASS_COLOURS)]


def _images(images):
    """A batch (N, H, W, 3) for imshow from one image or a batch, channels first or last."""
    array = np.asarray(images.detach().cpu() if hasattr(images, "detach") else images)
    if array.ndim == 3:
        array = array[None]
    return _image_batch(array)


def _pixels(boxes, shape, units):
    """Boxes (n, 4) in pixel coordinates of an image of ``shape`` (H, W, ...)."""
    corners = np.asarray(boxes, dtype=float).reshape(-1, 4)
    if units == "pixels":
        return corners
    if units != "relative":
        raise ValueError(f"units must be 'relative' or 'pixels', got {units!r}")
    height, width = shape[:2]
    return corners * [width, height, width, height]


def _show(ax, image, title=None):
    """The image with pixel i spanning [i, i + 1], so box corners land on pixel edges."""
    height, width = image.shape[:2]
    ax.imshow(_displayable(image), extent=(0, width, height, 0), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize="medium")


def _box(ax, box, colour, text=None, dashed=False, below=False, width=2.0):
    """One box (pixel corners) with a dark outline and an optional label."""
    x1, y1, x2, y2 = box
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, edgecolor=colour,
                           linewidth=width, linestyle="--" if dashed else "-",
                           path_effects=OUTLINE))
    if text:
        # a box in the right part of the image is labelled from its right edge: the label
        # stays inside the picture
        right = x1 > 0.55 * ax.get_xlim()[1]
        ax.text(x2 - 0.5 if right else x1 + 0.5, y2 - 0.5 if below else y1 - 0.5, text,
                color=colour, fontsize="small", fontweight="bold",
                va="top" if below else "bottom", ha="right" if right else "left",
                path_effects=THIN_OUTLINE, clip_on=True)


def _label(classes, label, score=None):
    name = classes[int(label)] if 0 <= int(label) < len(classes) else f"class {int(label)}"
    return name if score is None else f"{name} {float(score):.2f}"


def _per_image(values, count):
    """``values`` as one entry per image (a single image's array is wrapped)."""
    if values is None:
        return [None] * count
    if count == 1 and np.ndim(values) >= 1 and not isinstance(values, (list, tuple)):
        return [values]
    return list(values)


def draw_boxes(images, boxes, labels, scores=None, true_boxes=None, true_labels=None,
               classes=CLASSES, units="relative", ncols=4, titles=None, title=None):
    """Predicted boxes (solid, "class score") over the true ones (dashed, class name below).

    ``images``: (N, 3, H, W) / (N, H, W, 3) or one image; ``boxes``, ``labels``, ``scores``:
    per image (n, 4), (n,), (n,) (``scores`` None: boxes drawn as given, without scores);
    ``true_boxes``, ``true_labels``: per image the ground truth, or None. Returns the Figure."""
    batch = _images(images)
    count = len(batch)
    boxes, labels, scores = (_per_image(v, count) for v in (boxes, labels, scores))
    truths, truth_labels = _per_image(true_boxes, count), _per_image(true_labels, count)
    ncols = max(1, min(ncols, count))
    nrows = -(-count // ncols)
    fig, axes = closed_figure((2.6 * ncols, 2.75 * nrows + (0.5 if title else 0.3)), nrows, ncols)
    for i, ax in enumerate(axes.ravel()):
        if i >= count:
            ax.axis("off")
            continue
        _show(ax, batch[i], None if titles is None else titles[i])
        if truths[i] is not None:
            for box, label in zip(_pixels(truths[i], batch[i].shape, units),
                                  np.reshape(truth_labels[i], -1)):
                _box(ax, box, "white", _label(classes, label), dashed=True, below=True, width=1.5)
        found_scores = [None] * len(boxes[i]) if scores[i] is None else np.reshape(scores[i], -1)
        for box, label, score in zip(_pixels(boxes[i], batch[i].shape, units),
                                     np.reshape(labels[i], -1), found_scores):
            _box(ax, box, class_colour(label), _label(classes, label, score))
    if true_boxes is not None:
        fig.legend(handles=[Line2D([], [], color="0.3", label="predicted: class score"),
                            Line2D([], [], color="0.3", linestyle="--", label="true box")],
                   loc="lower center", ncol=2, fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.06 if true_boxes is not None else 0, 1, 1))
    return fig


def grid_overlay(image, boxes, labels, grid_size, classes=CLASSES, units="relative",
                 title=None):
    """The S x S grid over ``image``, each object's box and centre (a dot), and the cell
    responsible for it (the one holding the centre; a centre on the last line belongs to the
    last cell) shaded in its class's colour. ``boxes`` (n, 4), ``labels`` (n,)."""
    array = _images(image)[0]
    height, width = array.shape[:2]
    pixels = _pixels(boxes, array.shape, units)
    fig, axes = closed_figure((5.2, 5.6))
    ax = axes[0, 0]
    _show(ax, array)
    cell_w, cell_h = width / grid_size, height / grid_size
    for line in range(1, grid_size):
        ax.axvline(line * cell_w, color="white", linewidth=1.2, path_effects=THIN_OUTLINE)
        ax.axhline(line * cell_h, color="white", linewidth=1.2, path_effects=THIN_OUTLINE)
    cells = []
    for box, label in zip(pixels, np.reshape(labels, -1)):
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        col = min(int(np.floor(cx / cell_w)), grid_size - 1)
        row = min(int(np.floor(cy / cell_h)), grid_size - 1)
        colour = class_colour(label)
        ax.add_patch(Rectangle((col * cell_w, row * cell_h), cell_w, cell_h, facecolor=colour,
                               alpha=0.35, edgecolor="none"))
        ax.add_patch(Rectangle((col * cell_w, row * cell_h), cell_w, cell_h, fill=False,
                               hatch="//", edgecolor=colour, linewidth=3, path_effects=OUTLINE))
        _box(ax, box, colour, f"{_label(classes, label)}: row {row}, col {col}")
        ax.plot(cx, cy, "o", color=colour, markersize=7, markeredgecolor="black")
        cells.append((row, col))
    ax.set_xticks((np.arange(grid_size) + 0.5) * cell_w, [f"col {c}" for c in range(grid_size)],
                  fontsize="small")
    ax.set_yticks((np.arange(grid_size) + 0.5) * cell_h, [f"row {r}" for r in range(grid_size)],
                  fontsize="small")
    ax.tick_params(length=0)
    ax.set_title(title or f"{grid_size} x {grid_size} grid: each object belongs to the cell\n"
                 "holding its centre (dot), shaded", fontsize="medium")
    fig.tight_layout()
    fig.cells = cells      # (row, col) of each object, in order: for the notebook's text
    return fig


def nms_picture(image, boxes, scores, labels, kept, classes=CLASSES, units="relative",
                iou_threshold=None, title=None):
    """Before / after non-max suppression side by side: every box with its score (its class
    as its colour, named in the legend) on the left, the boxes ``kept`` (indices into
    ``boxes``, what nms returned) on the right.
    ``boxes`` (n, 4), ``scores`` (n,), ``labels`` (n,)."""
    array = _images(image)[0]
    pixels = _pixels(boxes, array.shape, units)
    scores, labels = np.reshape(scores, -1), np.reshape(labels, -1)
    kept = [int(i) for i in np.reshape(np.asarray(kept, dtype=np.int64), -1)]
    fig, axes = closed_figure((9.0, 5.0), 1, 2)
    rule = "" if iou_threshold is None else f" (IoU > {iou_threshold:g} with a better box)"
    _show(axes[0, 0], array, f"before NMS: {len(pixels)} boxes")
    _show(axes[0, 1], array, f"after NMS: {len(kept)} kept, "
          f"{len(pixels) - len(set(kept))} suppressed")
    # scores only on the boxes (the class is the colour, in the legend): a cluster of
    # boxes would otherwise hide its labels under each other
    for index in np.argsort(scores, kind="stable"):      # best drawn last, on top
        _box(axes[0, 0], pixels[index], class_colour(labels[index]), f"{scores[index]:.2f}",
             width=1.5)
    for index in kept[::-1]:
        _box(axes[0, 1], pixels[index], class_colour(labels[index]), f"{scores[index]:.2f}")
    present = sorted({int(label) for label in labels})
    fig.legend(handles=[Patch(facecolor=class_colour(k), edgecolor="black",
                              label=_label(classes, k)) for k in present],
               loc="lower center", ncol=max(1, len(present)), fontsize="small", frameon=False)
    fig.suptitle(title or "non-max suppression: keep the best box, drop the same class's "
                 f"overlapping ones{rule}", fontsize="medium")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


RECALL_LEVELS = np.linspace(0.0, 1.0, 101)    # where the mean curve is read (as COCO)


def _envelope_at(precision, recall, levels=RECALL_LEVELS):
    """The monotone precision at each recall level (0 beyond the curve's last recall)."""
    upper = monotone(precision)
    where = np.searchsorted(recall, levels, side="left")
    return np.where(where < len(upper), upper[np.minimum(where, len(upper) - 1)], 0.0)


def pr_curve(precisions, recalls, ap, classes=CLASSES, iou_threshold=0.5, title=None):
    """Precision-recall curves: each class's raw curve (thin) and monotone envelope (its area
    is the AP, in the legend), and the mean of the envelopes over the classes (black).
    ``precisions``, ``recalls``: per class arrays along the ranked detections; ``ap``: per
    class AP (None: no ground truth, left out). Returns the Figure."""
    fig, axes = closed_figure((6.4, 4.6))
    ax = axes[0, 0]
    envelopes = []
    for k, (precision, recall, value) in enumerate(zip(precisions, recalls, ap)):
        if value is None:
            continue
        precision = np.concatenate([[1.0], np.asarray(precision, dtype=float)])
        recall = np.concatenate([[0.0], np.asarray(recall, dtype=float)])
        colour = f"C{k}"
        ax.plot(recall, precision, color=colour, linewidth=0.8, alpha=0.5)
        ax.step(recall, monotone(precision), where="pre", color=colour, linewidth=2,
                label=f"{_label(classes, k)}: AP {value:.3f}")
        envelopes.append(_envelope_at(precision, recall))
    scored = [value for value in ap if value is not None]
    if envelopes:
        ax.plot(RECALL_LEVELS, np.mean(envelopes, axis=0), color="black", linewidth=2.5,
                linestyle="--", label="mean of the classes")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("recall (share of the true boxes found)")
    ax.set_ylabel("precision (share of detections that are right)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize="small")
    mean = f"mAP = {np.mean(scored):.3f}" if scored else "no class has ground truth"
    ax.set_title(title or f"precision-recall at IoU {iou_threshold:g}: {mean}",
                 fontsize="medium")
    fig.tight_layout()
    return fig
