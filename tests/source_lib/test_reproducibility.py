"""Tests for source_lib.reproducibility: seeding, device choice, thread count."""

import random
import warnings

import numpy as np
import pytest
import torch

from source_lib import reproducibility
from source_lib.reproducibility import get_device, seed_everything, set_num_threads


@pytest.fixture
def restore_threads(monkeypatch):
    monkeypatch.delenv("COURSE_MAX_THREADS", raising=False)   # the suite's workers set it
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def no_env_device(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)


def _draws():
    return random.random(), np.random.rand(3).tolist(), torch.rand(3).tolist()


def test_seed_everything_repeats_all_generators_and_returns_seed():
    assert seed_everything(123) == 123
    first = _draws()
    seed_everything(123)
    assert _draws() == first
    seed_everything(124)
    assert _draws() != first


def test_seed_everything_accepts_large_seeds():
    assert seed_everything(2**40 + 5) == 2**40 + 5
    a = np.random.rand()
    seed_everything(2**40 + 5)
    assert np.random.rand() == a


def test_get_device_defaults_to_cpu_without_cuda(monkeypatch, no_env_device):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert get_device() == torch.device("cpu")
    assert get_device("auto") == torch.device("cpu")


def test_get_device_picks_cuda_when_available(monkeypatch, no_env_device):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device().type == "cuda"


def test_environment_overrides_prefer(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert get_device("cuda") == torch.device("cpu")
    assert get_device() == torch.device("cpu")


def test_unavailable_accelerator_falls_back_to_cpu_with_warning(monkeypatch, no_env_device):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(RuntimeWarning, match="not available"):
        assert get_device("cuda:0") == torch.device("cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_device(torch.device("cpu")) == torch.device("cpu")


def test_invalid_device_names_the_source(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "gpu-please")
    with pytest.raises(ValueError, match="COURSE_DEVICE"):
        get_device()
    monkeypatch.delenv("COURSE_DEVICE")
    with pytest.raises(ValueError, match="prefer"):
        get_device("not-a-device")


def test_set_num_threads_default_is_capped(restore_threads, monkeypatch):
    torch.set_num_threads(16)
    monkeypatch.setattr(reproducibility, "_cpu_count", lambda: 8)
    assert set_num_threads() == 4
    assert torch.get_num_threads() == 4
    monkeypatch.setattr(reproducibility, "_cpu_count", lambda: 2)
    assert set_num_threads() == 2


def test_set_num_threads_keeps_a_smaller_existing_setting(restore_threads):
    torch.set_num_threads(1)
    assert set_num_threads() == 1


def test_course_max_threads_caps_every_request(restore_threads, monkeypatch):
    monkeypatch.setenv("COURSE_MAX_THREADS", "1")
    assert set_num_threads(3) == 1 and torch.get_num_threads() == 1
    monkeypatch.setenv("COURSE_MAX_THREADS", "not a number")    # ignored, not a crash
    assert set_num_threads(2) == 2


def test_set_num_threads_explicit_and_invalid(restore_threads):
    assert set_num_threads(3) == 3
    assert torch.get_num_threads() == 3
    with pytest.raises(ValueError, match=">= 1"):
        set_num_threads(0)
