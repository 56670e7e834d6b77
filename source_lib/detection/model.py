"""Notebook 10's detector: a small CNN whose output is a YOLO grid.

    model = TinyDetector()                      # 3 classes, grid 4 x 4, 64 x 64 images
    out = model(images)                         # (N, S, S, 5 + K), indexed [n, row, col]
    save_detector(model, "detector.pt")         # weights + the sizes that rebuild it
    model = load_detector("detector.pt")

Each cell's vector is the lecture's [p_c, b_x, b_y, b_w, b_h, c_1..c_K]: p_c, b_x and b_y
go through a sigmoid (a probability; offsets inside the cell, in [0, 1]), b_w and b_h are
plain numbers (box sizes in cell units, as the targets of ``encode_grid``), the class scores
a softmax. So ``decode_grid(out[i].detach().numpy(), threshold)`` reads one image's boxes.
"""

import io
from pathlib import Path

import torch
from torch import nn

from source_lib.checkpoint import CheckpointError, load_checkpoint, save_checkpoint

__all__ = ["TinyDetector", "load_detector", "save_detector"]

MAX_SIZE = 256   # any saved size above this is not a detector this course trains


def _block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class TinyDetector(nn.Module):
    """Conv-BN-ReLU blocks halving the image down to the grid, then a 1 x 1 convolution to
    5 + K numbers per cell. ``image_size / grid_size`` must be a power of two."""

    def __init__(self, num_classes=3, grid_size=4, image_size=64, width=16):
        super().__init__()
        self.num_classes, self.grid_size = int(num_classes), int(grid_size)
        self.image_size, self.width = int(image_size), int(width)
        halvings = (self.image_size // self.grid_size).bit_length() - 1
        if 2 ** halvings * self.grid_size != self.image_size:
            raise ValueError(f"image_size / grid_size must be a power of two, got "
                             f"{image_size} / {grid_size}")
        layers, channels = [_block(3, width)], width
        for i in range(halvings):
            wider = min(width * 2 ** (i + 1), width * 8)
            layers += [nn.MaxPool2d(2), _block(channels, wider)]
            channels = wider
        layers.append(_block(channels, channels))
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(channels, 5 + self.num_classes, 1)

    def config(self):
        """The constructor's arguments (saved with the weights)."""
        return {"num_classes": self.num_classes, "grid_size": self.grid_size,
                "image_size": self.image_size, "width": self.width}

    def forward(self, x):
        raw = self.head(self.features(x)).permute(0, 2, 3, 1)   # (N, S, S, 5 + K)
        return torch.cat([torch.sigmoid(raw[..., :3]), raw[..., 3:5],
                          torch.softmax(raw[..., 5:], dim=-1)], dim=-1)


def save_detector(model, path, **metadata):
    """Save ``model``'s weights with source_lib.checkpoint, its sizes in the metadata."""
    return save_checkpoint(model, path, detector=model.config(), **metadata)


def _saved_sizes(data, label):
    """The constructor arguments save_detector stored with the weights ({} when the file
    carries none: load_checkpoint then explains what it is); CheckpointError when they
    could not build a detector."""
    try:
        payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        sizes = dict(payload["metadata"]["detector"])
    except Exception:   # not ours: load_checkpoint below explains what is wrong
        return {}
    known = set(TinyDetector().config())
    try:
        sizes = {name: int(value) for name, value in sizes.items() if name in known}
    except (TypeError, ValueError):
        raise CheckpointError(f"{label}: the detector sizes saved with it are not whole "
                              f"numbers: {sizes}") from None
    if not all(1 <= value <= MAX_SIZE for value in sizes.values()):
        raise CheckpointError(f"{label}: the detector sizes saved with it are out of range "
                              f"(1 to {MAX_SIZE}): {sizes}")
    return sizes


def load_detector(path, **expected):
    """A :class:`TinyDetector` rebuilt from a checkpoint of :func:`save_detector`, in eval
    mode (its metadata in ``model.metadata``). ``path``: a path or an open binary file.
    ``expected`` sizes (e.g. ``grid_size=4``): a CheckpointError naming the difference when
    the saved detector was built with others."""
    if hasattr(path, "read"):
        data, label = path.read(), getattr(path, "name", None) or "the checkpoint"
    else:
        data, label = Path(path).read_bytes(), str(path)
    sizes = _saved_sizes(data, label)
    built = {**TinyDetector().config(), **sizes}
    wrong = [f"{name}={built[name]} (the task's: {value})" for name, value in expected.items()
             if built[name] != value]
    if wrong:
        raise CheckpointError(f"{label} holds a TinyDetector built with {', '.join(wrong)}: "
                              "build it with the task's sizes.")
    try:
        model = TinyDetector(**sizes)
    except ValueError as error:   # sizes that do not halve to the grid
        raise CheckpointError(f"{label}: {error}") from None
    source = io.BytesIO(data)
    source.name = label
    model.metadata = load_checkpoint(model, source)
    return model.eval()
