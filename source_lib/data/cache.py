"""Caching decoded arrays as ``.npz`` files in ``COURSE_CACHE_DIR``.

Decoding 60,000 JPEGs or generating MNIST-1D takes seconds to minutes; loading
an uncompressed ``.npz`` takes well under a second. Cache names carry a key
derived from the source's identity, so a changed source never hits a stale cache.
"""

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from source_lib import config

# Bump when the layout of cached arrays changes, to orphan old caches.
CACHE_VERSION = 1


def cache_key(*parts):
    """Short stable hex key for JSON-serialisable ``parts``."""
    text = json.dumps([CACHE_VERSION, *parts], sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def digest_model(digest, model):
    """Feed ``model``'s state dict (names and exact values) into the hashlib ``digest``."""
    for name, tensor in model.state_dict().items():
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())


def digest_tensors(digest, tensors):
    """Feed each tensor's shape, dtype and exact values into the hashlib ``digest``."""
    for tensor in tensors:
        digest.update(str((tuple(tensor.shape), tensor.dtype)).encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())


def cache_path(group, stem, key):
    """``<cache_dir>/<group>/<stem>-<key>.npz`` (Path; may not exist yet)."""
    return config.cache_dir() / group / f"{stem}-{key}.npz"


def load_arrays(path):
    """Return a dict of arrays from ``path``, or None if missing or unreadable.

    A damaged cache is not an error: the caller simply rebuilds it.
    """
    path = Path(path)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError):
        return None


def save_arrays(path, arrays):
    """Atomically write ``arrays`` (dict name -> ndarray) to ``path``.

    Returns True on success; a read-only or full cache folder only prints a
    note, because the data itself was loaded fine.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem, suffix=".tmp.npz")
    except OSError as exc:
        print(f"Note: could not cache decoded data in {path.parent} ({exc}); "
              "it will be decoded again next time. Set COURSE_CACHE_DIR to a writable folder.")
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        print(f"Note: could not write the cache {path} ({exc}).")
        return False
