"""Reference solutions of 10_detection: the spec the hidden checks compare against.
Trusted: never shown to students, never mounted in the grading sandbox.

Conventions (the notebook states them to students):
- Boxes are corners (x1, y1, x2, y2) with x1 <= x2, y1 <= y2; x runs right (columns), y
  runs down (rows), origin (0, 0) top left as on the lecture's slide. Coordinates are
  continuous: a box's area is (x2 - x1) * (y2 - y1), no "+1 pixel". A box of zero width or
  height is degenerate: area 0, IoU 0 with every box (also with itself: 0 / 0 is taken as 0).
- Grid boxes (encode_grid / decode_grid) are in image-relative coordinates: the image is
  the unit square, so a grid of S x S cells has cells of side 1 / S.
- A grid target is (S, S, 5 + K), indexed [row, col] = [y cell, x cell]; each cell holds
  the lecture's vector [p_c, b_x, b_y, b_w, b_h, c_1..c_K] (the order of the lecture's
  localisation slide; its YOLO slide lists b_h before b_w): b_x, b_y the centre's offset
  inside its cell in cell units ([0, 1)), b_w, b_h the box size in cell units (may exceed 1).
"""

import numpy as np
import torch
from torch import nn


def iou(box_a, box_b):
    """Intersection over union of corner boxes (x1, y1, x2, y2).

    Two boxes (4,) -> a number; (N, 4) and (M, 4) -> (N, M), entry (i, j) the IoU of box_a[i]
    and box_b[j] (no loop over pairs: broadcasting). A (4,) box against (M, 4) -> (M,).
    The overlap's width and height are clamped at 0 (disjoint or touching boxes: 0); a zero
    union (two degenerate boxes) gives 0.
    """
    a = np.asarray(box_a, dtype=np.float64)
    b = np.asarray(box_b, dtype=np.float64)
    A, B = np.atleast_2d(a)[:, None, :], np.atleast_2d(b)[None, :, :]
    width = np.clip(np.minimum(A[..., 2], B[..., 2]) - np.maximum(A[..., 0], B[..., 0]), 0, None)
    height = np.clip(np.minimum(A[..., 3], B[..., 3]) - np.maximum(A[..., 1], B[..., 1]), 0, None)
    inter = width * height
    area_a = (A[..., 2] - A[..., 0]) * (A[..., 3] - A[..., 1])
    area_b = (B[..., 2] - B[..., 0]) * (B[..., 3] - B[..., 1])
    union = area_a + area_b - inter
    out = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    if a.ndim == 1:
        out = out[0]
    if b.ndim == 1:
        out = out[..., 0]
    return out


def localisation_loss(pred, target):
    """The lecture's loss for classification with localisation, squared error on every term.

    ``pred``, ``target``: (..., 5 + K) vectors [p_c, b_x, b_y, b_w, b_h, c_1..c_K] (numpy
    arrays or torch tensors); returns one loss per vector, shape (...):
    - target p_c = 1 (an object): (y_0 - yhat_0)^2 + (y_1 - yhat_1)^2 + ... + (y_7 - yhat_7)^2,
      the *sum* over all 5 + K terms;
    - target p_c = 0 (no object): (y_0 - yhat_0)^2 only, since the box and class entries of
      such a target are "?" (don't care): whatever they hold costs nothing.
    """
    squared = (pred - target) ** 2
    has_object = target[..., 0]
    return squared[..., 0] + has_object * squared[..., 1:].sum(-1)


