"""Remembering notebook 09's precomputed pictures across sessions.

    results = remembered("explorer", compute, code=(run_style_transfer, FeatureExtractor, ...),
                         model=main.model, tensors=(content, style), settings={"steps": 100})

``compute()`` returns ``{key: image}`` (keys: strings or tuples of strings; images tensors
(1, 3, H, W)). It runs once; its result is kept in memory and on disk
(``COURSE_CACHE_DIR/style_runs/``) under a digest of the source code of every function or
class in ``code`` (YOUR functions: change one and it runs again), the model's weights and
layout, the images and ``settings``. Reopening the notebook, or running the cell again,
then shows the widget at once. When the source of something in ``code`` cannot be read
(defined where Python keeps no source), nothing is read from or written to the disk.
"""

import hashlib
import inspect
import json
import time

import numpy as np
import torch

from source_lib.data.cache import (cache_path, digest_model, digest_tensors, load_arrays,
                                   save_arrays)

__all__ = ["Remembered", "forget_remembered", "remembered"]

_MEMORY = {}     # digest -> Remembered, for this Python process


class Remembered(dict):
    """The ``{key: image}`` of one ``compute()``; ``seconds``: how long it took when it ran;
    ``from_cache``: True when this call read it back instead of running it."""

    def __init__(self, images, seconds, from_cache):
        super().__init__(images)
        self.seconds, self.from_cache = float(seconds), from_cache

    def describe(self, what="results"):
        """"12 results in 62 s" or "12 results read back (computed in 62 s)"."""
        if self.from_cache:
            return f"{len(self)} {what} read back from the cache (computed in {self.seconds:.0f} s)"
        return f"{len(self)} {what} in {self.seconds:.0f} s"


def _source(obj):
    """The source code of a function or class, or None when Python kept none. Classes
    defined in a notebook have no file, so theirs is the source of their methods."""
    try:
        return inspect.getsource(obj)
    except (OSError, TypeError):
        if not inspect.isclass(obj):
            return None
    parts = [_source(member) for _, member in sorted(vars(obj).items())
             if inspect.isfunction(member)]
    return None if not parts or None in parts else obj.__qualname__ + "\n".join(parts)


def _digest(tag, sources, model, tensors, settings):
    digest = hashlib.sha256(json.dumps([tag, sources, settings], sort_keys=True,
                                       default=str).encode())
    if model is not None:
        digest.update(repr(model).encode())          # the layout: layers, pooling, ...
        digest_model(digest, model)
    digest_tensors(digest, tensors)
    return digest.hexdigest()[:20]


def _to_arrays(images, seconds):
    keys = list(images)
    arrays = {f"image{i}": images[key].detach().cpu().float().numpy() for i, key in enumerate(keys)}
    arrays["keys"] = np.array([json.dumps(list(key) if isinstance(key, tuple) else key)
                               for key in keys])
    arrays["seconds"] = np.array(seconds)
    return arrays


def _from_arrays(arrays):
    keys = [json.loads(str(text)) for text in arrays["keys"]]
    images = {tuple(key) if isinstance(key, list) else key: torch.from_numpy(arrays[f"image{i}"])
              for i, key in enumerate(keys)}
    return Remembered(images, float(arrays["seconds"]), from_cache=True)


def remembered(tag, compute, *, code=(), model=None, tensors=(), settings=None):
    """``compute()``'s ``{key: image}`` as a :class:`Remembered`, computed once for the same
    ``code`` sources, ``model``, ``tensors`` and ``settings`` (JSON-able), then read back."""
    sources = [_source(obj) for obj in code]
    key = _digest(tag, sources, model, tensors, settings)
    if key in _MEMORY:
        stored = _MEMORY[key]
        return Remembered({name: image.clone() for name, image in stored.items()},
                          stored.seconds, from_cache=True)
    on_disk = None not in sources       # unreadable code could change unseen: do not persist
    path = cache_path("style_runs", tag, key)
    stored = load_arrays(path) if on_disk else None
    if stored is not None:
        result = _from_arrays(stored)
    else:
        started = time.perf_counter()
        images = dict(compute())
        result = Remembered(images, time.perf_counter() - started, from_cache=False)
        if on_disk:
            save_arrays(path, _to_arrays(images, result.seconds))
    _MEMORY[key] = result
    return result


def forget_remembered():
    """Empty the in-memory copies (the files on disk stay; delete COURSE_CACHE_DIR/style_runs
    to forget those too)."""
    _MEMORY.clear()
