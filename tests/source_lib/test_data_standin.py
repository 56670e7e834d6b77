"""Synthetic stand-ins: right shapes, impossible to mistake for real data."""

import numpy as np
import pytest

from source_lib import data
from source_lib.data.registry import DATASETS

from data_fixtures import course_dirs  # noqa: F401  (autouse fixture)
from data_fixtures import spec_for, write_fashion_mnist


@pytest.mark.parametrize("name, shape", [
    ("fashion_mnist", (50, 28, 28)),
    ("Fashion-MNIST", (50, 28, 28)),
    ("cifar10", (50, 3, 32, 32)),
])
def test_image_standins_look_like_the_loader(name, shape):
    fake = data.standin(name, n=50, seed=0)
    images, labels = fake  # unpacks like the real (images, labels)
    assert images.shape == shape and images.dtype == np.uint8
    assert labels.shape == (50,) and labels.dtype == np.int64 and set(labels) == set(range(10))
    assert fake.is_standin and fake.name.startswith("STAND-IN (synthetic, not ")
    assert "STAND-IN" in repr(fake)
    np.testing.assert_array_equal(data.standin(name, n=50, seed=0).images, images)


def test_mnist1d_standin():
    fake = data.standin("mnist1d", n=100)
    assert fake.is_standin and fake.name == "STAND-IN (synthetic, not MNIST-1D)"
    assert fake["x_train"].shape == (80, 40) and fake["x_train"].dtype == np.float32
    assert fake["y_test"].shape == (20,) and fake["y_test"].dtype == np.int64
    assert fake["t"].shape == (40,) and fake["t"].dtype == np.float32


def test_load_or_standin_warns_and_falls_back(course_dirs, capsys):
    result = data.load_or_standin("fashion_mnist", "test", download=False, n=30)
    assert result.is_standin and result.images.shape == (30, 28, 28)
    warning = capsys.readouterr().err
    assert "WARNING" in warning and "STAND-IN (synthetic, not Fashion-MNIST)" in warning
    assert "COURSE_DATA_DIR" in warning  # the reason and the fix are shown


def test_load_or_standin_prefers_real_data(course_dirs, monkeypatch, capsys):
    md5s = write_fashion_mnist(course_dirs[0] / "FashionMNIST" / "raw")
    monkeypatch.setitem(DATASETS, "fashion_mnist",
                        spec_for("fashion_mnist", None, md5s, {"train": 20, "test": 10}))
    result = data.load_or_standin("fashion_mnist", "train", download=False)
    assert not getattr(result, "is_standin", False)
    images, labels = result
    assert images.shape == (20, 28, 28) and labels.dtype == np.int64
    assert "WARNING" not in capsys.readouterr().err


def test_unknown_dataset_name():
    with pytest.raises(KeyError, match="known datasets"):
        data.standin("imagenet")
