"""Notebook 10's synthetic detection data: coloured shapes on textured backgrounds, made on
the fly from a seed, with exact boxes.

    scenes = make_scenes(256, seed=0)          # 256 images of 64 x 64, grid 4 x 4
    scenes.images                              # float32 tensor (256, 3, 64, 64) in [0, 1]
    scenes.boxes[i], scenes.labels[i]          # (n_i, 4) corners in [0, 1], (n_i,) in 0..K-1
    sample = figure_sample(8, seed=0)          # the same as numpy (8, 64, 64, 3) for imshow

Conventions of the notebook (and of its grader): boxes are image-relative corners
(x1, y1, x2, y2), x to the right, y down, the image the unit square. A box is the exact
extent of its shape (a pixel belongs to a shape when its centre lies inside the shape).
Backgrounds are textures (a colour gradient plus blurred noise) or, when asked with
``backgrounds=cifar_backgrounds()``, CIFAR-10 photos (scaled up, dimmed towards grey so the
shapes stay findable) blended with a texture; the default is textures only, the same on
every machine (the grader's hidden scenes use it).

Every object lies fully inside the image, and no two object centres share a cell of the
``grid_size`` x ``grid_size`` grid (nor lie on a line between cells), so each image has a
well-defined YOLO target for that grid. The same seed gives the same scenes.
"""

from dataclasses import dataclass

import numpy as np
import torch

__all__ = ["CLASSES", "Scenes", "cifar_backgrounds", "figure_sample", "make_scenes"]

CLASSES = ("square", "disc", "triangle")
MIN_SIZE, MAX_SIZE = 0.16, 0.40     # side of an object's box, as a fraction of the image


@dataclass
class Scenes:
    """Generated images (float32 tensor (N, 3, H, W) in [0, 1]) with, per image, its boxes
    (float64 (n, 4) image-relative corners) and labels (int64 (n,), indices of ``CLASSES``)."""

    images: torch.Tensor
    boxes: list
    labels: list
    grid_size: int

    def __len__(self):
        return len(self.images)

    @property
    def num_classes(self):
        return len(CLASSES)


