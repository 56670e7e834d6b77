"""Saving and loading trained weights safely.

A course checkpoint is a plain dict saved with ``torch.save``::

    {"format": "cnn-course-checkpoint/1",
     "model_class": "SmallCNN",
     "state_dict": {...tensors...},
     "metadata": {...JSON values: epoch, val_acc, lr, ...}}

Only weights are stored, never the model object, so a checkpoint can be loaded
with ``torch.load(weights_only=True)``: a downloaded file cannot run code on
your machine. To load, build the model first (same architecture), then call
``load_checkpoint(model, path)``.
"""

import json
import os
import pickle
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import torch

FORMAT = "cnn-course-checkpoint/1"
_FORMAT_PREFIX = "cnn-course-checkpoint/"
_MAX_LISTED = 10


class CheckpointError(ValueError):
    """The file is not a loadable course checkpoint, or does not fit the model."""


def _to_json_value(value):
    """``json.dumps`` fallback: numpy/torch scalars and arrays, paths."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _clean_metadata(metadata):
    try:
        return json.loads(json.dumps(metadata, default=_to_json_value))
    except (TypeError, ValueError) as error:
        raise TypeError(f"checkpoint metadata must be JSON values (numbers, strings, lists, "
                        f"dicts): {error}") from None


def save_checkpoint(model, path, **metadata):
    """Save ``model``'s weights and JSON ``metadata`` to ``path``; return the path.

    The file is written to a temporary file in the same folder and then renamed
    over ``path``, so an interrupted save never leaves a half-written checkpoint
    (the previous one, if any, survives). Parent folders are created.
    """
    payload = {
        "format": FORMAT,
        "model_class": type(model).__name__,
        # CPU copies: the file then loads on machines without the training GPU.
        "state_dict": {name: tensor.detach().cpu().clone()
                       for name, tensor in model.state_dict().items()},
        "metadata": _clean_metadata(metadata),
    }
    return save_atomically(payload, path)


def save_atomically(payload, path):
    """``torch.save(payload, path)`` through a temporary file in the same folder renamed over
    ``path``: an interrupted save leaves the previous file (if any) and no partial one.
    Parent folders are created; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as tmp_file:
            torch.save(payload, tmp_file)
            tmp_file.flush()
            os.fsync(tmp_file.fileno())
        os.replace(tmp_name, path)  # atomic on POSIX and Windows
    except BaseException:
        # also on KeyboardInterrupt: never leave temporary files behind
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def _read(source, path, map_location):
    """torch.load of ``source`` (a path or binary file; ``path`` names it in messages) with
    weights_only=True, translating its errors into readable ones."""
    try:
        return torch.load(source, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as error:
        # the weights-only unpickler names the refused class/function in a "GLOBAL" line
        refused = [line.strip() for line in str(error).splitlines() if "GLOBAL" in line]
        if not refused:
            raise CheckpointError(f"{path} is not a readable PyTorch file (corrupted or "
                                  "another format?)") from None
        found = re.search(r"GLOBAL ([\w.]+)", refused[0])
        raise CheckpointError(
            f"refused to load {path}: it contains Python objects other than tensors and "
            "plain values, and loading those could run arbitrary code (unsafe). Only "
            "weights saved with save_checkpoint can be loaded (a whole model saved with "
            "torch.save(model, path) is such an object)."
            f"\ndetails: it refers to {found.group(1) if found else refused[0]}") from None
    except Exception as error:  # zip/pickle readers raise many types on damaged files
        raise CheckpointError(f"{path} is not a readable PyTorch file (truncated or another "
                              f"format?): {type(error).__name__}: {error}") from None


def _check_format(payload, path):
    if isinstance(payload, Mapping) and payload.get("format") == FORMAT:
        if isinstance(payload.get("state_dict"), Mapping):
            return
        raise CheckpointError(f"{path} is a course checkpoint without a state_dict (corrupted?)")
    if isinstance(payload, Mapping) and str(payload.get("format", "")).startswith(_FORMAT_PREFIX):
        raise CheckpointError(f"{path} has format {payload['format']!r}, but this version of "
                              f"source_lib reads {FORMAT!r}; update the course library.")
    hint = ""
    if isinstance(payload, Mapping) and payload and all(
            isinstance(value, torch.Tensor) for value in payload.values()):
        hint = ("\nhint: it looks like a bare state_dict saved with "
                "torch.save(model.state_dict(), path); load it with "
                "model.load_state_dict(torch.load(path, weights_only=True)).")
    raise CheckpointError(f"{path} is not a course checkpoint (saved by "
                          f"source_lib.checkpoint.save_checkpoint).{hint}")


def _listed(names):
    shown = ", ".join(names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return shown + (f", ... and {more} more" if more > 0 else "")


def _mismatch_report(saved, model, strict):
    """Describe how the saved weights differ from the model's; '' when they fit."""
    wanted = model.state_dict()
    missing = [name for name in wanted if name not in saved]
    unexpected = [name for name in saved if name not in wanted]
    shapes = [f"{name}: checkpoint {tuple(saved[name].shape)} vs model {tuple(tensor.shape)}"
              for name, tensor in wanted.items()
              if name in saved and tuple(saved[name].shape) != tuple(tensor.shape)]
    lines = []
    if strict and missing:
        lines.append(f"  missing in the checkpoint: {_listed(missing)}")
    if strict and unexpected:
        lines.append(f"  unexpected in the checkpoint: {_listed(unexpected)}")
    # shapes must agree even when strict=False: torch cannot copy across shapes
    lines.extend(f"  shape mismatch {line}" for line in shapes[:_MAX_LISTED])
    if len(shapes) > _MAX_LISTED:
        lines.append(f"  ... and {len(shapes) - _MAX_LISTED} more shape mismatches")
    return "\n".join(lines)


def load_checkpoint(model, path, strict=True, map_location="cpu"):
    """Load weights saved by :func:`save_checkpoint` into ``model``; return the metadata dict.

    ``path`` may also be an open binary file (``io.BytesIO``; its ``name``, if set, names it
    in messages). ``strict=False`` tolerates missing or extra parameter names (e.g. a new
    classifier head) but never differing shapes. Raises ``FileNotFoundError``
    for a missing file and :class:`CheckpointError` for an unsafe or foreign
    file or for weights that do not fit the model's architecture.
    """
    if hasattr(path, "read"):   # an open binary file, e.g. bytes that reached a grader
        return _load_into(model, path, getattr(path, "name", "the checkpoint"), strict,
                          map_location)
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"no checkpoint at {path.resolve()}\nhint: train and save the model first "
            "(e.g. fit(..., checkpoint_path=...)), and check the notebook's working "
            f"directory ({Path.cwd()}).")
    return _load_into(model, path, path, strict, map_location)


def _load_into(model, source, label, strict, map_location):
    payload = _read(source, label, map_location)
    _check_format(payload, label)
    saved = payload["state_dict"]
    # a model that shapes itself after the weights (08's TransferNet(): any width, any number
    # of classes) does so before they are compared with its own
    adapt = getattr(model, "adapt_to_state_dict", None)
    if callable(adapt):
        adapt(saved)
    report = _mismatch_report(saved, model, strict)
    if report:
        saved_class = payload.get("model_class", "?")
        raise CheckpointError(
            f"the weights in {label} do not fit {type(model).__name__} (they were saved from "
            f"a {saved_class}):\n{report}\nhint: build the model with the same layers and "
            "sizes as when the checkpoint was saved.")
    model.load_state_dict(saved, strict=strict)
    return dict(payload.get("metadata") or {})
