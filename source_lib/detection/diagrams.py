"""Notebook 10's diagrams (no photo needed): IoU as an overlap, the windows a sliding-window
detector visits against the one pass of its convolutional version, anchor boxes.

    fig = iou_picture([0, 0, 4, 3], [2, 1, 6, 5], iou)      # iou: *your* function
    fig = iou_picture([0, 0, 4, 3], [2, 1, 6, 5])           # the overlap, no value
    fig = windows_picture(64, window=16, stride=4, times=(loop_s, conv_s))
    fig = anchors_picture(iou)

Every function returns a *closed* Figure (``display(fig)``). Boxes are corners
(x1, y1, x2, y2), y down as in an image. The IoU values drawn are those of the ``iou``
passed in (none passed: the picture has no value): nothing here computes an IoU.
"""

import numpy as np
from matplotlib.patches import Rectangle

from source_lib.plotting import closed_figure

__all__ = ["anchors_picture", "iou_picture", "iou_value", "windows_picture"]

BOX_COLOURS = ("tab:blue", "tab:red")
INTERSECTION = "tab:purple"


def iou_value(iou_fn, box_a, box_b):
    """``iou_fn(box_a, box_b)`` of two (4,) boxes as a float (a (1,) or (1, 1) answer too)."""
    value = iou_fn(np.asarray(box_a, dtype=np.float64), np.asarray(box_b, dtype=np.float64))
    return float(np.asarray(value, dtype=np.float64).reshape(-1)[0])


def _rectangle(box, **style):
    x1, y1, x2, y2 = (float(v) for v in box)
    return Rectangle((x1, y1), x2 - x1, y2 - y1, **style)


def _overlap(ax, box_a, box_b):
    """The union filled grey with its outline (each box's fill hides the other's edge inside
    it), the intersection shaded by clipping B's fill to A: no coordinates computed here."""
    for box in (box_a, box_b):
        ax.add_patch(_rectangle(box, facecolor="none", edgecolor="black", linewidth=5, zorder=1))
    for box in (box_a, box_b):
        ax.add_patch(_rectangle(box, facecolor="0.92", edgecolor="none", zorder=2))
    clip = _rectangle(box_a, transform=ax.transData, facecolor="none", edgecolor="none")
    ax.add_patch(clip)
    shade = ax.add_patch(_rectangle(box_b, facecolor=INTERSECTION, alpha=0.55, hatch="//",
                                    edgecolor="white", linewidth=0, zorder=3))
    shade.set_clip_path(clip)


def iou_picture(box_a, box_b, iou_fn=None, names=("A", "B"), limits=None, ax=None):
    """Two boxes, their intersection shaded, their union outlined in black, and
    ``iou_fn(box_a, box_b)`` in the title (``iou_fn`` None: the formula without a value, so
    the picture needs no IoU function). ``limits``: (low, high) of both axes (None: around
    the boxes). Returns the Figure (``ax``'s when given)."""
    # first: a stub raises before anything is drawn
    value = None if iou_fn is None else iou_value(iou_fn, box_a, box_b)
    if ax is None:
        fig, axes = closed_figure((4.8, 4.8))
        ax = axes[0, 0]
    fig = ax.figure
    _overlap(ax, box_a, box_b)
    for box, name, colour in zip((box_a, box_b), names, BOX_COLOURS):
        ax.add_patch(_rectangle(box, fill=False, edgecolor=colour, linewidth=2, linestyle="--",
                                zorder=4, label=f"box {name}"))
        ax.annotate(name, (box[0], box[1]), xytext=(5, -5), textcoords="offset points",
                    color=colour, fontweight="bold", fontsize="large", va="top", zorder=5)
    ax.add_patch(Rectangle((0, 0), 0, 0, facecolor=INTERSECTION, alpha=0.55, hatch="//",
                           label="intersection"))
    ax.add_patch(Rectangle((0, 0), 0, 0, facecolor="0.92", edgecolor="black", linewidth=2,
                           label="union"))
    if limits is None:
        corners = np.array([box_a, box_b], dtype=np.float64)
        low, high = corners[:, :2].min(), corners[:, 2:].max()
        margin = 0.15 * max(high - low, 1e-9)
        limits = (low - margin, high + margin)
    ax.set_xlim(*limits)
    ax.set_ylim(limits[1], limits[0])     # y down, as in an image
    ax.set_aspect("equal")
    ax.grid(alpha=0.25)
    ax.legend(loc="lower right", fontsize="small", framealpha=0.9)
    ax.set_title(f"IoU({names[0]}, {names[1]}) = intersection / union"
                 + ("" if value is None else f" = {value:.3f}"), fontsize="medium")
    return fig


