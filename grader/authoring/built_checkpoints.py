"""Reference checkpoints built on demand and cached, instead of committed.

Most graded checkpoints of the reference are small and trained from scratch, so they are
committed (``grader/checks/<A>/checkpoints/``). One that starts from pretrained weights
(08's fine-tuned ResNet) is not: nothing pretrained is committed. Its check folder has a
``reference_model.py`` that defines

    FILES          the names of the checkpoints it builds
    cache_key()    a digest of everything that decides them (code, data, backbone, torch)
    build(folder)  trains them, writes them into ``folder``, returns a line saying what

and this module keeps them in ``COURSE_CACHE_DIR/reference_checkpoints/<A>/<key>/``: built
once, by one process at a time (the others wait and reuse them), written into a temporary
folder and moved in only when complete, so a killed build leaves nothing half-written.
"""

import importlib.util
import json
import os
import tempfile
from pathlib import Path

from grader.course.layout import checks_dir
from source_lib import config
from source_lib.cache_lock import one_at_a_time
from source_lib.data import DataError

BUILDER = "reference_model.py"
DONE = "built.json"


class ReferenceUnavailable(RuntimeError):
    """The reference checkpoints cannot be built here (no data, for instance)."""


def builds_checkpoints(assignment):
    """True when ``assignment``'s reference checkpoints are built, not committed."""
    return (checks_dir(assignment) / BUILDER).is_file()


def builder(assignment):
    """The assignment's ``reference_model`` module (instructors' side only)."""
    path = checks_dir(assignment) / BUILDER
    spec = importlib.util.spec_from_file_location(f"_reference_model_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cache_folder(assignment, module=None):
    """Where this version of the assignment's built checkpoints lives (may not exist)."""
    module = module or builder(assignment)
    return config.cache_dir() / "reference_checkpoints" / assignment / module.cache_key()


def built_checkpoints(assignment, build=True):
    """{file name: path} of ``assignment``'s built reference checkpoints ({} when it has
    none). Builds them first when they are not cached and ``build``; with ``build=False``
    returns only what is cached. Raises :class:`ReferenceUnavailable` when they cannot be
    built (the data is missing)."""
    if not builds_checkpoints(assignment):
        return {}
    module = builder(assignment)
    try:
        folder = cache_folder(assignment, module)
        if (folder / DONE).is_file() or not build:
            return _paths(folder, module.FILES)
        folder.mkdir(parents=True, exist_ok=True)
        with one_at_a_time(folder, f"building {assignment}'s reference checkpoints"):
            if not (folder / DONE).is_file():   # another process may have built them
                _build(assignment, module, folder)
    except DataError as error:
        raise ReferenceUnavailable(f"{assignment}'s reference checkpoints "
                                   f"({', '.join(module.FILES)}) cannot be built: {error}") from None
    return _paths(folder, module.FILES)


def _build(assignment, module, folder):
    print(f"Building {assignment}'s reference checkpoints ({', '.join(module.FILES)}) once; "
          f"cached in {folder}", flush=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".building-") as scratch:
        said = module.build(scratch)
        for name in module.FILES:
            os.replace(Path(scratch) / name, folder / name)
    (folder / DONE).write_text(json.dumps({"built": said}) + "\n")
    print(f"  {said}", flush=True)


def _paths(folder, names):
    if not (folder / DONE).is_file():
        return {}
    return {name: folder / name for name in names}
