"""Reading IDX files (the MNIST / Fashion-MNIST format) and loading Fashion-MNIST.

IDX layout: two zero bytes, a type code (0x08 = unsigned byte), the number of
dimensions, one big-endian uint32 per dimension, then the raw data.
"""

import gzip
import zlib

import numpy as np

from source_lib.data.remote import fetch
from source_lib.data.errors import corrupt
from source_lib.data.registry import get_spec

_UBYTE = 0x08


def read_idx(path, ndim):
    """Return the unsigned-byte IDX array stored (gzipped or not) at ``path``.

    ``ndim`` is the number of dimensions the caller expects (1 for labels,
    3 for images). Returns a uint8 array of the stored shape. Raises
    :class:`CorruptDataError` for a truncated gzip stream, a bad magic number
    or a payload whose size does not match the header.
    """
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise corrupt(path, f"only {len(raw)} bytes, too short for an IDX header")
    zero, code, dims = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zero != 0 or code != _UBYTE or dims != ndim:
        magic = raw[:4].hex()
        expected = f"0000{_UBYTE:02x}{ndim:02x}"
        raise corrupt(path, f"bad IDX magic number 0x{magic} (expected 0x{expected}); "
                            "this is not the expected IDX file")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise corrupt(path, "the IDX header is cut short")
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected_bytes = header + int(np.prod(shape, dtype=np.int64))
    if len(raw) != expected_bytes:
        raise corrupt(path, f"header says shape {shape} ({expected_bytes} bytes) but the "
                            f"file holds {len(raw)} bytes; it is truncated or damaged")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape).copy()


def _read_bytes(path):
    """Whole (decompressed) content of ``path``; gzip is detected by its magic."""
    with open(path, "rb") as handle:
        is_gzip = handle.read(2) == b"\x1f\x8b"
    if not is_gzip:
        with open(path, "rb") as handle:
            return handle.read()
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except EOFError:
        raise corrupt(path, "the gzip stream ends early (the file is truncated)") from None
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise corrupt(path, f"the gzip data is damaged ({exc})") from None


def load_fashion_mnist(split="train", data_dir=None, download=True):
    """Load Fashion-MNIST.

    Returns ``(images, labels)``: images uint8 of shape (N, 28, 28) with values
    0..255, labels int64 of shape (N,) with values 0..9 (see
    ``FASHION_MNIST_CLASSES``). N is 60000 for "train" and 10000 for "test".
    Files are looked for in ``data_dir``, ``COURSE_DATA_DIR``, then
    ``COURSE_CACHE_DIR`` (layout ``<dir>/FashionMNIST/raw/``) and downloaded if
    missing and ``download`` is True.
    """
    spec = get_spec("fashion_mnist")
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    folder = fetch(spec.name, data_dir=data_dir, download=download, spec=spec)
    image_file, label_file = spec.extra[split]
    images = read_idx(folder / image_file, ndim=3)
    labels = read_idx(folder / label_file, ndim=1).astype(np.int64)
    _check_fashion(spec, split, folder, images, labels)
    return images, labels


def _check_fashion(spec, split, folder, images, labels):
    """Shapes and label range must be those of the real dataset."""
    image_file, label_file = spec.extra[split]
    if images.shape[1:] != (28, 28):
        raise corrupt(folder / image_file, f"images are {images.shape[1:]}, expected 28x28")
    expected = (spec.split_sizes or {}).get(split)
    if expected is not None and len(images) != expected:
        raise corrupt(folder / image_file, f"{len(images)} images, expected {expected}")
    if len(labels) != len(images):
        raise corrupt(folder / label_file, f"{len(labels)} labels for {len(images)} images")
    if labels.size and labels.max() >= len(spec.class_names):
        raise corrupt(folder / label_file, f"label {labels.max()} is out of range 0..9")
