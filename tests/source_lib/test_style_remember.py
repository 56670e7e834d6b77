"""source_lib.style.remember: notebook 09's precomputed pictures run once, are read back in
memory and from disk (a new session), and run again when the code, model, images or settings
change; code without readable source is never persisted."""

import pytest
import torch
from data_fixtures import course_dirs  # noqa: F401  (autouse: temporary COURSE_CACHE_DIR)
from torch import nn

from source_lib.config import cache_dir
from source_lib.style.remember import _source, forget_remembered, remembered


def run_a(x):
    return x + 1


def run_b(x):
    return x + 2


class Extractor:
    def __init__(self, layers):
        self.layers = layers


@pytest.fixture
def calls():
    forget_remembered()
    counter = {"n": 0}
    yield counter
    forget_remembered()


def make_compute(counter, value=0.5):
    def compute():
        counter["n"] += 1
        return {("α/β = 10/40", "all layers"): torch.full((1, 3, 4, 4), value),
                ("α/β = 10/1e7", "all layers"): torch.rand(1, 3, 4, 4),
                "plain key": torch.zeros(1, 3, 4, 4)}
    return compute


def call(counter, code=(run_a, Extractor), model=None, tensors=None, settings=None, value=0.5):
    model = model if model is not None else nn.Conv2d(3, 2, 3)
    tensors = tensors if tensors is not None else (torch.ones(1, 3, 4, 4),)
    return remembered("explorer", make_compute(counter, value), code=code, model=model,
                      tensors=tensors, settings=settings or {"steps": 100})


def test_computed_once_then_read_back_in_memory_and_from_disk(calls):
    model = nn.Conv2d(3, 2, 3)
    first = call(calls, model=model)
    assert calls["n"] == 1 and not first.from_cache
    assert "3 pictures in" in first.describe("pictures")
    again = call(calls, model=model)
    assert calls["n"] == 1 and again.from_cache
    again[("α/β = 10/40", "all layers")].zero_()          # a caller's edit changes no copy
    forget_remembered()                                   # a new session: only the disk
    from_disk = call(calls, model=model)
    assert calls["n"] == 1 and from_disk.from_cache
    assert "read back from the cache" in from_disk.describe()
    assert list(from_disk) == list(first)                 # same keys (tuples kept), same order
    for key in first:
        assert torch.equal(from_disk[key], first[key])
    assert len(list((cache_dir() / "style_runs").glob("explorer-*.npz"))) == 1


def test_a_change_of_code_model_images_or_settings_runs_again(calls):
    model = nn.Conv2d(3, 2, 3)
    call(calls, model=model)
    call(calls, model=model, code=(run_b, Extractor))
    assert calls["n"] == 2
    call(calls, model=model, settings={"steps": 50})
    assert calls["n"] == 3
    call(calls, model=model, tensors=(torch.zeros(1, 3, 4, 4),))
    assert calls["n"] == 4
    with torch.no_grad():
        model.weight[0, 0, 0, 0] += 1
    call(calls, model=model)
    assert calls["n"] == 5
    call(calls, model=nn.Sequential(model, nn.AvgPool2d(2)))   # the same weights, other layout
    assert calls["n"] == 6


def test_classes_without_a_file_use_their_methods_source():
    namespace = {}
    exec("class Hidden:\n    def forward(self, x):\n        return x\n", namespace)
    assert _source(namespace["Hidden"]) is None           # exec keeps no source at all
    assert "self.layers = layers" in _source(Extractor)


def test_code_without_source_is_computed_each_session_and_never_written(calls):
    namespace = {}
    exec("def run(x):\n    return x\n", namespace)
    model = nn.Conv2d(3, 2, 3)
    call(calls, model=model, code=(namespace["run"],))
    forget_remembered()
    call(calls, model=model, code=(namespace["run"],))
    assert calls["n"] == 2
    assert not list((cache_dir() / "style_runs").glob("*.npz"))
