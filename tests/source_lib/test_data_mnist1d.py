"""MNIST-1D: generated locally (never downloaded), deterministic, cached."""

import random

import numpy as np
import pytest

from source_lib import data
from source_lib.data import mnist1d


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a URL fails the test (mnist1d's get_dataset downloads)."""
    import urllib.request

    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("MNIST-1D must be generated locally, not downloaded")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    monkeypatch.setattr(requests, "get", refuse)


def test_shapes_and_dtypes(cache_dir, no_network):
    d = data.load_mnist1d()
    assert set(d) == {"x_train", "y_train", "x_test", "y_test", "t"}
    assert d["x_train"].shape == (4000, 40) and d["x_train"].dtype == np.float32
    assert d["x_test"].shape == (1000, 40) and d["x_test"].dtype == np.float32
    assert d["y_train"].shape == (4000,) and d["y_train"].dtype == np.int64
    assert d["y_test"].shape == (1000,) and d["y_test"].dtype == np.int64
    assert d["t"].shape == (40,) and d["t"].dtype == np.float32
    assert set(np.unique(d["y_train"])) == set(range(10))
    assert np.isfinite(d["x_train"]).all()


def test_same_seed_same_data_other_seed_differs(cache_dir):
    first = data.load_mnist1d(num_samples=500, seed=3)
    generated_again = mnist1d._generate(num_samples=500, seed=3, train_split=0.8)
    for key in first:
        np.testing.assert_array_equal(first[key], generated_again[key])
    other = data.load_mnist1d(num_samples=500, seed=4)
    assert not np.array_equal(first["x_train"], other["x_train"])
    assert data.load_mnist1d(num_samples=500, seed=3, train_split=0.5)["x_train"].shape == (250, 40)


def test_cache_is_used_the_second_time(cache_dir, monkeypatch):
    first = data.load_mnist1d(num_samples=300, seed=1)
    assert len(list((cache_dir / "mnist1d").glob("*.npz"))) == 1

    def no_generation(**kwargs):
        raise AssertionError("regenerated instead of reading the cache")

    monkeypatch.setattr(mnist1d, "_generate", no_generation)
    second = data.load_mnist1d(num_samples=300, seed=1)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
        assert second[key].dtype == first[key].dtype


def test_global_random_state_is_left_alone(cache_dir):
    np.random.seed(123)
    random.seed(123)
    expected = (np.random.rand(), random.random())
    np.random.seed(123)
    random.seed(123)
    mnist1d._generate(num_samples=100, seed=9, train_split=0.8)
    assert (np.random.rand(), random.random()) == expected


def test_bad_arguments(cache_dir):
    with pytest.raises(ValueError, match="train_split"):
        data.load_mnist1d(train_split=1.5)
