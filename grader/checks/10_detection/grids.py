"""Grid cases shared by 10's encode_grid and decode_grid checks (trusted side): boxes with
one centre per cell, grid outputs, and decoded triples in a comparable form."""

import numpy as np


def one_per_cell(rng, grid_size, count, max_size=0.45):
    """``count`` image-relative boxes whose centres fall in distinct random cells (never on
    a line between cells), and their sizes."""
    cells = rng.choice(grid_size * grid_size, size=count, replace=False)
    row, col = np.divmod(cells, grid_size)
    offset = rng.uniform(0.05, 0.95, size=(count, 2))
    cx, cy = (col + offset[:, 0]) / grid_size, (row + offset[:, 1]) / grid_size
    w, h = rng.uniform(0.02, max_size, size=(2, count))
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def centred(centres, size=0.1):
    """Boxes of side ``size`` around the given (c_x, c_y) centres."""
    c = np.asarray(centres, dtype=np.float64)
    return np.concatenate([c - size / 2, c + size / 2], axis=1)


def random_output(rng, grid_size, num_classes):
    """A network's grid output: p_c uniform in [0, 1], offsets in [0, 1), sizes, scores."""
    out = rng.uniform(0, 1, size=(grid_size, grid_size, 5 + num_classes))
    out[..., 3:5] = rng.uniform(0.1, 2.5, size=(grid_size, grid_size, 2))
    return out


def rows(decoded):
    """A decoded (boxes, scores, labels) as one (n, 6) array sorted by its rows (any order of
    the detections is accepted); None when it is not such a triple."""
    if not isinstance(decoded, (tuple, list)) or len(decoded) != 3:
        return None
    try:
        boxes = np.asarray(decoded[0], dtype=np.float64).reshape(-1, 4)
        scores = np.asarray(decoded[1], dtype=np.float64).reshape(-1)
        labels = np.asarray(decoded[2], dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        return None
    if not len(boxes) == len(scores) == len(labels):
        return None
    table = np.concatenate([boxes, scores[:, None], labels[:, None]], axis=1)
    return table[np.lexsort(np.round(table, 9).T[::-1])]
