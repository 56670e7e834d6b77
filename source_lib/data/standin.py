"""Clearly labelled synthetic stand-ins for the demo when real data is missing.

A stand-in has the shapes and dtypes of the real loader's result so the rest
of a notebook runs, but its pixels are made up: class-specific blurry
patterns plus noise, learnable but meaningless. Every stand-in carries
``is_standin = True`` and a name starting with "STAND-IN".
"""

import sys

import numpy as np

from source_lib.data.cifar import load_cifar10
from source_lib.data.errors import DataError
from source_lib.data.idx import load_fashion_mnist
from source_lib.data.mnist1d import load_mnist1d
from source_lib.data.registry import canonical_name, get_spec

# Image datasets: (channels or None, height, width) of one image.
_IMAGE_SHAPES = {"fashion_mnist": (None, 28, 28), "cifar10": (3, 32, 32)}


class StandInArrays(tuple):
    """``(images, labels)`` exactly like a real loader returns, plus labels saying it is fake.

    Attributes: ``images``, ``labels``, ``dataset`` (registry name),
    ``name`` ("STAND-IN (synthetic, not ...)"), ``class_names``, ``is_standin``.
    """

    is_standin = True

    def __new__(cls, images, labels, dataset, name, class_names):
        self = super().__new__(cls, (images, labels))
        self.images, self.labels = images, labels
        self.dataset, self.name, self.class_names = dataset, name, class_names
        return self

    def __repr__(self):
        return f"<{self.name}: images {self.images.shape} {self.images.dtype}, {len(self.labels)} labels>"


class StandInDict(dict):
    """A dict like :func:`load_mnist1d` returns, flagged with ``is_standin`` and ``name``."""

    is_standin = True

    def __init__(self, arrays, dataset, name):
        super().__init__(arrays)
        self.dataset, self.name = dataset, name


def standin_name(dataset):
    """Human-readable label, e.g. "STAND-IN (synthetic, not Fashion-MNIST)"."""
    spec = get_spec(dataset)
    return f"STAND-IN (synthetic, not {spec.title.split(' (')[0] or spec.name})"


def standin(name, n=1000, seed=0, split="train"):
    """Return a synthetic stand-in for dataset ``name`` (for the demo only).

    Image datasets give a :class:`StandInArrays` ``(images, labels)`` with the
    real dtypes and per-image shapes (uint8 (n, 28, 28) or (n, 3, 32, 32),
    int64 labels 0..9). MNIST-1D gives a :class:`StandInDict` with ``n``
    samples split 80/20. ``split`` only varies the seed.
    """
    dataset = canonical_name(name)
    dataset = "cifar10" if dataset == "cifar10_jpeg" else dataset
    rng = np.random.default_rng([seed, 0 if split == "train" else 1])
    if dataset == "mnist1d":
        return StandInDict(_signals(rng, n), dataset, standin_name(dataset))
    images, labels = _images(rng, n, _IMAGE_SHAPES[dataset])
    spec = get_spec(dataset)
    return StandInArrays(images, labels, dataset, standin_name(dataset), spec.class_names)


def _images(rng, n, shape):
    """n uint8 images of ``shape``: one coarse random pattern per class, upsampled, plus noise."""
    channels, height, width = shape
    depth = channels or 1
    coarse = rng.uniform(0, 1, size=(10, depth, height // 4, width // 4))
    templates = np.kron(coarse, np.ones((1, 1, 4, 4)))
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    noisy = 0.7 * templates[labels] + 0.3 * rng.uniform(0, 1, size=(n, depth, height, width))
    images = np.clip(noisy * 255, 0, 255).astype(np.uint8)
    return (images if channels else images[:, 0]), labels


def _signals(rng, n):
    """MNIST-1D-shaped arrays: smooth random template per class plus noise."""
    templates = np.cumsum(rng.normal(size=(10, 40)), axis=1)
    labels = rng.permutation(np.arange(n) % 10).astype(np.int64)
    x = templates[labels] + 0.5 * rng.normal(size=(n, 40))
    x = ((x - x.mean()) / x.std()).astype(np.float32)
    cut = int(n * 0.8)
    return {"x_train": x[:cut], "y_train": labels[:cut], "x_test": x[cut:],
            "y_test": labels[cut:], "t": np.linspace(-1, 1, 40, dtype=np.float32)}


def load_or_standin(name, split="train", data_dir=None, download=True, n=1000, seed=0):
    """Load the real dataset, or print a loud warning and return :func:`standin`.

    For the demo only: graded work must use the real loaders. Falls back on
    any :class:`DataError` (missing, offline, corrupt); the warning includes
    the full reason and how to fix it.
    """
    dataset = canonical_name(name)
    try:
        if dataset == "mnist1d":
            return load_mnist1d()
        if dataset == "fashion_mnist":
            return load_fashion_mnist(split=split, data_dir=data_dir, download=download)
        return load_cifar10(split=split, data_dir=data_dir, download=download)
    except DataError as exc:
        fake = standin(dataset, n=n, seed=seed, split=split)
        print(_warning(fake.name, exc), file=sys.stderr)
        return fake


def _warning(name, exc):
    bar = "!" * 72
    return (f"{bar}\nWARNING: the real data could not be loaded, so this run uses a\n"
            f"{name}: random patterns with the right shapes.\n"
            "Accuracies and plots below say NOTHING about the real dataset.\n"
            f"Reason ({type(exc).__name__}):\n{exc}\n{bar}")