def _background(rng, size):
    """A colour gradient plus blurred noise, (3, size, size) in [0, 1]."""
    t = np.linspace(0.0, 1.0, size)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * t[None, :] + np.sin(angle) * t[:, None]
    ramp = (ramp - ramp.min()) / (np.ptp(ramp) + 1e-9)
    start, end = rng.uniform(0.1, 0.9, size=(2, 3, 1, 1))
    image = start + (end - start) * ramp[None]
    coarse = rng.normal(0, 1, size=(3, size // 8 + 1, size // 8 + 1))
    noise = np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2)[:, :size, :size]
    texture = rng.uniform(0.03, 0.12) * noise + rng.uniform(0.0, 0.06) * rng.normal(
        0, 1, size=(3, size, size))
    return image + texture


def cifar_backgrounds(count=2000):
    """uint8 (count, 3, 32, 32) CIFAR-10 training images for :func:`make_scenes`'s
    ``backgrounds``, when COURSE_DATA_DIR (or the course's data folder) holds CIFAR-10;
    None otherwise (nothing is downloaded)."""
    from source_lib.data import DataError, load_cifar10
    try:
        images, _ = load_cifar10("train", download=False)
    except DataError:
        return None
    keep = np.random.default_rng(0).permutation(len(images))[:int(count)]
    return images[np.sort(keep)]


def _photo(rng, backgrounds, size):
    """A random photo of ``backgrounds`` (uint8 (M, 3, h, w)) scaled to (3, size, size) by
    repeating pixels, as floats in [0, 1] pulled halfway to grey."""
    photo = backgrounds[int(rng.integers(len(backgrounds)))].astype(np.float64) / 255.0
    rows = np.arange(size) * photo.shape[1] // size
    cols = np.arange(size) * photo.shape[2] // size
    return 0.5 * photo[:, rows][:, :, cols] + 0.25


def _mask(label, box, size):
    """Pixels (size, size) whose centre lies inside the shape filling ``box`` (pixels)."""
    x1, y1, x2, y2 = box
    centres = np.arange(size) + 0.5
    x, y = centres[None, :], centres[:, None]
    inside = (x >= x1) & (x <= x2) & (y >= y1) & (y <= y2)
    if CLASSES[label] == "disc":
        r = (x2 - x1) / 2
        return ((x - (x1 + x2) / 2) ** 2 + (y - (y1 + y2) / 2) ** 2) <= r * r
    if CLASSES[label] == "triangle":    # apex at the top middle, base at the bottom
        half_width = (y - y1) / (y2 - y1) * (x2 - x1) / 2
        return inside & (np.abs(x - (x1 + x2) / 2) <= half_width)
    return inside


def _place(rng, grid_size, count, size):
    """Up to ``count`` boxes (pixel corners) inside the image with centres in distinct cells,
    away from cell lines, overlapping each other little."""
    boxes, cells = [], set()
    for _ in range(count * 20):
        if len(boxes) == count:
            break
        side = rng.uniform(MIN_SIZE, MAX_SIZE) * size
        cx, cy = rng.uniform(side / 2, size - side / 2, size=2)
        cell = (int(cy * grid_size / size), int(cx * grid_size / size))
        offsets = np.array([cx, cy]) * grid_size / size % 1.0
        if cell in cells or np.any(offsets < 0.02) or np.any(offsets > 0.98):
            continue
        box = np.array([cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2])
        if any(_overlap(box, other) > 0.25 for other in boxes):
            continue
        cells.add(cell)
        boxes.append(box)
    return boxes


def _overlap(a, b):
    """Intersection over the smaller box's area (placement only, not the graded IoU)."""
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller


def _colour(rng, around):
    """A colour standing out from the background colour ``around`` (3,)."""
    for _ in range(20):
        colour = rng.uniform(0, 1, size=3)
        if np.abs(colour - around).sum() > 0.8:
            return colour
    return 1.0 - around


def make_scene(rng, size=64, grid_size=4, max_objects=3, backgrounds=None):
    """One image (3, size, size) float32 in [0, 1], its boxes (n, 4) image-relative corners
    and labels (n,), drawn from the numpy Generator ``rng``; 1 to ``max_objects`` objects.
    ``backgrounds``: photos to draw on (see :func:`cifar_backgrounds`), None: textures."""
    image = _background(rng, size)
    if backgrounds is not None and len(backgrounds):
        image = 0.3 * image + 0.7 * _photo(rng, backgrounds, size)
    count = int(rng.integers(1, max_objects + 1))
    placed = _place(rng, grid_size, count, size)
    labels = rng.integers(0, len(CLASSES), size=len(placed))
    for box, label in zip(placed, labels):
        mask = _mask(label, box, size)
        colour = _colour(rng, image[:, mask].mean(axis=1))
        image[:, mask] = colour[:, None] + rng.normal(0, 0.03, size=(3, int(mask.sum())))
    boxes = np.array(placed, dtype=np.float64).reshape(-1, 4) / size
    return np.clip(image, 0, 1).astype(np.float32), boxes, labels.astype(np.int64)


def make_scenes(n, seed=0, size=64, grid_size=4, max_objects=3, backgrounds=None):
    """``n`` scenes (:class:`Scenes`), the same for the same arguments (``seed``: an int or
    a tuple of ints, e.g. (seed, step) for the training batches)."""
    rng = np.random.default_rng([*np.atleast_1d(seed).astype(int).tolist(), 10])
    images, boxes, labels = [], [], []
    for _ in range(int(n)):
        image, b, lab = make_scene(rng, size, grid_size, max_objects, backgrounds)
        images.append(image)
        boxes.append(b)
        labels.append(lab)
    stacked = torch.from_numpy(np.stack(images)) if images else torch.zeros(0, 3, size, size)
    return Scenes(stacked, boxes, labels, int(grid_size))


def figure_sample(n=8, seed=0, **kwargs):
    """``n`` scenes ready for matplotlib: images (n, H, W, 3) float32 in [0, 1], and the
    boxes in *pixels* (list of (n_i, 4) corners), the labels and the class names."""
    scenes = make_scenes(n, seed=seed, **kwargs)
    size = scenes.images.shape[-1]
    return {"images": scenes.images.permute(0, 2, 3, 1).numpy(),
            "boxes": [b * size for b in scenes.boxes], "labels": scenes.labels,
            "classes": CLASSES, "grid_size": scenes.grid_size}
