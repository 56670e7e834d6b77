"""Decoding the CIFAR-10 JPEG layout: ``cifar10-jpeg/{train,test}/<class>/NNNN.jpg``.

Works on the ``cifar10-jpeg.tar.gz`` archive (read in place, never extracted,
so a read-only data folder is fine) or on the already extracted folder.

Order of the result: class by class in ``CIFAR10_CLASSES`` order, and within a
class by file name, which is the official order of that class's images. This
is *not* the interleaved order of the official python batches.
"""

import io
import os
import tarfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, UnidentifiedImageError
from tqdm.auto import tqdm

from source_lib.data.errors import corrupt

_SUFFIXES = (".jpg", ".jpeg", ".png")


def decode_image(raw, where):
    """Decode one 32x32 image from bytes ``raw``; return uint8 (3, 32, 32) CHW."""
    try:
        with Image.open(io.BytesIO(raw)) as image:
            image = image.convert("RGB")
            pixels = np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise corrupt(where, f"the image cannot be decoded ({exc})") from None
    if pixels.shape != (32, 32, 3):
        raise corrupt(where, f"the image is {pixels.shape[1]}x{pixels.shape[0]}, expected 32x32")
    return pixels.transpose(2, 0, 1)


def _member_class(name, top, split, class_names):
    """Class index of archive member ``name`` if it is an image of ``split``, else None."""
    parts = PurePosixPath(name.removeprefix("./")).parts
    if len(parts) != 4 or parts[0] != top or parts[1] != split:
        return None
    if parts[2] not in class_names or not parts[3].lower().endswith(_SUFFIXES):
        return None
    return class_names.index(parts[2])


def decode_tar(path, spec, split):
    """Decode ``split`` from the archive at ``path``.

    Returns ``(images uint8 (N, 3, 32, 32), labels int64 (N,))`` in class-by-class order.
    """
    found = []
    expected = (spec.split_sizes or {}).get(split)
    bar = _progress_bar(spec, split)
    try:
        with bar, tarfile.open(path, "r:gz") as archive:
            # Iterate once, front to back: seeking back in a gzip stream restarts
            # decompression from the beginning.
            for member in archive:
                label = _member_class(member.name, spec.extracted_dir, split, spec.class_names)
                if label is None or not member.isfile():
                    continue
                raw = archive.extractfile(member).read()
                found.append((label, member.name, decode_image(raw, f"{path}:{member.name}")))
                bar.update(1)
                if len(found) == expected:
                    break  # the rest of the archive is the other split: skip reading it
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise corrupt(path, f"the archive is truncated or damaged ({exc})") from None
    return _assemble(found, spec, split, path)


def decode_folder(folder, spec, split):
    """Decode ``split`` from the extracted folder ``folder`` (the one named ``cifar10-jpeg``).

    Returns ``(images uint8 (N, 3, 32, 32), labels int64 (N,))`` in class-by-class order.
    """
    found = []
    with _progress_bar(spec, split) as bar:
        for label, class_name in enumerate(spec.class_names):
            class_dir = Path(folder) / split / class_name
            if not class_dir.is_dir():
                continue
            for path in sorted(class_dir.iterdir()):
                if path.suffix.lower() in _SUFFIXES:
                    found.append((label, path.name, decode_image(path.read_bytes(), path)))
                    bar.update(1)
    return _assemble(found, spec, split, Path(folder) / split)


def folder_identity(folder, split, class_names):
    """Cheap fingerprint of an extracted split: per class, file count and folder mtime.

    Adding, removing or replacing files changes a directory's mtime, so this
    changes whenever the content does, without reading 60,000 files.
    """
    identity = [str(Path(folder).resolve()), split]
    for class_name in class_names:
        class_dir = Path(folder) / split / class_name
        if class_dir.is_dir():
            count = sum(1 for _ in os.scandir(class_dir))
            identity.append([class_name, count, class_dir.stat().st_mtime_ns])
    return identity


def _progress_bar(spec, split):
    total = (spec.split_sizes or {}).get(split)
    return tqdm(total=total, unit="img", desc=f"Decoding CIFAR-10 {split} JPEGs (once, then cached)")


def _assemble(found, spec, split, where):
    """Sort decoded images into class-by-class order and check the counts."""
    n_classes = len(spec.class_names)
    counts = np.bincount([label for label, _, _ in found], minlength=n_classes)
    missing = [spec.class_names[i] for i in range(n_classes) if counts[i] == 0]
    if missing:
        raise corrupt(where, f"no {split} images for class(es) {', '.join(missing)}; "
                             "the archive or folder is incomplete")
    expected = (spec.split_sizes or {}).get(split)
    if expected is not None and (counts != expected // n_classes).any():
        raise corrupt(where, f"found {counts.sum()} {split} images ({counts.tolist()} per class), "
                             f"expected {expected // n_classes} per class; it is incomplete")
    found.sort(key=lambda item: (item[0], item[1]))
    images = np.stack([image for _, _, image in found])
    labels = np.array([label for label, _, _ in found], dtype=np.int64)
    return images, labels
