"""Samples of 10's checkpoint part (`detector.pt`): each hands in another file beside the
reference notebook and must lose the detector's points only, with the reason named. The
files are made from the reference's checkpoint (``files``: a function of its path)."""

import io
import tempfile
from pathlib import Path

from grader.authoring.implementations import Implementation

FILE = "detector.pt"


def _saved(model):
    """The bytes save_detector (a TinyDetector) or save_checkpoint (another model) writes."""
    from source_lib.checkpoint import save_checkpoint
    from source_lib.detection.model import save_detector
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE
        (save_detector if hasattr(model, "config") else save_checkpoint)(model, path)
        return path.read_bytes()


def untrained_detector(reference):
    """What saving before training gives: a freshly built TinyDetector (seed 0)."""
    import torch
    from source_lib.detection.model import TinyDetector
    torch.manual_seed(0)
    return _saved(TinyDetector())


def finer_grid(reference):
    """A TinyDetector built for an 8 x 8 grid (save_detector records it)."""
    from source_lib.detection.model import TinyDetector
    return _saved(TinyDetector(grid_size=8))


def another_model(reference):
    """A course checkpoint of a model that is not a TinyDetector."""
    from torch import nn
    return _saved(nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 8, 1)))


def whole_model(reference):
    """torch.save of the TinyDetector object itself (a pickle, not weights): refused unread."""
    import torch
    from source_lib.detection.model import TinyDetector
    buffer = io.BytesIO()
    torch.save(TinyDetector(), buffer)
    return buffer.getvalue()


def nan_weights(reference):
    """The reference's checkpoint after training diverged: its head's weights are nan."""
    import torch
    payload = torch.load(reference, weights_only=True)
    payload["state_dict"]["head.weight"] = torch.full_like(payload["state_dict"]["head.weight"],
                                                           float("nan"))
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


NOISE = 0.16   # x each kernel's std: the reference's mAP ~0.99 falls between 0.90 and 0.95


def between_tiers(reference):
    """The reference's checkpoint with seeded noise on its convolution kernels: a detector
    that earns the lower tiers and not full marks (what a short training gives)."""
    import torch
    payload = torch.load(reference, weights_only=True)
    generator = torch.Generator().manual_seed(0)
    for name, tensor in payload["state_dict"].items():
        if name.endswith("weight") and tensor.ndim == 4:
            payload["state_dict"][name] = tensor + NOISE * tensor.std() * torch.randn(
                tensor.shape, generator=generator)
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def _sample(student, description, phrase, make, **options):
    return Implementation(student, description, {}, {"test_detector_checkpoint": phrase},
                          files={FILE: make}, **options)


SAMPLES = [
    _sample("missing_detector", "detector.pt was not handed in",
            "No `detector.pt` was submitted", None),
    _sample("untrained_detector", "detector.pt was saved before training",
            "this check needs", untrained_detector),
    _sample("detector_finer_grid", "detector.pt holds a TinyDetector with an 8 x 8 grid",
            "grid_size=8 (the task's: 4)", finer_grid),
    _sample("not_a_detector", "detector.pt holds another network's weights",
            "do not fit TinyDetector", another_model),
    _sample("detector_whole_model", "detector.pt is the pickled TinyDetector object, not weights",
            "refused to load", whole_model),
    _sample("detector_between_tiers", "detector.pt detects less well: passes 0.80 and 0.90, "
            "not 0.95", "this check needs 0.95", between_tiers,
            only={"test_detector_checkpoint": "mAP@0.5 of your saved detector on the hidden "
                                              "scenes: at least 0.95"}),
    _sample("detector_nan_weights", "detector.pt saved after the loss became nan",
            "NaN or infinite", nan_weights),
]
