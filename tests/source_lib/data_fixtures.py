"""What the data tests share: empty course folders, tiny fake datasets, a local HTTP server.

Test modules import what they use (``from data_fixtures import course_dirs, ...``);
``course_dirs`` is autouse in every module that imports it. The datasets are written in
the official file formats and are all generated: nothing comes from the real datasets. Each
writer returns the md5 of what it wrote so a registry entry can be pointed at it with
``spec.replace(files=...)``.
"""

import contextlib
import dataclasses
import functools
import gzip
import hashlib
import http.server
import io
import pickle
import socket
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from source_lib.data.locate import md5sum
from source_lib.data.registry import CIFAR10_CLASSES, DATASETS, RemoteFile


@pytest.fixture(autouse=True)
def course_dirs(tmp_path, monkeypatch):
    """Empty COURSE_DATA_DIR and COURSE_CACHE_DIR in tmp (never the real ones), for every test."""
    data_dir, cache_dir = tmp_path / "data", tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache_dir))
    return data_dir, cache_dir


def idx_bytes(array):
    """Encode a uint8 array in IDX format (magic, big-endian dims, data)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim])
    dims = b"".join(int(size).to_bytes(4, "big") for size in array.shape)
    return header + dims + array.tobytes()


def write_fashion_mnist(folder, n_train=20, n_test=10, seed=0):
    """Write the four gzipped IDX files into ``folder``; return {filename: md5}.

    Images are uint8 (n, 28, 28); label i is i % 10.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    md5s = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        arrays = {
            f"{prefix}-images-idx3-ubyte.gz": rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            f"{prefix}-labels-idx1-ubyte.gz": (np.arange(n) % 10).astype(np.uint8),
        }
        for filename, array in arrays.items():
            # mtime=0 keeps the gzip bytes, and so the md5, reproducible.
            (folder / filename).write_bytes(gzip.compress(idx_bytes(array), mtime=0))
            md5s[filename] = md5sum(folder / filename)
    return md5s


def cifar_batch_bytes(images, labels):
    """Pickle a CIFAR-10 batch like the official (Python 2, protocol 2) files.

    ``images`` uint8 (n, 3, 32, 32), ``labels`` ints. Keys are bytes and the
    array global is spelled ``numpy.core.multiarray`` as in the real files.
    """
    entry = {b"batch_label": b"fake batch", b"labels": [int(x) for x in labels],
             b"data": np.ascontiguousarray(images, dtype=np.uint8).reshape(len(images), -1)}
    raw = pickle.dumps(entry, protocol=2)
    return raw.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def write_cifar_python_tar(path, per_batch=10, seed=0):
    """Write a fake ``cifar-10-python.tar.gz`` with 5 train batches and a test batch.

    Returns ``(md5, {"train": (images, labels), "test": (images, labels)})``.
    """
    rng = np.random.default_rng(seed)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    expected = {"train": ([], []), "test": ([], [])}
    with tarfile.open(path, "w:gz") as archive:
        for name in names:
            images = rng.integers(0, 256, (per_batch, 3, 32, 32), dtype=np.uint8)
            labels = rng.integers(0, 10, per_batch)
            _add_bytes(archive, f"cifar-10-batches-py/{name}", cifar_batch_bytes(images, labels))
            split = "test" if name == "test_batch" else "train"
            expected[split][0].append(images)
            expected[split][1].append(labels)
    arrays = {split: (np.concatenate(i), np.concatenate(l)) for split, (i, l) in expected.items()}
    return md5sum(path), arrays


def jpeg_bytes(image):
    """Encode a uint8 (3, 32, 32) image as high-quality JPEG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image.transpose(1, 2, 0))).save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def write_cifar_jpeg_tar(path, per_class=(2, 1), seed=0):
    """Write a fake ``cifar10-jpeg.tar.gz``: ``per_class`` = (train, test) images per class.

    Images are flat colours (so JPEG keeps them within a few levels).
    Returns ``(md5, {split: (images uint8 (n, 3, 32, 32), labels int64)})`` in
    class-by-class order.
    """
    rng = np.random.default_rng(seed)
    arrays = {}
    with tarfile.open(path, "w:gz") as archive:
        for split, count in zip(("train", "test"), per_class):
            images, labels = [], []
            for label, class_name in enumerate(CIFAR10_CLASSES):
                for index in range(count):
                    colour = rng.integers(0, 256, (3, 1, 1), dtype=np.uint8)
                    image = np.broadcast_to(colour, (3, 32, 32)).copy()
                    _add_bytes(archive, f"cifar10-jpeg/{split}/{class_name}/{index:04d}.jpg",
                               jpeg_bytes(image))
                    images.append(image)
                    labels.append(label)
            arrays[split] = (np.stack(images), np.array(labels, dtype=np.int64))
    return md5sum(path), arrays


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_directory(folder):
    """Serve ``folder`` over HTTP on 127.0.0.1 (free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port():
    """A TCP port on 127.0.0.1 with nothing listening (a URL on it is "no network")."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spec_for(name, base_url, md5s, split_sizes=None, **changes):
    """A copy of registry entry ``name`` whose files come from ``base_url``.

    ``md5s`` maps file name -> md5 (missing names get None, i.e. unchecked);
    ``split_sizes`` replaces the expected sample counts (fakes are tiny).
    Point the registry at it with ``monkeypatch.setitem(DATASETS, name, spec)``.
    """
    spec = DATASETS[name]
    files = tuple(
        RemoteFile(remote.filename, base_url and base_url + remote.filename,
                   md5s.get(remote.filename))
        for remote in spec.files
    )
    return spec.replace(files=files, split_sizes=split_sizes, **changes)


@pytest.fixture(autouse=True)
def torch_home(tmp_path, monkeypatch):
    """torch hub's cache in tmp (never the real ~/.cache/torch); yields its checkpoints
    folder. Autouse in every module that imports it."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    import torch
    monkeypatch.setattr(torch.hub, "_hub_dir", None)   # in case something called set_dir
    return tmp_path / "torch" / "hub" / "checkpoints"


def use_weights_spec(monkeypatch, name, url, sha256_prefix):
    """Point ``source_lib.weights.<name>`` (a WeightsSpec) at ``url`` and ``sha256_prefix``
    for this test; returns the new spec."""
    from source_lib import weights
    spec = dataclasses.replace(getattr(weights, name), url=url, sha256_prefix=sha256_prefix)
    monkeypatch.setattr(weights, name, spec)
    return spec


@contextlib.contextmanager
def serving_weights(folder, monkeypatch, name, blob):
    """Serve ``blob`` as ``source_lib.weights.<name>``'s file from ``folder`` on 127.0.0.1
    and point the spec at it (url and sha256 prefix); yields the spec."""
    from source_lib import weights
    filename = getattr(weights, name).filename
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_bytes(blob)
    with serve_directory(folder) as base_url:
        yield use_weights_spec(monkeypatch, name, base_url + filename,
                               hashlib.sha256(blob).hexdigest()[:8])

