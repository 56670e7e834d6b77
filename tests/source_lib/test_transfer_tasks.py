"""source_lib.transfer.tasks on synthetic CIFAR-10 / Fashion-MNIST arrays: the class split,
the remapped labels, the balanced few-label subsets, Fashion-MNIST padded (not resized) to
3 x 32 x 32, and the grader's uint8 target test set that never downloads."""

import numpy as np
import pytest
import torch

from source_lib.data import DataUnavailableError
from source_lib.transfer import tasks


def _fake_cifar(split, download=True):
    # image i of class c is filled with the value 10 * c + (i % 10): classes are recognisable
    n = {"train": 30, "test": 20}[split]
    labels = np.arange(10).repeat(n // 10 if split == "test" else 3)
    values = (10 * labels + np.arange(len(labels)) % 10).astype(np.uint8)
    images = np.broadcast_to(values[:, None, None, None], (len(labels), 3, 32, 32)).copy()
    return images, labels.astype(np.int64)


@pytest.fixture
def fake_cifar(monkeypatch):
    calls = []

    def load(split, download=True):
        calls.append((split, download))
        return _fake_cifar(split, download)

    monkeypatch.setattr(tasks, "load_cifar10", load)
    tasks._cifar_part.cache_clear()
    yield calls
    tasks._cifar_part.cache_clear()


def test_source_and_target_tasks_split_cifar_by_class_and_remap_labels(fake_cifar):
    x, y = tasks.source_task("train")
    assert x.dtype == torch.float32 and x.shape == (15, 3, 32, 32) and y.dtype == torch.int64
    original = (x[:, 0, 0, 0] * 255).round().long() // 10          # the class filled in
    assert torch.equal(original, y) and set(y.tolist()) == {0, 1, 2, 3, 4}
    x, y = tasks.target_task("test")
    original = (x[:, 0, 0, 0] * 255).round().long() // 10
    assert torch.equal(original, y + 5) and x.max() <= 1.0
    assert tasks.TARGET_CLASSES[0] == "dog" and tasks.SOURCE_CLASSES[-1] == "deer"
    tasks.source_task("train")
    assert fake_cifar.count(("train", True)) == 1                  # decoded arrays are kept


def test_the_target_test_set_is_uint8_and_never_downloads(fake_cifar, monkeypatch):
    images, labels = tasks.target_test_set()
    assert images.dtype == np.uint8 and images.shape == (10, 3, 32, 32)
    assert labels.tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4]
    assert fake_cifar == [("test", False)]
    images[:] = 0                                                   # a copy: cache untouched
    assert tasks.target_test_set()[0].max() > 0


def test_a_missing_data_set_raises_instead_of_downloading(course_dirs_empty):
    tasks._cifar_part.cache_clear()
    with pytest.raises(DataUnavailableError):
        tasks.target_test_set()


@pytest.fixture
def course_dirs_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    yield
    tasks._cifar_part.cache_clear()


def test_few_labels_is_balanced_seeded_and_in_order():
    y = torch.arange(5).repeat_interleave(40)[torch.randperm(200, generator=torch.Generator().manual_seed(1))]
    x = torch.arange(200.0)[:, None]
    xs, ys = tasks.few_labels(x, y, 7, seed=3)
    assert torch.bincount(ys).tolist() == [7] * 5
    assert torch.equal(ys, y[xs[:, 0].long()]) and torch.all(xs[1:, 0] > xs[:-1, 0])
    assert torch.equal(tasks.few_labels(x, y, 7, seed=3)[0], xs)
    assert not torch.equal(tasks.few_labels(x, y, 7, seed=4)[0], xs)
    assert tasks.few_labels(x, y, None)[0] is x
    with pytest.raises(ValueError, match="fewer"):
        tasks.few_labels(x, y, 41)


def test_fashion_task_pads_grey_images_to_three_channels(monkeypatch):
    images = np.full((10, 28, 28), 200, dtype=np.uint8)
    labels = np.arange(10, dtype=np.int64)
    monkeypatch.setattr(tasks, "load_fashion_mnist", lambda split: (images, labels))
    x, y = tasks.fashion_task("train")
    assert x.shape == (5, 3, 32, 32) and y.tolist() == [0, 1, 2, 3, 4]
    assert torch.equal(x[:, 0], x[:, 2])
    assert float(x[0, 0, 2, 2]) == pytest.approx(200 / 255) and float(x[0, 0, 1, 5]) == 0.0
    assert float(x[0, 0, 29, 29]) > 0 and float(x[0, 0, 30, 29]) == 0.0