def _window_boxes(image_size, window, stride):
    """(n, (count, 4)): the top-left-first windows a sliding-window detector visits."""
    n = (image_size - window) // stride + 1
    corners = np.arange(n) * stride
    y, x = np.meshgrid(corners, corners, indexing="ij")
    tops = np.stack([x.ravel(), y.ravel()], axis=1)
    return n, np.concatenate([tops, tops + window], axis=1)


def _windows_panel(ax, image, image_size, window, stride, picks, colours):
    n, boxes = _window_boxes(image_size, window, stride)
    if image is not None:
        ax.imshow(image, extent=(0, image_size, image_size, 0))
    else:
        ax.add_patch(Rectangle((0, 0), image_size, image_size, facecolor="0.85"))
    centres = (boxes[:, :2] + boxes[:, 2:]) / 2
    ax.plot(centres[:, 0], centres[:, 1], ".", color="0.25", markersize=3)
    for pick, colour in zip(picks, colours):
        ax.add_patch(_rectangle(boxes[pick], fill=False, edgecolor=colour, linewidth=2.5))
    ax.set_xlim(0, image_size)
    ax.set_ylim(image_size, 0)
    ax.set_aspect("equal")
    ax.set_title(f"sliding windows: {n} x {n} = {n * n} windows\nof {window} x {window}, "
                 f"stride {stride}: one forward pass each", fontsize="medium")
    ax.set_xlabel("dots: every window's centre", fontsize="small")


def _map_panel(ax, n, picks, colours):
    cells = np.full((n, n, 3), 0.93)
    for pick, colour in zip(picks, colours):
        cells[pick // n, pick % n] = _rgb(colour)
    ax.imshow(cells, extent=(0, n, n, 0))
    for line in range(n + 1):
        ax.axhline(line, color="0.6", linewidth=0.6)
        ax.axvline(line, color="0.6", linewidth=0.6)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"convolutional version: one pass\ngives a {n} x {n} map, one output per "
                 "window", fontsize="medium")
    ax.set_xlabel("same colour: the same window", fontsize="small")


def _rgb(colour):
    from matplotlib.colors import to_rgb
    return to_rgb(colour)


def _times_panel(ax, times):
    loop, conv = (float(t) for t in times)
    bars = ax.bar(["loop over\nwindows", "one conv\npass"], [loop, conv],
                  color=["tab:gray", "tab:green"])
    ax.bar_label(bars, [f"{loop * 1000:.1f} ms", f"{conv * 1000:.1f} ms"], fontsize="small")
    ax.set_ylabel("seconds (measured)")
    ax.set_title(f"measured: {loop / conv:.1f} x faster" if conv > 0 else "measured",
                 fontsize="medium")
    ax.margins(y=0.15)


