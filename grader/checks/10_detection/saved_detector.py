"""10: the handed-in detector (`detector.pt`) scored by mAP@0.5 on hidden generated scenes.

Trusted side. The scenes are generated here from a seed derived from the checkpoint's bytes
(``mean_ap.hidden_scenes(salt=...)``): every checkpoint meets 1,000 scenes of its own, which
no training batch can coincide with (those use (seed, step) seeds) and which the notebook
never shows. Their images go to the worker tool ``detector_grids``
(``gradeworker/tools/detection.py``), which rebuilds the course's TinyDetector from the file
(weights only) and returns its raw grids; the boxes stay here, and decoding, NMS and mAP use
the reference's functions (``mean_ap.score_grids``), never the student's. The mAP is
computed once per notebook (several tiers read it) and remembered in the course's accuracy
cache (``grader.checking.accuracy_cache``) like 06-09's accuracies.
"""

import functools
import hashlib
from pathlib import Path

import numpy as np

from grader.checking import CheckFailed, accuracy_cache, load_reference
from grader.checking.saved_models import cached_figure, once_per_notebook
from grader.errors import StudentCodeError, StudentTimeout

mean_ap = load_reference(__file__, "mean_ap")

FILE = "detector.pt"
HOW_TO_SAVE = ('Train the detector (section 3) and save it with `save_detector(model, '
               '"detector.pt")`; hand the file in with the notebook.')
# the graded scenes: 64 x 64 images, a 4 x 4 grid, the three shapes (TinyDetector()'s sizes)
SIZES = {"grid_size": 4, "num_classes": 3, "image_size": 64}
PREDICT_TIMEOUT = 120.0   # seconds for the 1,000 scenes (the reference: ~2 s on one thread)


def _salt(data):
    """The scenes' seed for this checkpoint (deterministic: a regrade meets the same)."""
    return int.from_bytes(hashlib.sha256(data).digest()[:4], "little")


@functools.lru_cache(maxsize=None)
def _scoring_digest():
    """What else decides the figure: the scoring code (reference, mean_ap, this file)."""
    folder = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ("reference.py", "mean_ap.py", "saved_detector.py"):
        digest.update((folder / name).read_bytes())
    return f"{mean_ap.TEST_SEED}-{mean_ap.TEST_SCENES}-{digest.hexdigest()}"


def _grids(student, found, data, scenes):
    try:
        return student.tool("detector_grids", found, np.frombuffer(data, dtype=np.uint8),
                            scenes.images.numpy(), SIZES, timeout=PREDICT_TIMEOUT)
    except StudentCodeError as error:
        if error.exc_type == "CheckpointError":
            raise CheckFailed(f"`{found}` could not be loaded as the course's TinyDetector: "
                              f"{error.message.rstrip().rstrip('.')}. {HOW_TO_SAVE}") from None
        raise CheckFailed(f"Running the TinyDetector loaded from `{found}` raised "
                          f"{error.exc_type}: {error.message}") from None
    except StudentTimeout:
        raise CheckFailed(f"Running the TinyDetector loaded from `{found}` on the "
                          f"{len(scenes):,} test scenes took longer than "
                          f"{PREDICT_TIMEOUT:.0f} s.") from None


def _scored(student, found, data):
    """mAP@0.5 of the grids the worker returns (CheckFailed, in words, when unusable)."""
    scenes = mean_ap.hidden_scenes(salt=_salt(data))
    grids = np.asarray(_grids(student, found, data, scenes))
    expected = (len(scenes), SIZES["grid_size"], SIZES["grid_size"], 5 + SIZES["num_classes"])
    if grids.shape != expected or grids.dtype.kind != "f":
        raise CheckFailed(f"The TinyDetector from `{found}` did not give one "
                          f"{expected[1]} x {expected[2]} x {expected[3]} grid per scene.")
    broken = int(np.sum(~np.isfinite(grids).all(axis=(1, 2, 3))))
    if broken:
        raise CheckFailed(f"The TinyDetector from `{found}` outputs NaN or infinite values "
                          f"for {broken:,} of the {len(scenes):,} test scenes: its weights "
                          "are broken (did the training loss become nan?). Train it again "
                          "and save it when the loss is a number.")
    score, _ = mean_ap.score_grids(grids, scenes)
    return score


def _map(student, found, data):
    cache_key = accuracy_cache.key(student, "TinyDetector", found, data, _scoring_digest())
    return cached_figure(cache_key, lambda: _scored(student, found, data))


def detector_map(student, submitted_files):
    """mAP@0.5 of the submitted ``detector.pt`` on its hidden scenes; CheckFailed in words
    when the file is missing or unusable. Computed once per notebook."""
    found, data = submitted_files.read(FILE, HOW_TO_SAVE)
    key = ("TinyDetector", found, hashlib.sha256(data).hexdigest())
    return once_per_notebook(student, key, lambda: _map(student, found, data))


def expect_tier(student, submitted_files, at_least, full_marks):
    """A tier of points: passes when the mAP is at least ``at_least``; the message gives the
    student's own figure and where full marks start (nothing about the scenes)."""
    score = detector_map(student, submitted_files)
    if score < at_least:
        full = "" if at_least >= full_marks else f" (full marks from {full_marks:.2f})"
        raise CheckFailed(f"Your detector from `{FILE}` reaches mAP@0.5 {score:.3f} on the "
                          f"hidden test scenes; this check needs {at_least:.2f}{full}. Train "
                          "with the full budget (COURSE_QUICK not set), and check your "
                          "encode_grid and localisation_loss.")
