"""Pretrained weights from the internet, checked by sha256 on download and on every load.

    from source_lib.architectures import ResNet18
    from source_lib.weights import imagenet_resnet18_state_dict
    model = ResNet18()
    model.load_state_dict(imagenet_resnet18_state_dict())   # torchvision's keys

torch.hub checks a file's hash only while downloading it, so a cached file that was
later damaged or replaced loads silently. Here the file's bytes are hashed every time
they are loaded (about 0.1 s for ResNet-18's 45 MB) and loaded from those same bytes
with ``torch.load(weights_only=True)``: a file cannot run code, nor change between the
check and the load.

Lookup order: ``COURSE_CACHE_DIR/weights/`` (ours: a bad file there is deleted and
downloaded again), then, read-only, ``COURSE_DATA_DIR/weights/`` and torch hub's
``checkpoints`` folder (``$TORCH_HOME/hub/checkpoints``, by default
``~/.cache/torch/hub/checkpoints``), so a file torchvision already downloaded is reused.
A bad file in a read-only place is reported and left alone. Downloads go to
``COURSE_CACHE_DIR/weights/``. Without internet, use the course-pretrained backbone
(``python -m source_lib.pretrain``).
"""

import hashlib
import io
import pickle
import warnings
from dataclasses import dataclass
from pathlib import Path

import torch

from source_lib import config
from source_lib.architectures import ResNet18
from source_lib.data.errors import (
    ChecksumError,
    DataUnavailableError,
    UnsafePickleError,
)
from source_lib.data.locate import is_writable
from source_lib.data.remote import download as download_file

# The statistics the ImageNet weights were trained with (torchvision's ImageClassification
# preset): inputs must be scaled to [0, 1] and normalised with these to match them.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

OFFLINE_HINT = ("To work offline, use the course-pretrained backbone instead: "
                "`python -m source_lib.pretrain` trains it from the course data "
                "directory, no internet needed.")


@dataclass(frozen=True)
class WeightsSpec:
    """One downloadable weights file: where it comes from and how to recognise it."""

    title: str
    filename: str
    url: str
    sha256_prefix: str      # leading hex digits of the file's sha256 (torchvision: 8)
    provenance: str         # one line: who trained it on what, and how well it does
    mean: tuple = IMAGENET_MEAN
    std: tuple = IMAGENET_STD


IMAGENET_RESNET18 = WeightsSpec(
    title="ImageNet ResNet-18 weights",
    filename="resnet18-f37072fd.pth",
    url="https://download.pytorch.org/models/resnet18-f37072fd.pth",
    sha256_prefix="f37072fd",
    provenance=("torchvision ResNet18_Weights.IMAGENET1K_V1: trained on ImageNet-1k "
                "(1000 classes), top-1 69.758 %, top-5 89.078 % on its validation set "
                "(resize 256, centre crop 224)"),
)


# VGG's whole checkpoints (notebook 09 keeps only the "features.*" keys, a tenth of the bytes:
# the fully connected classifier holds the rest); torchvision's VGG{16,19}_Weights.IMAGENET1K_V1
IMAGENET_VGG16 = WeightsSpec(
    title="ImageNet VGG-16 weights",
    filename="vgg16-397923af.pth",
    url="https://download.pytorch.org/models/vgg16-397923af.pth",
    sha256_prefix="397923af",
    provenance=("torchvision VGG16_Weights.IMAGENET1K_V1: trained on ImageNet-1k "
                "(1000 classes), top-1 71.592 %, top-5 90.382 % on its validation set "
                "(resize 256, centre crop 224); 528 MB"),
)

IMAGENET_VGG19 = WeightsSpec(
    title="ImageNet VGG-19 weights",
    filename="vgg19-dcbb9e9d.pth",
    url="https://download.pytorch.org/models/vgg19-dcbb9e9d.pth",
    sha256_prefix="dcbb9e9d",
    provenance=("torchvision VGG19_Weights.IMAGENET1K_V1: trained on ImageNet-1k "
                "(1000 classes), top-1 72.376 %, top-5 90.876 % on its validation set "
                "(resize 256, centre crop 224); 548 MB"),
)

def imagenet_resnet18_state_dict(download=True, progress=True):
    """torchvision's ImageNet ResNet-18 state dict, verified (see the module docstring).

    Keys are torchvision's, as in the file: ``ResNet18().load_state_dict(sd)`` accepts it.
    Raises :class:`DataUnavailableError` (nothing usable and no download) or
    :class:`ChecksumError` (the only copies, or the download, are not the official file).
    """
    # looked up at call time, so tests (and mirrors) can swap the spec
    return load_weights(IMAGENET_RESNET18, download=download, progress=progress)


def imagenet_resnet18(download=True, progress=True):
    """A :class:`ResNet18` (1000 ImageNet classes) holding the verified ImageNet weights."""
    model = ResNet18()
    model.load_state_dict(imagenet_resnet18_state_dict(download=download, progress=progress))
    return model


def weight_folders():
    """``(folder, label, ours)`` in lookup order; ``ours`` marks the writable cache."""
    hub = Path(torch.hub.get_dir()) / "checkpoints"   # honours TORCH_HOME and set_dir
    places = [(config.cache_dir() / "weights", "COURSE_CACHE_DIR/weights", True),
              (config.data_dir() / "weights", "COURSE_DATA_DIR/weights, used read-only", False),
              (hub, "torch hub's cache, used read-only", False)]
    seen, unique = set(), []
    for folder, label, ours in places:
        if folder.resolve() not in seen:
            seen.add(folder.resolve())
            unique.append((folder, label, ours))
    return unique


