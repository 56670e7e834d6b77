"""Loading CIFAR-10 from whichever copy is on disk, or downloading the official one.

Sources, tried for each data root in lookup order (see ``locate``):

1. ``cifar-10-batches-py/``     extracted official python batches (each md5-checked)
2. ``cifar-10-python.tar.gz``   the official archive, read in place
3. ``cifar10-jpeg.tar.gz``      course-prepared JPEG archive, read in place
4. ``cifar10-jpeg/``            the same, extracted

Python batches give the official sample order. The JPEG layout gives
class-by-class order (all airplanes, then all automobiles, ...), each class in
its official order; shuffle before training. Decoded archives are cached as
``.npz`` in ``COURSE_CACHE_DIR``.
"""

import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from source_lib.data import cifar_jpeg
from source_lib.data.cache import cache_key, cache_path, load_arrays, save_arrays
from source_lib.data.remote import fetch, unavailable_message
from source_lib.data.errors import DataUnavailableError, corrupt
from source_lib.data.locate import labelled_roots, verify_file
from source_lib.data.registry import get_spec
from source_lib.data.safe_pickle import safe_loads


@dataclass(frozen=True)
class Source:
    """A copy of CIFAR-10 on disk: ``kind`` is one of the four listed above."""

    kind: str
    path: Path


def find_source(split, data_dir=None):
    """Return the first usable :class:`Source` for ``split``, or None."""
    python, jpeg = get_spec("cifar10"), get_spec("cifar10_jpeg")
    for root, _ in labelled_roots(data_dir):
        candidates = (
            ("python-dir", root / python.extracted_dir),
            ("python-tar", root / python.files[0].filename),
            ("jpeg-tar", root / jpeg.files[0].filename),
            ("jpeg-dir", root / jpeg.extracted_dir),
        )
        for kind, path in candidates:
            if _usable(kind, path, python, split):
                return Source(kind, path)
    return None


def _usable(kind, path, python, split):
    if kind == "python-dir":
        return all((path / name).is_file() for name in python.extra[split])
    if kind == "jpeg-dir":
        return (path / split).is_dir()
    return path.is_file()


def load_cifar10(split="train", data_dir=None, download=True):
    """Load CIFAR-10.

    Returns ``(images, labels)``: images uint8 of shape (N, 3, 32, 32) (CHW,
    RGB, values 0..255), labels int64 of shape (N,) with values 0..9 (see
    ``CIFAR10_CLASSES``). N is 50000 for "train" and 10000 for "test". Order:
    official for the python batches, class by class for the JPEG layout (see
    the module docstring). Downloads the official archive when nothing is found
    and ``download`` is True.
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    source = find_source(split, data_dir)
    if source is None:
        python, jpeg = get_spec("cifar10"), get_spec("cifar10_jpeg")
        if not download:
            pairs = labelled_roots(data_dir)
            raise DataUnavailableError(unavailable_message([python, jpeg], pairs,
                                                           "not found and download=False"))
        folder = fetch(python.name, data_dir=data_dir, download=True, spec=python)
        source = Source("python-tar", folder / python.files[0].filename)
    return load_source(source, split)


def load_source(source, split):
    """Load ``split`` from ``source``; returns ``(images, labels)`` as in :func:`load_cifar10`."""
    if source.kind == "python-dir":
        return _read_python_dir(source.path, split)
    spec = get_spec("cifar10" if source.kind == "python-tar" else "cifar10_jpeg")
    if source.kind == "jpeg-dir":
        identity = cifar_jpeg.folder_identity(source.path, split, spec.class_names)
    else:
        remote = spec.files[0]
        verify_file(source.path, remote.md5, remote.size)
        identity = remote.md5 or _stat_identity(source.path)
    path = cache_path("cifar10", f"{source.kind}-{split}", cache_key(source.kind, split, identity))
    cached = load_arrays(path)
    if cached is not None and {"images", "labels"} <= cached.keys():
        return cached["images"], cached["labels"]
    images, labels = _decode(source, spec, split)
    save_arrays(path, {"images": images, "labels": labels})
    return images, labels


def _stat_identity(path):
    info = Path(path).stat()
    return [str(Path(path).resolve()), info.st_size, info.st_mtime_ns]


def _decode(source, spec, split):
    if source.kind == "jpeg-tar":
        return cifar_jpeg.decode_tar(source.path, spec, split)
    if source.kind == "jpeg-dir":
        return cifar_jpeg.decode_folder(source.path, spec, split)
    return _read_python_tar(source.path, spec, split)


def _read_python_dir(folder, split):
    spec = get_spec("cifar10")
    parts = []
    for name in spec.extra[split]:
        path = folder / name
        verify_file(path, spec.extra.get("batch_md5", {}).get(name))
        parts.append(parse_batch(path.read_bytes(), path))
    return _concatenate(parts, spec, split, folder)


def _read_python_tar(path, spec, split):
    """Read the split's batches out of the archive in one front-to-back pass."""
    wanted = {f"{spec.extracted_dir}/{name}": name for name in spec.extra[split]}
    raw = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = wanted.get(member.name.removeprefix("./"))
                if name is not None and member.isfile():
                    raw[name] = archive.extractfile(member).read()
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise corrupt(path, f"the archive is truncated or damaged ({exc})") from None
    missing = [name for name in spec.extra[split] if name not in raw]
    if missing:
        raise corrupt(path, f"the archive lacks {', '.join(missing)}")
    parts = [parse_batch(raw[name], f"{path}:{name}") for name in spec.extra[split]]
    return _concatenate(parts, spec, split, path)


def parse_batch(raw, where):
    """Parse one pickled CIFAR-10 batch (bytes) safely.

    Returns ``(images uint8 (n, 3, 32, 32), labels int64 (n,))``. The batch's
    ``data`` is uint8 (n, 3072), each row the red, green then blue 32x32 planes.
    """
    entry = safe_loads(raw, source=str(where))
    if not isinstance(entry, dict):
        raise corrupt(where, f"expected a dict, found {type(entry).__name__}")
    entry = {key.decode("latin1") if isinstance(key, bytes) else key: value
             for key, value in entry.items()}
    data, labels = entry.get("data"), entry.get("labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != 3 * 32 * 32:
        raise corrupt(where, "'data' is not a uint8 array of shape (n, 3072)")
    try:
        labels = np.asarray(labels, dtype=np.int64)
    except (TypeError, ValueError):
        raise corrupt(where, "'labels' is not a list of integers") from None
    if labels.shape != (len(data),):
        raise corrupt(where, f"{labels.size} labels for {len(data)} images")
    if labels.size and (labels.min() < 0 or labels.max() > 9):
        raise corrupt(where, "labels outside 0..9")
    return data.reshape(-1, 3, 32, 32), labels


def _concatenate(parts, spec, split, where):
    images = np.concatenate([images for images, _ in parts])
    labels = np.concatenate([labels for _, labels in parts])
    expected = (spec.split_sizes or {}).get(split)
    if expected is not None and len(images) != expected:
        raise corrupt(where, f"{len(images)} {split} images, expected {expected}")
    return images, labels
