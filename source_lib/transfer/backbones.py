"""Which pretrained backbone notebook 08 transfers: ImageNet's ResNet-18 or the course's.

    model, info = load_backbone()      # COURSE_BACKBONE or "auto"
    print(info.description)            # the notebook's first output: which backbone it uses

``which`` (or the environment variable ``COURSE_BACKBONE``) is one of

- ``"imagenet"``: torchvision's ResNet-18 trained on ImageNet (``source_lib.weights``,
  downloaded once and checked), as ``TransferNet(width=64, num_classes=1000)``;
- ``"course"``: the half-width ResNet-18 the course pretrains on five CIFAR-10 classes
  (``python -m source_lib.pretrain``; trained here first if it is not cached);
- ``"auto"`` (default): ImageNet when its weights are cached or can be downloaded, else
  the course's, with the reason in ``info.imagenet_unavailable``.
"""

import os
from dataclasses import dataclass, field

from source_lib.data import ChecksumError, DataUnavailableError
from source_lib.transfer.model import IMAGENET_INPUT_SIZE, from_torchvision

__all__ = ["BACKBONE_ENV", "CHOICES", "BackboneInfo", "load_backbone"]

BACKBONE_ENV = "COURSE_BACKBONE"
CHOICES = ("auto", "imagenet", "course")
IMAGENET_TOP1 = 69.76     # torchvision's published top-1 accuracy of resnet18-f37072fd.pth


@dataclass
class BackboneInfo:
    """What :func:`load_backbone` loaded: ``kind`` ("imagenet" or "course"), a one-line
    ``description`` to print, ``imagenet_unavailable`` (why ImageNet was not used, or None),
    and ``meta`` (the course backbone's meta.json values: accuracy, epochs, seconds, path)."""

    kind: str
    description: str
    imagenet_unavailable: str = None
    meta: dict = field(default_factory=dict)


def _imagenet():
    """(TransferNet, BackboneInfo) with the ImageNet weights; raises ImportError (no weights
    module), DataUnavailableError, ChecksumError or OSError when they cannot be had."""
    from source_lib import weights  # lazily: only this path needs it (and a download)
    model = from_torchvision(weights.imagenet_resnet18_state_dict(download=True, progress=True))
    description = (f"Backbone: ResNet-18 (full width, {_millions(model)} parameters) "
                   f"pretrained on ImageNet (1.28 million images, 1000 classes), top-1 "
                   f"accuracy {IMAGENET_TOP1} %; images resized to {IMAGENET_INPUT_SIZE}x"
                   f"{IMAGENET_INPUT_SIZE} here to keep the CPU cost low")
    return model.eval(), BackboneInfo("imagenet", description)


def _course(reason=None):
    from source_lib.pretrain import course_backbone  # imports the training machinery
    model, meta = course_backbone()
    description = (f"Backbone: ResNet-18 (half width, {_millions(model)} parameters) "
                   f"pretrained by the course on CIFAR-10 {'/'.join(meta['classes'])}, "
                   f"{meta['train_images']:,} images, source test accuracy "
                   f"{meta['accuracy']:.2f}")
    if reason:
        description += f" (ImageNet weights not used: {reason})"
    return model, BackboneInfo("course", description, reason, meta)


def _millions(model):
    # the size of the network, for the description only
    return f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f} M"


def load_backbone(which=None):
    """``(TransferNet in eval mode, BackboneInfo)`` for ``which`` in CHOICES (None: the
    environment variable COURSE_BACKBONE, else "auto"). The ImageNet network has 1000
    outputs, the course's 5 (its source classes): replace the head for your task."""
    asked = f'load_backbone("{which}")' if which else f"{BACKBONE_ENV}=course"
    which = (which or os.environ.get(BACKBONE_ENV, "").strip() or "auto").lower()
    if which not in CHOICES:
        raise ValueError(f"which (or {BACKBONE_ENV}) must be one of {CHOICES}, got {which!r}")
    if which == "course":
        return _course(reason=f"{asked} asked for the course backbone")
    try:
        return _imagenet()
    except ImportError as error:
        if which == "imagenet":
            raise
        reason = f"no ImageNet weights module here ({error})"
    except (DataUnavailableError, ChecksumError, OSError) as error:
        if which == "imagenet":
            raise
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    except Exception as error:      # "auto" must still give a backbone (offline exam rooms)
        if which == "imagenet":
            raise
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
    return _course(reason)