def load_weights(spec, download=True, progress=True):
    """Return ``spec``'s state dict from the first good copy, downloading one if needed."""
    folders = weight_folders()
    rejected = []      # (path, sha256, explanation) of the bad copies met on the way
    for folder, _, ours in folders:
        path = folder / spec.filename
        if not path.is_file():
            continue
        state_dict, actual = _load_verified(path, spec)
        if state_dict is not None:
            _warn_about(rejected)
            return state_dict
        rejected.append((path, actual, _bad_copy(spec, path, actual, ours, download)))
        if ours and download:
            path.unlink()       # ours, and about to be replaced
    if not download:
        if rejected:
            path, actual, _ = rejected[0]
            raise ChecksumError(path, spec.sha256_prefix, actual, "\n" + "\n".join(
                [text for *_, text in rejected] + [_fixes(spec)]), algorithm="sha256")
        raise DataUnavailableError(_unavailable(spec, folders, "not found and download=False"))
    path = _download(spec, folders, [text for *_, text in rejected], progress)
    state_dict, actual = _load_verified(path, spec)
    if state_dict is None:      # changed on disk right after its download: refuse, never load
        raise ChecksumError(path, spec.sha256_prefix, actual, _fixes(spec), algorithm="sha256")
    _warn_about(rejected)
    return state_dict


def _load_verified(path, spec):
    """``(state_dict, sha256)`` of ``path``, or ``(None, sha256)`` when the hash is wrong.

    Hashes and loads the same bytes, read once."""
    data = Path(path).read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if not actual.startswith(spec.sha256_prefix):
        return None, actual
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True), actual
    except pickle.UnpicklingError as exc:   # the right hash, but a spec pointing at such a file
        # the weights-only unpickler names the refused class or function in a "GLOBAL" line
        refused = [line.strip() for line in str(exc).splitlines() if "GLOBAL" in line]
        raise UnsafePickleError(
            f"refused to load {path}: it holds Python objects other than tensors, and "
            f"loading them could run code. Check the URL of the {spec.title}.\n"
            f"details: {(refused or ['not a PyTorch weights file'])[0]}") from None


def _download(spec, folders, rejected, progress):
    """Download ``spec`` into our cache; errors say what was tried and what to do."""
    dest = folders[0][0] / spec.filename
    if not is_writable(dest.parent):
        raise DataUnavailableError(_unavailable(
            spec, folders, f"{dest.parent} is not writable (set COURSE_CACHE_DIR)", rejected))
    try:
        return download_file(spec.url, dest, sha256_prefix=spec.sha256_prefix, progress=progress)
    except DataUnavailableError as exc:
        raise DataUnavailableError(_unavailable(spec, folders, str(exc), rejected)) from None
    except ChecksumError as exc:
        raise ChecksumError(spec.url, spec.sha256_prefix, exc.actual, (
            f"The server did not send the official {spec.title}; nothing was saved. A proxy "
            "or captive portal may have answered instead (try again on another network). "
            + _fixes(spec)), algorithm="sha256") from None


def _bad_copy(spec, path, actual, ours, download):
    """Explain one copy whose sha256 is wrong: which file, what was expected, what now."""
    what = (f"{path} is not the official {spec.title}: its sha256 starts with {actual[:8]}, "
            f"expected {spec.sha256_prefix} (a damaged, truncated or different file).")
    if ours and download:
        return f"{what} It was deleted so that a fresh copy is downloaded."
    if ours:
        return (f"{what} Call again with download=True to replace it with a fresh download, "
                f"or replace it yourself with {spec.url}.")
    return (f"{what} It was left in place (a read-only location, not ours to delete): "
            f"delete it or replace it with {spec.url}; with download=True a good copy is "
            "downloaded into COURSE_CACHE_DIR/weights and used instead.")


def _warn_about(rejected):
    # a good copy was found after all: the bad ones are still worth knowing about
    for *_, message in rejected:
        warnings.warn(message, stacklevel=3)


def _fixes(spec):
    return (f"Official file: {spec.url} (sha256 starts with {spec.sha256_prefix}; "
            f"{spec.provenance}). {OFFLINE_HINT}")


def _unavailable(spec, folders, reason, rejected=()):
    """What was looked for, where, the official URL, and how to fix it or work offline."""
    lines = [f"The {spec.title} ({spec.filename}) are not available: {reason}.",
             "Looked for it in these folders, in this order:"]
    lines += [f"  {folder}  ({label})" for folder, label, _ in folders]
    lines += [f"Rejected: {message}" for message in rejected]
    lines.append(f"Official download: {spec.url} (sha256 starts with {spec.sha256_prefix}; "
                 f"{spec.provenance}).")
    lines.append("To fix it: connect to the internet and call again with download=True; or, "
                 f"on a machine that is online, download that URL and copy the file into "
                 f"{folders[0][0]} (torchvision's own download in torch hub's cache is "
                 f"used as it is).")
    lines.append(OFFLINE_HINT)
    return "\n".join(lines)
