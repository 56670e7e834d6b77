"""The tasks of notebook 08: a source task to pretrain on, target tasks to transfer to.

CIFAR-10 is split by class: the backbone learns the SOURCE classes (all 25,000 of their
training images), and is transferred to the TARGET classes, whose images it never saw
(their test images are the graded test set), usually with few labels per class::

    x, y = source_task("train")             # float32 (25000, 3, 32, 32) in [0, 1], y in 0..4
    x, y = target_task("train")             # float32 (25000, 3, 32, 32), y in 0..4 = TARGET_CLASSES
    x20, y20 = few_labels(x, y, 20)         # 20 images of each class (100), seeded
    xf, yf = fashion_task("test")           # Fashion-MNIST, 5 classes, as 3 x 32 x 32 images
    images, labels = target_test_set()      # uint8 (5000, 3, 32, 32), int64: for grading

Labels are remapped to 0..4 in the order of the class tuples below.
"""

import functools

import numpy as np
import torch

from source_lib.data import (
    CIFAR10_CLASSES,
    FASHION_MNIST_CLASSES,
    load_cifar10,
    load_fashion_mnist,
)

__all__ = [
    "FASHION_TARGET_CLASSES",
    "SOURCE_CLASSES",
    "TARGET_CLASSES",
    "fashion_task",
    "few_labels",
    "source_task",
    "target_task",
    "target_test_set",
]

SOURCE_CLASSES = ("airplane", "automobile", "bird", "cat", "deer")     # CIFAR-10 labels 0-4
TARGET_CLASSES = ("dog", "frog", "horse", "ship", "truck")             # CIFAR-10 labels 5-9
FASHION_TARGET_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Sneaker", "Bag")


def _select(images, labels, wanted, all_names):
    """The samples of the classes named ``wanted`` (uint8 kept), labels remapped to 0..4."""
    codes = np.array([all_names.index(name) for name in wanted])
    keep = np.isin(labels, codes)
    remap = np.full(len(all_names), -1, dtype=np.int64)
    remap[codes] = np.arange(len(codes))
    return images[keep], remap[labels[keep]]


@functools.lru_cache(maxsize=4)
def _cifar_part(split, classes, download=True):
    # uint8 (77 MB for 25,000 images) is what is kept between calls, not float32 (4x more)
    images, labels = load_cifar10(split, download=download)
    return _select(images, labels, classes, CIFAR10_CLASSES)


def _as_float(images, labels):
    return torch.from_numpy(images).float().div_(255.0), torch.from_numpy(labels)


def source_task(split):
    """CIFAR-10 images of SOURCE_CLASSES in ``split`` ("train": 25,000, "test": 5,000):
    x float32 (N, 3, 32, 32) in [0, 1], y int64 (N,) in 0..4 (class by class in the JPEG
    copy of the data: shuffle before slicing, or use :func:`few_labels`)."""
    return _as_float(*_cifar_part(split, SOURCE_CLASSES))


def target_task(split):
    """CIFAR-10 images of TARGET_CLASSES in ``split`` ("train": 25,000, "test": 5,000):
    x float32 (N, 3, 32, 32) in [0, 1], y int64 (N,) in 0..4 (0 = dog, ..., 4 = truck)."""
    return _as_float(*_cifar_part(split, TARGET_CLASSES))


def target_test_set(download=False):
    """The graded test set: the official CIFAR-10 test images of TARGET_CLASSES, uint8
    (5000, 3, 32, 32) (RGB, 0..255) and int64 labels (5000,) in 0..4. With the default
    ``download=False`` a missing data set raises ``DataUnavailableError`` at once (a grader
    never downloads mid-batch)."""
    images, labels = _cifar_part("test", TARGET_CLASSES, download=bool(download))
    return images.copy(), labels.copy()    # the cached arrays stay untouched


def fashion_task(split):
    """Fashion-MNIST images of FASHION_TARGET_CLASSES in ``split`` ("train": 30,000,
    "test": 5,000) shaped like CIFAR: x float32 (N, 3, 32, 32) in [0, 1] (the grey image
    in all three channels), y int64 (N,) in 0..4."""
    images, labels = load_fashion_mnist(split)
    images, labels = _select(images, labels, FASHION_TARGET_CLASSES, FASHION_MNIST_CLASSES)
    # 28 -> 32 by zero padding 2 pixels each side, not by resizing: the garments keep
    # their pixels exactly (interpolation would blur their edges and add artefacts), and
    # Fashion-MNIST's background is already 0, so the border is just more background.
    images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    x = torch.from_numpy(images).float().div_(255.0).unsqueeze(1).expand(-1, 3, -1, -1)
    return x.contiguous(), torch.from_numpy(labels)


def few_labels(x, y, per_class, seed=0):
    """A balanced subset of ``(x, y)``: exactly ``per_class`` samples of every class in
    ``y`` (int64 (N,)), drawn with ``seed``, in their original order. ``per_class=None``
    returns ``(x, y)`` unchanged. Raises ValueError if a class has fewer samples."""
    if per_class is None:
        return x, y
    generator = torch.Generator().manual_seed(int(seed))
    picked = []
    for label in torch.unique(y).tolist():
        members = torch.nonzero(y == label).flatten()
        if len(members) < int(per_class):
            raise ValueError(f"class {label} has {len(members)} samples, fewer than "
                             f"per_class={per_class}")
        picked.append(members[torch.randperm(len(members), generator=generator)[:int(per_class)]])
    keep = torch.cat(picked).sort().values
    return x[keep], y[keep]
