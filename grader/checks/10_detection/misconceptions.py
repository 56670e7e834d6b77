"""Wrong versions of 10_detection's graded functions and the messages that name each mistake
(trusted side). Each ``*_MISTAKES`` is a list of ``(function, message)`` taking the graded
function's arguments; messages never contain values."""

import numpy as np

from grader.checking import load_reference

ref = load_reference(__file__)


# ------------------------------------------------------------------ iou
def _iou(box_a, box_b, plus=0.0, union="right", clamp=True, read=lambda b: b):
    a = read(np.atleast_2d(np.asarray(box_a, dtype=np.float64)))[:, None, :]
    b = read(np.atleast_2d(np.asarray(box_b, dtype=np.float64)))[None, :, :]
    width = np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]) + plus
    height = np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]) + plus
    inter = np.clip(width, 0, None) * np.clip(height, 0, None) if clamp else width * height
    area_a = (a[..., 2] - a[..., 0] + plus) * (a[..., 3] - a[..., 1] + plus)
    area_b = (b[..., 2] - b[..., 0] + plus) * (b[..., 3] - b[..., 1] + plus)
    total = {"right": area_a + area_b - inter, "sum": area_a + area_b,
             "first": area_a + 0 * area_b, "smaller": np.minimum(area_a, area_b)}[union]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(total > 0, inter / np.where(total > 0, total, 1), 0.0)
    return _squeeze(out, box_a, box_b)


def _squeeze(out, box_a, box_b):
    if np.ndim(box_a) == 1:
        out = out[0]
    if np.ndim(box_b) == 1:
        out = out[..., 0]
    return out


def _xywh(boxes):
    """Corners read as (x, y, w, h)."""
    return np.concatenate([boxes[:, :2], boxes[:, :2] + boxes[:, 2:]], axis=1)


def _x1x2y1y2(boxes):
    """Corners read as (x1, x2, y1, y2): x and y coordinates mixed up."""
    return boxes[:, [0, 2, 1, 3]]


def _paired(box_a, box_b):
    a, b = np.atleast_2d(box_a), np.atleast_2d(box_b)
    if a.shape != b.shape:
        return None
    return np.array([ref.iou(x, y) for x, y in zip(a, b)])


PLUS_ONE = ("the areas have a +1: that is the convention for integer pixel indices "
            "(a box from pixel 0 to pixel 9 covers 10 pixels); here coordinates are "
            "continuous, so a box's width is x2 - x1 and its area (x2 - x1) * (y2 - y1)")
SUM_OF_AREAS = ("the union is the sum of the two areas minus their intersection: adding the "
                "areas counts the overlap twice")
NOT_CLAMPED = ("the overlap's width and height must be clamped at 0 before multiplying: for "
               "boxes that do not overlap both are negative and their product is positive")
IOU_MISTAKES = [
    (lambda a, b: _iou(a, b, plus=1.0), PLUS_ONE),
    (lambda a, b: _iou(a, b, union="sum"), SUM_OF_AREAS),
    (lambda a, b: _iou(a, b, clamp=False), NOT_CLAMPED),
    (lambda a, b: _iou(a, b, union="first"), "the denominator is the union of the two boxes, "
     "not the area of the first box (IoU must be symmetric)"),
    (lambda a, b: _iou(a, b, union="smaller"), "the denominator is the union of the two "
     "boxes, not the smaller area"),
    (lambda a, b: _iou(a, b, read=_xywh), "the boxes are corners (x1, y1, x2, y2), not "
     "(x, y, width, height)"),
    (lambda a, b: _iou(a, b, read=_x1x2y1y2), "x and y are mixed up: a box is (x1, y1, x2, "
     "y2), so x1, x2 are entries 0 and 2 and y1, y2 entries 1 and 3"),
]
PAIRED = ("the batched result is (N, M), one entry for every pair (box_a[i], box_b[j]); "
          "yours pairs box i with box i only")


# ------------------------------------------------------------------ localisation_loss
def _loss(pred, target, mask=None, power=2, pc_always=True, classes=True, mean=False):
    errors = np.abs(np.asarray(pred, float) - np.asarray(target, float)) ** power
    has = np.asarray(target, float)[..., 0] if mask is None else mask
    rest = errors[..., 1:] if classes else errors[..., 1:5]
    first = errors[..., 0] if pc_always else has * errors[..., 0]
    if mean:   # the mean of the squared errors over the terms that count
        return np.where(has > 0, errors.mean(-1), errors[..., 0])
    return first + has * rest.sum(-1)


LOSS_MISTAKES = [
    (lambda p, t: _loss(p, t, mask=np.ones(np.shape(t)[:-1])),
     "when the target's p_c is 0 there is no object: only (y_0 - yhat_0)^2 counts; the box "
     "and class entries are '?' (don't care) and must not add to the loss"),
    (lambda p, t: _loss(p, t, mask=(np.asarray(p, float)[..., 0] > 0.5).astype(float)),
     "whether the box and class terms count is decided by the target's p_c (is there an "
     "object?), not by the prediction's"),
    (lambda p, t: _loss(p, t, mean=True),
     "the lecture's loss is the sum of the squared errors, not their mean"),
    (lambda p, t: _loss(p, t, pc_always=False),
     "(y_0 - yhat_0)^2 counts when there is no object too: that is how the network learns "
     "to say 'no object'"),
    (lambda p, t: _loss(p, t, classes=False),
     "when there is an object, the class entries c_1..c_K count too: every term y_1..y_7"),
    (lambda p, t: _loss(p, t, power=1), "the lecture uses the squared error on every term, "
     "not the absolute error"),
]


