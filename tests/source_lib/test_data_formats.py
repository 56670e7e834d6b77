"""File formats: IDX parsing, safe CIFAR unpickling, JPEG folders, decoded-array cache."""

import gzip
import os
import pickle
import tarfile

import numpy as np
import pytest

from source_lib import data
from source_lib.data import cifar, safe_pickle
from source_lib.data.registry import DATASETS

from data_fixtures import course_dirs  # noqa: F401  (autouse fixture)
from data_fixtures import (cifar_batch_bytes, idx_bytes, spec_for, write_cifar_jpeg_tar,
                           write_fashion_mnist)


class _RunsShell:
    """Unpickling this with plain pickle would run a shell command."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


# --- IDX ---------------------------------------------------------------------------

def test_read_idx_roundtrip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    (tmp_path / "a").write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a.gz", ndim=3), array)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a", ndim=3), array)


@pytest.mark.parametrize("mangle, expected", [
    (lambda raw: b"\x00\x00\x0d\x03" + raw[4:], "bad IDX magic"),       # float data
    (lambda raw: raw[:4] + (9).to_bytes(4, "big") + raw[8:], "truncated or damaged"),
    (lambda raw: raw[:-7], "truncated or damaged"),
    (lambda raw: raw[:2], "too short"),
])
def test_read_idx_rejects_bad_headers(tmp_path, mangle, expected):
    raw = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    (tmp_path / "x.gz").write_bytes(gzip.compress(mangle(raw)))
    with pytest.raises(data.CorruptDataError, match=expected) as info:
        data.read_idx(tmp_path / "x.gz", ndim=3)
    assert "x.gz" in str(info.value) and "COURSE_DATA_DIR" in str(info.value)


def test_read_idx_rejects_truncated_and_damaged_gzip(tmp_path):
    packed = gzip.compress(os.urandom(5000), mtime=0)
    (tmp_path / "short.gz").write_bytes(packed[: len(packed) // 2])
    with pytest.raises(data.CorruptDataError, match="truncated"):
        data.read_idx(tmp_path / "short.gz", ndim=1)
    (tmp_path / "bad.gz").write_bytes(packed[:20] + bytes(200) + packed[220:])
    with pytest.raises(data.CorruptDataError, match="damaged"):
        data.read_idx(tmp_path / "bad.gz", ndim=1)


def test_fashion_mnist_wrong_image_size(course_dirs, monkeypatch):
    folder = course_dirs[0] / "FashionMNIST" / "raw"
    write_fashion_mnist(folder, n_train=10)
    odd = np.zeros((10, 28, 27), np.uint8)
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(odd)))
    monkeypatch.setitem(DATASETS, "fashion_mnist", spec_for("fashion_mnist", None, {}))
    with pytest.raises(data.CorruptDataError, match="expected 28x28"):
        data.load_fashion_mnist("train", download=False)


def test_fashion_mnist_wrong_count(course_dirs):
    # The real registry expects 60000 training images; the fake has 20.
    write_fashion_mnist(course_dirs[0] / "FashionMNIST" / "raw")
    spec = DATASETS["fashion_mnist"]
    files = tuple(data.RemoteFile(f.filename, f.url, None) for f in spec.files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(DATASETS, "fashion_mnist", spec.replace(files=files))
        with pytest.raises(data.CorruptDataError, match="20 images, expected 60000"):
            data.load_fashion_mnist("train", download=False)


# --- safe unpickling ----------------------------------------------------------------

def test_restricted_unpickler_refuses_os_system(tmp_path):
    marker = tmp_path / "pwned"
    evil = pickle.dumps({b"data": _RunsShell(f"touch {marker}")}, protocol=2)
    with pytest.raises(data.UnsafePickleError, match=r"refusing to load (posix|nt)\.system"):
        safe_pickle.safe_loads(evil, source="evil_batch")
    assert not marker.exists()
    # Plain pickle would have run it: proves the test pickle really is malicious.
    pickle.loads(evil)
    assert marker.exists()


@pytest.mark.parametrize("payload", [
    lambda: pickle.dumps(eval, protocol=4),
    lambda: pickle.dumps(np.array([{"a": 1}], dtype=object), protocol=2),
    lambda: pickle.dumps(tarfile.TarInfo("x"), protocol=2),
])
def test_restricted_unpickler_refuses_other_globals(payload):
    with pytest.raises(data.UnsafePickleError):
        safe_pickle.safe_loads(payload(), source="batch")


def test_official_style_batch_parses():
    images = np.random.default_rng(1).integers(0, 256, (4, 3, 32, 32), dtype=np.uint8)
    raw = cifar_batch_bytes(images, [3, 1, 4, 1])
    assert b"numpy.core.multiarray" in raw  # the spelling of the real (Python 2) files
    parsed_images, parsed_labels = cifar.parse_batch(raw, "batch")
    np.testing.assert_array_equal(parsed_images, images)
    assert parsed_labels.dtype == np.int64 and parsed_labels.tolist() == [3, 1, 4, 1]


def test_damaged_batch_is_corrupt_not_crash():
    raw = cifar_batch_bytes(np.zeros((2, 3, 32, 32), np.uint8), [0, 1])
    with pytest.raises(data.CorruptDataError, match="damaged or truncated"):
        cifar.parse_batch(raw[: len(raw) // 2], "half_batch")


def _python_dir(course_dirs, monkeypatch):
    """Extracted fake cifar-10-batches-py/ in the data dir; per-batch md5s unchecked."""
    spec = DATASETS["cifar10"]
    monkeypatch.setitem(DATASETS, "cifar10", spec.replace(
        split_sizes=None, extra={**spec.extra, "batch_md5": {}}))
    folder = course_dirs[0] / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for name in spec.extra["train"] + spec.extra["test"]:
        images = rng.integers(0, 256, (3, 3, 32, 32), dtype=np.uint8)
        (folder / name).write_bytes(cifar_batch_bytes(images, [0, 1, 2]))
    return folder


def test_extracted_python_batches(course_dirs, monkeypatch):
    _python_dir(course_dirs, monkeypatch)
    images, labels = data.load_cifar10("train", download=False)
    assert images.shape == (15, 3, 32, 32) and labels.tolist() == [0, 1, 2] * 5


def test_malicious_batch_in_data_dir_is_refused(course_dirs, monkeypatch, tmp_path):
    folder = _python_dir(course_dirs, monkeypatch)
    marker = tmp_path / "pwned"
    (folder / "test_batch").write_bytes(pickle.dumps(_RunsShell(f"touch {marker}"), protocol=2))
    with pytest.raises(data.UnsafePickleError, match="test_batch"):
        data.load_cifar10("test", download=False)
    assert not marker.exists()


# --- CIFAR JPEG layout and cache ------------------------------------------------------

def _jpeg_spec(monkeypatch, md5=None):
    spec = spec_for("cifar10_jpeg", None, {"cifar10-jpeg.tar.gz": md5},
                            {"train": 20, "test": 10})
    monkeypatch.setitem(DATASETS, "cifar10_jpeg", spec)


def test_jpeg_tar_is_decoded_once_then_cached(course_dirs, monkeypatch, capsys):
    data_dir, cache_dir = course_dirs
    data_dir.mkdir()
    md5, expected = write_cifar_jpeg_tar(data_dir / "cifar10-jpeg.tar.gz")
    _jpeg_spec(monkeypatch, md5)
    images, labels = data.load_cifar10("train", download=False)
    assert "Decoding CIFAR-10 train JPEGs" in capsys.readouterr().err
    assert images.shape == (20, 3, 32, 32) and images.dtype == np.uint8
    assert labels.tolist() == [i // 2 for i in range(20)]  # class by class
    assert np.abs(images.astype(int) - expected["train"][0]).max() <= 4
    assert list((cache_dir / "cifar10").glob("jpeg-tar-train-*.npz"))

    def no_decoding(*args):
        raise AssertionError("decoded again instead of using the cache")

    monkeypatch.setattr(cifar, "_decode", no_decoding)
    again, _ = data.load_cifar10("train", download=False)
    np.testing.assert_array_equal(again, images)


def _extract(course_dirs):
    data_dir = course_dirs[0]
    data_dir.mkdir()
    archive = course_dirs[1].parent / "cifar10-jpeg.tar.gz"
    write_cifar_jpeg_tar(archive)
    with tarfile.open(archive) as tar:
        tar.extractall(data_dir, filter="data")
    return data_dir / "cifar10-jpeg"


def test_extracted_jpeg_folder(course_dirs, monkeypatch):
    folder = _extract(course_dirs)
    _jpeg_spec(monkeypatch)
    images, labels = data.load_cifar10("test", download=False)
    assert images.shape == (10, 3, 32, 32) and labels.tolist() == list(range(10))
    # Removing a file changes the folder fingerprint, so the cache is not reused.
    (folder / "test" / "truck" / "0000.jpg").unlink()
    with pytest.raises(data.CorruptDataError, match="truck"):
        data.load_cifar10("test", download=False)


def test_incomplete_or_corrupt_jpeg_folder(course_dirs, monkeypatch):
    folder = _extract(course_dirs)
    _jpeg_spec(monkeypatch)
    (folder / "train" / "cat" / "0001.jpg").unlink()
    with pytest.raises(data.CorruptDataError, match="expected 2 per class"):
        data.load_cifar10("train", download=False)
    (folder / "test" / "dog" / "0000.jpg").write_bytes(b"not a jpeg")
    with pytest.raises(data.CorruptDataError, match="0000.jpg.*cannot be decoded"):
        data.load_cifar10("test", download=False)


def test_cifar_nothing_present_lists_both_layouts(course_dirs):
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_cifar10("test", download=False)
    message = str(info.value)
    for text in ("cifar-10-python.tar.gz", "cifar10-jpeg.tar.gz", "COURSE_DATA_DIR",
                 "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"):
        assert text in message
