"""Downloading through a local HTTP server serving generated fake datasets."""

import os
import socket
import stat

import numpy as np
import pytest

from source_lib import data
from source_lib.data import locate
from source_lib.data.registry import DATASETS

from data_fixtures import course_dirs  # noqa: F401  (autouse fixture)
from data_fixtures import (free_port, serve_directory, spec_for, write_cifar_jpeg_tar,
                           write_cifar_python_tar, write_fashion_mnist)


@pytest.fixture
def served(tmp_path):
    """A folder served on 127.0.0.1; yields (folder, base_url)."""
    folder = tmp_path / "server"
    folder.mkdir()
    with serve_directory(folder) as base_url:
        yield folder, base_url


def test_download_success_shows_progress(served, tmp_path, capsys):
    folder, base_url = served
    (folder / "blob.bin").write_bytes(os.urandom(300_000))
    md5 = locate.md5sum(folder / "blob.bin")
    dest = tmp_path / "out" / "blob.bin"
    assert data.download(base_url + "blob.bin", dest, md5=md5) == dest
    assert dest.read_bytes() == (folder / "blob.bin").read_bytes()
    assert not (tmp_path / "out" / "blob.bin.part").exists()
    progress = capsys.readouterr().err
    assert "Downloading blob.bin" in progress and "100%" in progress


def test_md5_mismatch_raises_and_leaves_no_file(served, tmp_path):
    folder, base_url = served
    (folder / "blob.bin").write_bytes(b"not what you expected")
    dest = tmp_path / "blob.bin"
    with pytest.raises(data.ChecksumError) as info:
        data.download(base_url + "blob.bin", dest, md5="0" * 32, progress=False)
    message = str(info.value)
    assert "blob.bin" in message and "0" * 32 in message
    assert info.value.actual == locate.md5sum(folder / "blob.bin") and info.value.actual in message
    assert list(tmp_path.glob("blob.bin*")) == []


def test_http_404_is_data_unavailable(served, tmp_path):
    _, base_url = served
    with pytest.raises(data.DataUnavailableError, match="404"):
        data.download(base_url + "missing.gz", tmp_path / "missing.gz", progress=False)
    assert list(tmp_path.glob("missing.gz*")) == []