# ------------------------------------------------------------------ encode_grid / decode_grid
def _encode(boxes, labels, grid_size, num_classes, cell=None, swap=False, relative=True,
            size="cells"):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    target = np.zeros((grid_size, grid_size, 5 + num_classes))
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    cell = cell or (lambda c, s: np.minimum(np.floor(c * s).astype(int), s - 1))
    col, row = cell(cx, grid_size), cell(cy, grid_size)
    if np.any((col >= grid_size) | (row >= grid_size)):
        return None     # the student's code raises IndexError (negative indices wrap)
    r, c = (col, row) if swap else (row, col)
    scale = {"cells": grid_size, "image": 1.0}[size]
    target[r, c, 0] = 1.0
    target[r, c, 1] = cx * grid_size - col if relative else cx
    target[r, c, 2] = cy * grid_size - row if relative else cy
    target[r, c, 3] = (boxes[:, 2] - boxes[:, 0]) * scale
    target[r, c, 4] = (boxes[:, 3] - boxes[:, 1]) * scale
    target[r, c, 5 + np.asarray(labels, dtype=int).reshape(-1)] = 1.0
    return target


SWAPPED = ("x and y are swapped: the grid is indexed [row, col] = [y cell, x cell], so a "
           "box's centre (c_x, c_y) goes to target[floor(c_y S), floor(c_x S)]")
BORDER = ("a centre is assigned to the wrong cell at a border: the cell holding the centre "
          "is floor(c * S) (a centre on the line between two cells belongs to the cell "
          "after it), and a centre on the image's last edge belongs to the last cell, S - 1")
ENCODE_MISTAKES = [
    (lambda *a: _encode(*a, swap=True), SWAPPED),
    (lambda *a: _encode(*a, cell=lambda c, s: np.minimum(np.round(c * s).astype(int), s - 1)),
     BORDER),
    (lambda *a: _encode(*a, cell=lambda c, s: np.minimum(np.ceil(c * s).astype(int) - 1, s - 1)),
     BORDER),
    (lambda *a: _encode(*a, cell=lambda c, s: np.floor(c * s).astype(int)), BORDER),
    (lambda *a: _encode(*a, relative=False), "b_x, b_y are the centre's position inside its "
     "cell, in cell units (0 at the cell's left/top edge, 1 at its right/bottom edge), not in "
     "image coordinates"),
    (lambda *a: _encode(*a, size="image"), "b_w, b_h are in cell units (the box's width and "
     "height divided by the cell's), so they can be larger than 1"),
]


def _decode(output, threshold, swap=False, relative=True, size="cells", compare="ge"):
    output = np.asarray(output, dtype=np.float64)
    s = output.shape[0]
    keep = output[..., 0] >= threshold if compare == "ge" else output[..., 0] < threshold
    row, col = np.nonzero(keep)
    if swap:
        row, col = col, row
    cells = output[np.nonzero(keep)]
    cx = (col + cells[:, 1]) / s if relative else cells[:, 1]
    cy = (row + cells[:, 2]) / s if relative else cells[:, 2]
    scale = s if size == "cells" else 1.0
    w, h = cells[:, 3] / scale, cells[:, 4] / scale
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes, cells[:, 0], np.argmax(cells[:, 5:], axis=1)


DECODE_MISTAKES = [
    (lambda o, t: _decode(o, t, swap=True), SWAPPED.replace("goes to", "comes from")),
    (lambda o, t: _decode(o, t, relative=False), "b_x, b_y are relative to their cell: the "
     "centre is ((col + b_x) / S, (row + b_y) / S) in image coordinates"),
    (lambda o, t: _decode(o, t, size="image"), "b_w, b_h are in cell units: divide them by "
     "S to get the box's size in image coordinates"),
    (lambda o, t: _decode(o, t, compare="lt"), "keep the cells whose p_c is at least the "
     "threshold, not those below it"),
]


# ------------------------------------------------------------------ nms
def _nms(boxes, scores, iou_threshold, labels=None, classes=True, compare="gt", order="score",
         sweep=False):
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.zeros(len(boxes), int) if labels is None or not classes else np.asarray(labels)
    scores = np.asarray(scores, dtype=np.float64)
    visit = np.argsort(-scores, kind="stable") if order != "input" else np.arange(len(boxes))
    overlaps = ref.iou(boxes, boxes)
    alive = np.ones(len(boxes), bool)
    keep = []
    for i in visit:
        if alive[i]:
            keep.append(i)
        elif not sweep:
            continue
        close = overlaps[i] > iou_threshold if compare == "gt" else overlaps[i] < iou_threshold
        close[i] = False
        alive &= ~(close & (labels == labels[i]))
    keep = np.array(keep, dtype=np.int64)
    return np.sort(keep) if order == "sorted" else keep


ACROSS = ("boxes of different classes never suppress each other: NMS runs per class (a "
          "car and a person may overlap)")
WRONG_WAY = ("a box is suppressed when its IoU with a kept box is *greater* than the "
             "threshold (it overlaps too much: the same object); you suppress the boxes "
             "that overlap little")
NMS_MISTAKES = [
    (lambda b, s, t, labels=None: _nms(b, s, t, labels, classes=False), ACROSS),
    (lambda b, s, t, labels=None: _nms(b, s, t, labels, compare="lt"), WRONG_WAY),
    (lambda b, s, t, labels=None: _nms(b, s, t, labels, order="input"),
     "visit the boxes from the highest score down: the box kept first is the best one left, "
     "not the first one in the list"),
    (lambda b, s, t, labels=None: _nms(b, s, t, labels, order="sorted"),
     "return the kept indices in score order (highest first), not sorted by index"),
    (lambda b, s, t, labels=None: _nms(b, s, t, labels, sweep=True),
     "a suppressed box must not suppress others: only kept boxes do (greedy NMS)"),
]