def fc_to_conv(model):
    """The window classifier ``model`` as a fully convolutional network.

    ``model``: nn.Sequential of a convolutional part (Conv2d without padding, ReLU,
    MaxPool2d, ...), then nn.Flatten, then Linear layers (and activations). The map entering
    Flatten is square (k x k, channels = the last Conv2d's out_channels). Returns an
    nn.Sequential: the convolutional part (the same layers), the first Linear as a k x k
    Conv2d, every later Linear as a 1 x 1 Conv2d, activations kept, no Flatten. On a
    window-sized input it gives (N, classes, 1, 1), the classifier's outputs; on a larger
    image a map with one output per window position (stride = the convolutional part's).
    """
    layers = list(model.children())
    flat = next(i for i, layer in enumerate(layers) if isinstance(layer, nn.Flatten))
    channels = [layer.out_channels for layer in layers[:flat] if isinstance(layer, nn.Conv2d)][-1]
    converted = list(layers[:flat])
    first = True
    for layer in layers[flat + 1:]:
        if isinstance(layer, nn.Linear):
            c_in = channels if first else layer.in_features
            k = int(round((layer.in_features / c_in) ** 0.5)) if first else 1
            conv = nn.Conv2d(c_in, layer.out_features, k)
            with torch.no_grad():
                conv.weight.copy_(layer.weight.reshape(layer.out_features, c_in, k, k))
                conv.bias.copy_(layer.bias)
            converted.append(conv)
            first = False
        else:
            converted.append(layer)
    return nn.Sequential(*converted)


def encode_grid(boxes, labels, grid_size, num_classes):
    """YOLO targets: (S, S, 5 + K), zeros but for the cells holding an object's centre.

    ``boxes`` (n, 4) image-relative corners in [0, 1], ``labels`` (n,) class indices
    0..K-1. Each box goes to the cell [row, col] = [floor(c_y S), floor(c_x S)] holding its
    centre (a centre on a line between cells belongs to the cell below / to the right; on the
    image's right or bottom edge, to the last cell), with p_c = 1, b_x = c_x S - col,
    b_y = c_y S - row, b_w = w S, b_h = h S, and c one-hot. One object per cell (the lecture's
    assumption): the checks never put two centres in one cell.
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    target = np.zeros((grid_size, grid_size, 5 + num_classes))
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    col = np.minimum(np.floor(cx * grid_size).astype(int), grid_size - 1)
    row = np.minimum(np.floor(cy * grid_size).astype(int), grid_size - 1)
    target[row, col, 0] = 1.0
    target[row, col, 1] = cx * grid_size - col
    target[row, col, 2] = cy * grid_size - row
    target[row, col, 3] = (boxes[:, 2] - boxes[:, 0]) * grid_size
    target[row, col, 4] = (boxes[:, 3] - boxes[:, 1]) * grid_size
    target[row, col, 5 + np.asarray(labels, dtype=int).reshape(-1)] = 1.0
    return target


def decode_grid(output, threshold):
    """Boxes back from a grid output (S, S, 5 + K): the cells whose p_c >= ``threshold``,
    in row-major order (row by row, left to right).

    Returns (boxes (n, 4) image-relative corners, scores (n,) = their p_c, labels (n,) =
    the index of their largest class score).
    """
    output = np.asarray(output, dtype=np.float64)
    grid_size = output.shape[0]
    row, col = np.nonzero(output[..., 0] >= threshold)
    cells = output[row, col]
    cx, cy = (col + cells[:, 1]) / grid_size, (row + cells[:, 2]) / grid_size
    w, h = cells[:, 3] / grid_size, cells[:, 4] / grid_size
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return boxes, cells[:, 0], np.argmax(cells[:, 5:], axis=1)


def nms(boxes, scores, iou_threshold, labels=None):
    """Greedy non-max suppression, per class.

    Repeatedly keep the highest-scoring box left and drop every remaining box *of the same
    class* whose IoU with it is greater than ``iou_threshold`` (equal: kept, as torchvision).
    ``labels`` (n,) class indices; None: one class. Returns the kept indices into ``boxes``
    as an int array, highest score first (ties: the earlier index first).
    """
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    labels = np.zeros(len(boxes), dtype=int) if labels is None else np.asarray(labels)
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    overlaps = iou(boxes, boxes)
    alive = np.ones(len(boxes), dtype=bool)
    keep = []
    for i in order:
        if not alive[i]:
            continue
        keep.append(i)
        alive &= ~((overlaps[i] > iou_threshold) & (labels == labels[i]))
    return np.array(keep, dtype=np.int64)