def windows_picture(image_size, window, stride, times=None, image=None, picks=None):
    """The windows a sliding-window detector visits (every centre dotted, a few outlined)
    beside the output map of the convolutional version (the same windows' cells coloured) and,
    given ``times`` = (loop seconds, convolutional seconds), a bar of the measured times.
    ``image``: (H, W, 3) drawn under the windows; ``picks``: indices of the windows outlined
    (row-major; default the first, one in the middle, the last). Returns the Figure."""
    if window > image_size or window < 1 or stride < 1:
        raise ValueError(f"need 1 <= window <= image_size and stride >= 1, got image "
                         f"{image_size}, window {window}, stride {stride}")
    n = (image_size - window) // stride + 1
    picks = list(picks) if picks is not None else sorted({0, (n // 2) * n + n // 2, n * n - 1})
    colours = [f"C{i}" for i in (1, 2, 3, 4, 6, 9)][:len(picks)]
    panels = 3 if times is not None else 2
    fig, axes = closed_figure((4.0 * panels, 4.4), 1, panels)
    _windows_panel(axes[0, 0], image, image_size, window, stride, picks, colours)
    _map_panel(axes[0, 1], n, picks, colours)
    if times is not None:
        _times_panel(axes[0, 2], times)
    fig.tight_layout()
    return fig


def _centred(shape):
    """A (w, h) shape as a box centred on the origin."""
    w, h = shape
    return np.array([-w / 2, -h / 2, w / 2, h / 2])


DEFAULT_OBJECTS = {"pedestrian": (0.50, 0.50, 0.17, 0.52), "car": (0.46, 0.56, 0.62, 0.24)}
DEFAULT_ANCHORS = {"tall anchor": (0.15, 0.45), "wide anchor": (0.55, 0.2)}


def _scene_panel(ax, objects, grid_size):
    for line in range(1, grid_size):
        ax.axhline(line / grid_size, color="0.5", linewidth=1)
        ax.axvline(line / grid_size, color="0.5", linewidth=1)
    for i, (name, (cx, cy, w, h)) in enumerate(objects.items()):
        col, row = int(cx * grid_size), int(cy * grid_size)
        ax.add_patch(Rectangle((col / grid_size, row / grid_size), 1 / grid_size,
                               1 / grid_size, facecolor="0.85", zorder=0))
        ax.add_patch(_rectangle(_centred((w, h)) + [cx, cy, cx, cy], fill=False,
                                edgecolor=f"C{i}", linewidth=2.5, label=name))
        ax.plot(cx, cy, "o", color=f"C{i}", markeredgecolor="black")
    ax.set_xlim(0, 1)
    ax.set_ylim(1, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, -0.16), ncol=2, fontsize="small",
              frameon=False)
    ax.set_title("two objects, their centres in one cell\n(shaded): one anchor each",
                 fontsize="medium")


def _shape_panel(ax, obj, anchor, value, won, colour):
    ax.add_patch(_rectangle(_centred(anchor), facecolor="0.85", edgecolor="0.3",
                            linestyle="--", linewidth=1.5))
    ax.add_patch(_rectangle(_centred(obj), fill=False, edgecolor=colour, linewidth=2.5))
    ax.set_xlim(-0.36, 0.36)
    ax.set_ylim(0.36, -0.36)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"IoU {value:.2f}" + ("  assigned" if won else ""), fontsize="medium",
                 color="tab:green" if won else "black", fontweight="bold" if won else None)
    for spine in ax.spines.values():
        spine.set(edgecolor="tab:green" if won else "0.7", linewidth=3 if won else 1)


def anchors_picture(iou_fn, objects=None, anchors=None, grid_size=3):
    """Anchor boxes: two objects whose centres fall in one cell (left) and, for each object
    (a row) and each anchor shape (a column, grey dashed), the two shapes compared at a common
    centre with ``iou_fn``: each object goes to the anchor of higher IoU (green). ``objects``:
    {name: (cx, cy, w, h)} image-relative; ``anchors``: {name: (w, h)}. Returns the Figure."""
    objects = dict(objects or DEFAULT_OBJECTS)
    anchors = dict(anchors or DEFAULT_ANCHORS)
    values = np.array([[iou_value(iou_fn, _centred(o[2:]), _centred(a))
                        for a in anchors.values()] for o in objects.values()])
    fig = closed_figure((3.6 + 2.3 * len(anchors), 0.6 + 2.5 * len(objects)))[0]
    fig.clear()     # one tall panel beside a grid of small ones
    grid = fig.add_gridspec(len(objects), 1 + len(anchors), width_ratios=[1.6] + [1] * len(anchors))
    _scene_panel(fig.add_subplot(grid[:, 0]), objects, grid_size)
    for i, (name, obj) in enumerate(objects.items()):
        for j, anchor_name in enumerate(anchors):
            ax = fig.add_subplot(grid[i, 1 + j])
            _shape_panel(ax, obj[2:], anchors[anchor_name], values[i, j],
                         j == int(np.argmax(values[i])), f"C{i}")
            if j == 0:
                ax.set_ylabel(name, fontsize="medium")
            if i == len(objects) - 1:
                ax.set_xlabel(anchor_name, fontsize="medium")
    fig.suptitle("anchor boxes: each object goes to the anchor shape it overlaps most",
                 fontsize="medium")
    fig.tight_layout()
    fig.iou_values, fig.assigned = values, values.argmax(axis=1)
    return fig
