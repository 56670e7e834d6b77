"""Feature caching for notebook 08: run a frozen backbone over a data set once.

    train_loader = loader(x, y, batch_size=256)           # in order (shuffle=False)
    features, labels = cached_features(extract_features, backbone, x, y, tag="target-train")

``cached_features`` calls YOUR ``extract(backbone, loader)`` once per distinct input and
keeps its result in memory and on disk (``COURSE_CACHE_DIR/features/``), under a digest of
the backbone's weights, the images, the labels, ``tag`` and the source code of ``extract``:
a changed backbone, data set or function is computed again, anything else is read back.
"""

import hashlib
import inspect

import torch
from torch.utils.data import DataLoader, TensorDataset

from source_lib.data.cache import (cache_path, digest_model, digest_tensors, load_arrays,
                                   save_arrays)

__all__ = ["cached_features", "forget_features", "loader"]

_MEMORY = {}     # digest -> (features, labels), for this Python process


def loader(x, y, batch_size=256, shuffle=False, seed=0):
    """A ``DataLoader`` of ``(x (B, ...), y (B,))`` batches over tensors ``x``, ``y``;
    ``shuffle`` draws a new seeded order every pass (the same for the same ``seed``)."""
    generator = torch.Generator().manual_seed(int(seed)) if shuffle else None
    return DataLoader(TensorDataset(x, y), batch_size=int(batch_size), shuffle=shuffle,
                      generator=generator)


def _digest(extract, backbone, images, labels, tag):
    digest = hashlib.sha256()
    digest_model(digest, backbone)
    digest_tensors(digest, (images, labels))
    try:
        source = inspect.getsource(extract)
    except (OSError, TypeError):     # defined where no source is kept: its identity then
        source = f"{getattr(extract, '__module__', '')}.{getattr(extract, '__qualname__', extract)}"
    digest.update(source.encode() + str(tag).encode())
    return digest.hexdigest()[:20]


def _as_pair(result):
    """(features float32 (N, D), labels int64 (N,)) from what ``extract`` returned."""
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        raise TypeError("extract(backbone, loader) must return (features, labels), got "
                        f"{type(result).__name__}")
    features, labels = (torch.as_tensor(part) for part in result)
    return features.detach().float().cpu(), labels.detach().long().cpu()


def cached_features(extract, backbone, images, labels, tag, batch_size=256):
    """``(features (N, D) float32, labels (N,) int64)`` = ``extract(backbone, loader(images,
    labels, batch_size))``, computed once: a second call with the same backbone weights,
    images, labels, ``tag`` and ``extract`` code returns the remembered result without
    running the backbone (from memory, or from ``COURSE_CACHE_DIR/features/`` in a new
    session). ``images`` float (N, 3, H, W), ``labels`` int64 (N,)."""
    key = _digest(extract, backbone, images, labels, tag)
    if key in _MEMORY:
        return tuple(t.clone() for t in _MEMORY[key])
    path = cache_path("features", "features", key)
    stored = load_arrays(path)
    if stored is not None:
        pair = torch.from_numpy(stored["features"]), torch.from_numpy(stored["labels"])
    else:
        pair = _as_pair(extract(backbone, loader(images, labels, batch_size)))
        save_arrays(path, {"features": pair[0].numpy(), "labels": pair[1].numpy()})
    _MEMORY[key] = pair
    return tuple(t.clone() for t in pair)


def forget_features():
    """Empty the in-memory cache (the files on disk stay)."""
    _MEMORY.clear()
