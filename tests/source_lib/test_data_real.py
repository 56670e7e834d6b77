"""The loaders on the real, prepared offline datasets (read-only shared folder).

The folder is COURSE_DATA_DIR when set, else ``<repo>/../shared/data``. Tests
skip when it is absent. Caches and verification stamps go to a tmp
COURSE_CACHE_DIR so nothing is written to the shared folder or the home cache.
"""

import os
from pathlib import Path

import numpy as np
import pytest

from source_lib import data
from source_lib.data import locate

REPO_ROOT = Path(__file__).resolve().parents[2]


def _shared_data():
    configured = os.environ.get("COURSE_DATA_DIR", "").strip()
    for folder in filter(None, (configured, REPO_ROOT.parent / "shared" / "data")):
        folder = Path(folder)
        if (folder / "FashionMNIST" / "raw").is_dir() or (folder / "cifar10-jpeg.tar.gz").is_file():
            return folder
    return None


SHARED = _shared_data()
pytestmark = pytest.mark.skipif(
    SHARED is None,
    reason="offline datasets not found: set COURSE_DATA_DIR or put them in ../shared/data",
)


@pytest.fixture
def shared_data(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(SHARED))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    return SHARED


def _need(path):
    if not path.exists():
        pytest.skip(f"{path} is not in the offline data folder")


@pytest.mark.parametrize("split, count", [("train", 60000), ("test", 10000)])
def test_fashion_mnist(shared_data, split, count):
    _need(shared_data / "FashionMNIST" / "raw")
    images, labels = data.load_fashion_mnist(split, download=False)
    assert images.shape == (count, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (count,) and labels.dtype == np.int64
    assert labels.min() == 0 and labels.max() == 9
    assert np.bincount(labels).tolist() == [count // 10] * 10
    assert 0 < images.mean() < 255


def test_fashion_mnist_md5_verified_and_remembered(shared_data, monkeypatch):
    _need(shared_data / "FashionMNIST" / "raw")
    folder = data.fetch("fashion_mnist", download=False)
    assert folder == shared_data / "FashionMNIST" / "raw"
    for remote in data.DATASETS["fashion_mnist"].files:
        assert locate.md5sum(folder / remote.filename) == remote.md5
    monkeypatch.setattr(locate, "md5sum", lambda path: pytest.fail(f"{path} hashed twice"))
    data.fetch("fashion_mnist", download=False)


def test_cifar10_jpeg_test_split(shared_data):
    _need(shared_data / "cifar10-jpeg.tar.gz")
    images, labels = data.load_cifar10("test", download=False)
    assert images.shape == (10000, 3, 32, 32) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [1000] * 10
    assert 60 < images.mean() < 200 and images.std() > 30  # real photos, not blank


@pytest.mark.slow
def test_cifar10_jpeg_train_split(shared_data):
    _need(shared_data / "cifar10-jpeg.tar.gz")
    images, labels = data.load_cifar10("train", download=False)
    assert images.shape == (50000, 3, 32, 32) and images.dtype == np.uint8
    assert np.bincount(labels).tolist() == [5000] * 10
