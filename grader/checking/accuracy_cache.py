"""Test-set accuracies of submitted checkpoints, remembered across grading runs.

Predicting the 10,000 CIFAR-10 test images with a student's model is most of a checkpoint
notebook's grading time. The figure depends only on what the worker ran: the student's
code as loaded, the checkpoint's bytes, the test set, and the worker's own code and
libraries. So it is kept in the course cache under a digest of all of them, and grading
the same submission again (a regrade after a check changed, or nbgrader's Autograde after
``python -m grader autograde``) reuses it instead of predicting again.

Only accuracies are kept: a failure (a crash, a timeout on a busy machine) is always run
again. Only this trusted process reads and writes the cache; the sandboxed worker never
sees it. ``GRADER_ACCURACY_CACHE=off`` turns it off.
"""

import functools
import hashlib
import json
import os
from pathlib import Path

import numpy as np

FORMAT = 1          # bump when what a cached figure means changes


def enabled():
    return os.environ.get("GRADER_ACCURACY_CACHE", "on").strip().lower() not in {"off", "0", "no"}


@functools.lru_cache(maxsize=None)
def _runtime_digest():
    """The worker's code and libraries: a change to any of them can change a prediction."""
    import torch
    import gradeworker
    import source_lib
    digest = hashlib.sha256(f"{FORMAT} torch {torch.__version__} numpy {np.__version__}"
                            .encode())
    for package in (gradeworker, source_lib):
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _student_digest(student):
    """The code the worker loaded (every unit, in order) and the graded names trusted code
    answers for (a re-check replaces some of the student's definitions)."""
    digest = hashlib.sha256()
    for unit in student.extraction.units:
        digest.update(f"{unit.cell}:{unit.line}\0{unit.source}\0".encode())
    digest.update(repr(sorted(student.trusted)).encode())
    return digest.hexdigest()


def key(student, class_name, file_name, checkpoint, test_set_digest):
    """The cache key of one accuracy (hex digest)."""
    digest = hashlib.sha256()
    for part in (_runtime_digest(), _student_digest(student), class_name, str(file_name),
                 hashlib.sha256(checkpoint).hexdigest(), test_set_digest):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def array_digest(*arrays):
    """Digest of arrays' shapes, dtypes and bytes (a test set: images and labels)."""
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.shape} {array.dtype}".encode() + b"\0")
        digest.update(memoryview(array).cast("B"))
    return digest.hexdigest()


def _path(cache_key):
    from source_lib import config
    return config.cache_dir() / "grader" / "accuracies" / f"{cache_key}.json"


def read(cache_key):
    """The remembered accuracy, or None (nothing kept, unreadable, or the cache is off)."""
    if not enabled():
        return None
    try:
        accuracy = json.loads(_path(cache_key).read_text())["accuracy"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return float(accuracy) if isinstance(accuracy, (int, float)) and 0 <= accuracy <= 1 else None


def write(cache_key, accuracy):
    """Remember an accuracy; an unwritable cache only costs the prediction next time."""
    if not enabled():
        return
    path = _path(cache_key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps({"accuracy": accuracy}))
        os.replace(partial, path)       # a concurrent reader never sees half of it
    except OSError:
        pass