def test_connection_refused_is_data_unavailable(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/file.gz"
    with pytest.raises(data.DataUnavailableError, match="could not download"):
        data.download(url, tmp_path / "file.gz", progress=False)


def test_timeout_is_data_unavailable(tmp_path):
    # A listening socket that never answers: the request times out.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/file.gz"
        with pytest.raises(data.DataUnavailableError, match="timed out"):
            data.download(url, tmp_path / "file.gz", progress=False, timeout=0.3)


def _serve_fashion(monkeypatch, served, **kwargs):
    folder, base_url = served
    md5s = write_fashion_mnist(folder, **kwargs)
    spec = spec_for("fashion_mnist", base_url, md5s, {"train": 20, "test": 10})
    monkeypatch.setitem(DATASETS, "fashion_mnist", spec)
    return folder


def test_fashion_mnist_downloads_then_loads_offline(course_dirs, served, monkeypatch):
    folder = _serve_fashion(monkeypatch, served)
    images, labels = data.load_fashion_mnist("train")
    assert images.shape == (20, 28, 28) and images.dtype == np.uint8
    assert labels.dtype == np.int64 and labels.tolist() == [i % 10 for i in range(20)]
    data_dir, _ = course_dirs
    assert (data_dir / "FashionMNIST" / "raw" / "train-images-idx3-ubyte.gz").is_file()
    for path in folder.iterdir():  # server gone: the second load must not need it
        path.unlink()
    again, _ = data.load_fashion_mnist("train", download=False)
    np.testing.assert_array_equal(again, images)
    assert data.load_fashion_mnist("test")[0].shape == (10, 28, 28)


def test_read_only_data_dir_downloads_into_cache(course_dirs, served, monkeypatch):
    data_dir, cache_dir = course_dirs
    data_dir.mkdir()
    data_dir.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    try:
        _serve_fashion(monkeypatch, served)
        folder = data.fetch("fashion_mnist")
    finally:
        data_dir.chmod(0o755)
    assert folder == cache_dir / "FashionMNIST" / "raw"
    assert list(data_dir.iterdir()) == []


def test_download_false_with_nothing_present(course_dirs):
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_fashion_mnist("test", download=False)
    message = str(info.value)
    assert "COURSE_DATA_DIR" in message and "download=False" in message
    assert "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz" in message
    assert str(course_dirs[0]) in message and str(course_dirs[1]) in message


def test_offline_download_becomes_data_unavailable(course_dirs, monkeypatch):
    spec = spec_for("fashion_mnist", f"http://127.0.0.1:{free_port()}/", {})
    monkeypatch.setitem(DATASETS, "fashion_mnist", spec)
    with pytest.raises(data.DataUnavailableError) as info:
        data.load_fashion_mnist("train")
    message = str(info.value)
    assert "could not download" in message and "COURSE_DATA_DIR" in message
    assert not course_dirs[0].exists()  # a failed attempt leaves no empty folders behind


def test_corrupt_existing_file_names_file_and_fix(course_dirs, served, monkeypatch):
    _serve_fashion(monkeypatch, served)
    folder = data.fetch("fashion_mnist")
    target = folder / "train-labels-idx1-ubyte.gz"
    target.write_bytes(target.read_bytes()[:-5])
    with pytest.raises(data.ChecksumError) as info:
        data.load_fashion_mnist("train")
    message = str(info.value)
    assert str(target) in message and "delete" in message and "COURSE_DATA_DIR" in message


def test_truncated_gzip_with_matching_md5_is_reported(course_dirs, served, monkeypatch):
    folder, base_url = served
    md5s = write_fashion_mnist(folder)
    target = folder / "t10k-images-idx3-ubyte.gz"
    target.write_bytes(target.read_bytes()[:500])
    md5s[target.name] = locate.md5sum(target)  # the registry "agrees", so only parsing can tell
    monkeypatch.setitem(DATASETS, "fashion_mnist",
                        spec_for("fashion_mnist", base_url, md5s, {"train": 20, "test": 10}))
    with pytest.raises(data.CorruptDataError, match="truncated") as info:
        data.load_fashion_mnist("test")
    assert "t10k-images-idx3-ubyte.gz" in str(info.value)


def test_verified_files_are_not_hashed_again(course_dirs, served, monkeypatch):
    _serve_fashion(monkeypatch, served)
    data.load_fashion_mnist("train")

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(locate, "md5sum", no_hashing)
    data.load_fashion_mnist("train")


def test_cifar_python_archive_download(course_dirs, served, monkeypatch):
    folder, base_url = served
    md5, expected = write_cifar_python_tar(folder / "cifar-10-python.tar.gz")
    spec = spec_for("cifar10", base_url, {"cifar-10-python.tar.gz": md5},
                            {"train": 50, "test": 10})
    monkeypatch.setitem(DATASETS, "cifar10", spec)
    for split in ("train", "test"):
        images, labels = data.load_cifar10(split)
        assert images.dtype == np.uint8 and labels.dtype == np.int64
        np.testing.assert_array_equal(images, expected[split][0])  # official order kept
        np.testing.assert_array_equal(labels, expected[split][1])
    assert (course_dirs[0] / "cifar-10-python.tar.gz").is_file()


def test_cifar_jpeg_archive_download(course_dirs, served, monkeypatch):
    folder, base_url = served
    md5, expected = write_cifar_jpeg_tar(folder / "cifar10-jpeg.tar.gz")
    spec = spec_for("cifar10_jpeg", base_url, {"cifar10-jpeg.tar.gz": md5},
                            {"train": 20, "test": 10})
    monkeypatch.setitem(DATASETS, "cifar10_jpeg", spec)
    where = data.fetch("cifar10_jpeg")
    images, labels = data.load_cifar10("test", data_dir=where, download=False)
    assert images.shape == (10, 3, 32, 32) and labels.tolist() == list(range(10))
    assert np.abs(images.astype(int) - expected["test"][0]).max() <= 4  # JPEG is lossy


def test_fetch_without_public_url_explains(course_dirs):
    with pytest.raises(data.DataUnavailableError, match="no public download"):
        data.fetch("cifar10_jpeg")
