"""source_lib.transfer.backbones without the network: "course" with a tiny pretraining,
"imagenet" through a fake weights module, and "auto" falling back (with its reason) when
the ImageNet weights cannot be had."""

import sys
import types

import pytest
import torch
from data_fixtures import course_dirs  # noqa: F401  (autouse: temporary COURSE_CACHE_DIR)

import source_lib
from source_lib import pretrain as pretrain_module
from source_lib.architectures import resnet18
from source_lib.data import DataUnavailableError
from source_lib.pretrain import PretrainRecipe
from source_lib.transfer.backbones import load_backbone

pytestmark = pytest.mark.usefixtures("one_thread")

TINY = PretrainRecipe(epochs=1, batch_size=8, lr=0.05, width=4, threads=1)


@pytest.fixture(autouse=True)
def tiny_course_backbone(monkeypatch):
    generator = torch.Generator().manual_seed(0)
    data = (torch.rand(16, 3, 32, 32, generator=generator), torch.arange(16) % 5,
            torch.rand(5, 3, 32, 32, generator=generator), torch.arange(5))
    monkeypatch.setattr(pretrain_module, "RECIPE", TINY)
    monkeypatch.setattr(pretrain_module, "QUICK_RECIPE", TINY)
    monkeypatch.setattr(pretrain_module, "source_data", lambda recipe: data)
    monkeypatch.delenv("COURSE_BACKBONE", raising=False)


def _weights_module(monkeypatch, state_dict_function):
    fake = types.ModuleType("source_lib.weights")
    fake.imagenet_resnet18_state_dict = state_dict_function
    monkeypatch.setitem(sys.modules, "source_lib.weights", fake)
    monkeypatch.setattr(source_lib, "weights", fake, raising=False)


def test_the_course_backbone_says_what_it_is():
    model, info = load_backbone("course")
    assert info.kind == "course" and model.head.out_features == 5
    assert info.description.startswith("Backbone: ResNet-18 (half width")
    assert "airplane/automobile/bird/cat/deer" in info.description
    assert f"source test accuracy {info.meta['accuracy']:.2f}" in info.description


def test_imagenet_weights_become_a_full_width_transfer_net(monkeypatch):
    calls = []

    def fake_weights(download=True, progress=True):
        calls.append(download)
        return resnet18(width=64).state_dict()

    _weights_module(monkeypatch, fake_weights)
    monkeypatch.setenv("COURSE_BACKBONE", "imagenet")
    model, info = load_backbone()
    assert calls == [True] and info.kind == "imagenet" and info.imagenet_unavailable is None
    assert model.backbone.width == 64 and model.head.out_features == 1000
    assert "69.76 %" in info.description and "64x64" in info.description
    monkeypatch.setenv("COURSE_BACKBONE", "auto")
    assert load_backbone()[1].kind == "imagenet"


def test_auto_falls_back_to_the_course_backbone_and_says_why(monkeypatch):
    def offline(download=True, progress=True):
        raise DataUnavailableError("could not download resnet18-f37072fd.pth: no network")

    _weights_module(monkeypatch, offline)
    _, info = load_backbone("auto")
    assert info.kind == "course" and "no network" in info.imagenet_unavailable
    assert "ImageNet weights not used: could not download" in info.description
    with pytest.raises(DataUnavailableError):
        load_backbone("imagenet")


def test_auto_without_a_weights_module_uses_the_course_backbone(monkeypatch):
    monkeypatch.setitem(sys.modules, "source_lib.weights", None)    # import fails
    monkeypatch.delattr(source_lib, "weights", raising=False)
    _, info = load_backbone()
    assert info.kind == "course" and "no ImageNet weights module" in info.imagenet_unavailable


def test_auto_survives_a_broken_weights_module(monkeypatch):
    def broken(download=True, progress=True):
        raise TypeError("download() got an unexpected keyword argument")

    _weights_module(monkeypatch, broken)
    _, info = load_backbone()
    assert info.kind == "course" and info.imagenet_unavailable.startswith("TypeError: download()")
    with pytest.raises(TypeError):
        load_backbone("imagenet")


def test_an_unknown_choice_is_refused(monkeypatch):
    monkeypatch.setenv("COURSE_BACKBONE", "vgg")
    with pytest.raises(ValueError, match="COURSE_BACKBONE"):
        load_backbone()
