"""The transfer-learning network of notebook 08: a ResNet-18 trunk (``Backbone``) and a head.

    net = TransferNet(num_classes=5, width=32)    # half-width ResNet-18, 5 classes
    features = net.backbone(images)               # (N, 3, H, W) in [0, 1] -> (N, 8 * width)
    scores = net(images)                          # (N, num_classes) = head(backbone(images))

The backbone carries its own input handling (buffers, so checkpoints carry them): the
mean and standard deviation it normalises with and the square input size it resizes
images to (no resize when they already have that size). Its parts are named by stage,
``STAGES`` lists them from the input up, and ``trainable_after(k)`` names what stays
trainable when the first ``k`` of them are frozen.

``TransferNet()`` built with no arguments loads the weights of ANY TransferNet: its
``load_state_dict`` first rebuilds it to the checkpoint's width and number of classes
(read from the weight shapes), then loads strictly. ``from_torchvision(state_dict)``
turns torchvision's ResNet-18 (ImageNet) weights into a ``TransferNet(width=64,
num_classes=1000)``.
"""

import torch
import torch.nn.functional as F
from torch import nn

from source_lib.architectures import ResNet18

__all__ = [
    "CIFAR_MEAN",
    "CIFAR_STD",
    "IMAGENET_INPUT_SIZE",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "STAGES",
    "Backbone",
    "TransferNet",
    "from_torchvision",
    "trainable_after",
]

# per-channel statistics of the CIFAR-10 training images (RGB, values in [0, 1])
CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
# the normalisation torchvision's ImageNet weights were trained with
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
# ImageNet networks see 224x224 images; 32x32 CIFAR images upsampled to 64x64 keep the
# last stage at 2x2 instead of 1x1 (better features) at 1/12 of the cost of 224x224: the
# price of running a full-width ResNet-18 on a laptop CPU.
IMAGENET_INPUT_SIZE = 64

STAGES = ("backbone.stem", "backbone.layer1", "backbone.layer2", "backbone.layer3",
          "backbone.layer4")


def trainable_after(k):
    """Names (prefixes of parameter names) that stay trainable when the first ``k`` of
    ``STAGES`` (0..5) are frozen: the remaining stages, then always ``"head"``."""
    if not 0 <= int(k) <= len(STAGES):
        raise ValueError(f"k must be between 0 and {len(STAGES)}, got {k}")
    return STAGES[int(k):] + ("head",)


class Backbone(nn.Module):
    """ResNet-18 without its classifier: images (N, 3, H, W) float in [0, 1] -> features
    (N, 8 * width) (global average of the last stage's maps).

    Submodules: ``stem`` (conv1 7x7/2, bn1, relu, maxpool: indices 0-3), ``layer1`` ..
    ``layer4`` (two BasicBlocks each, ``width``, 2, 4 and 8 times ``width`` channels) and
    ``pool``. Buffers: ``mean``, ``std`` (3,) and ``input_size`` (a scalar: images are
    resized bilinearly to ``input_size`` x ``input_size`` first, unless already that size).
    """

    def __init__(self, width=32, mean=CIFAR_MEAN, std=CIFAR_STD, input_size=32):
        super().__init__()
        trunk = ResNet18(width=int(width))     # torchvision's layout, so ImageNet weights fit
        self.width = int(width)
        self.stem = nn.Sequential(trunk.conv1, trunk.bn1, trunk.relu, trunk.maxpool)
        self.layer1, self.layer2 = trunk.layer1, trunk.layer2
        self.layer3, self.layer4 = trunk.layer3, trunk.layer4
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.register_buffer("input_size", torch.tensor(int(input_size)))

    @property
    def out_features(self):
        """Length of one feature vector: 8 * width."""
        return 8 * self.width

    def forward(self, x):
        size = int(self.input_size)
        if tuple(x.shape[-2:]) != (size, size):
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False,
                              antialias=True)
        x = (x - self.mean.view(1, 3, 1, 1)) / self.std.view(1, 3, 1, 1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))
        return torch.flatten(self.pool(x), 1)


def _shape_of(state_dict):
    """(width, num_classes) of TransferNet weights, read from the stem's and head's shapes."""
    try:
        width = state_dict["backbone.stem.0.weight"].shape[0]
        num_classes = state_dict["head.weight"].shape[0]
    except (KeyError, AttributeError, IndexError):
        return None
    return int(width), int(num_classes)


class TransferNet(nn.Module):
    """``backbone`` (a :class:`Backbone`) and ``head`` (``nn.Linear(8 * width,
    num_classes)``): images (N, 3, H, W) in [0, 1] -> class scores (N, num_classes).

    ``TransferNet()`` (no arguments) loads any TransferNet's weights: ``load_state_dict``
    rebuilds the network to the saved width and number of classes first (the backbone's
    mean, std and input size come with the weights), then loads strictly.
    """

    STAGES = STAGES
    trainable_after = staticmethod(trainable_after)

    def __init__(self, num_classes=5, width=32, **backbone_options):
        super().__init__()
        self.backbone = Backbone(width=width, **backbone_options)
        self.head = nn.Linear(self.backbone.out_features, int(num_classes))

    def forward(self, x):
        return self.head(self.backbone(x))

    def adapt_to_state_dict(self, state_dict):
        """Rebuild to the width and number of classes of ``state_dict`` if they differ
        (fresh weights, on the same device and dtype). Unknown layouts are left alone: the
        strict load that follows names what does not fit."""
        shape = _shape_of(state_dict)
        if shape is None or shape == (self.backbone.width, self.head.out_features):
            return
        reference = self.head.weight
        width, num_classes = shape
        self.backbone = Backbone(width=width).to(reference.device)
        self.head = nn.Linear(8 * width, num_classes).to(reference.device, reference.dtype)

    def load_state_dict(self, state_dict, strict=True, assign=False):
        self.adapt_to_state_dict(state_dict)
        return super().load_state_dict(state_dict, strict=strict, assign=assign)


def from_torchvision(state_dict, input_size=IMAGENET_INPUT_SIZE):
    """A ``TransferNet(width=64, num_classes=1000)`` holding torchvision ResNet-18 weights
    (keys ``conv1.weight``, ``bn1.*``, ``layer1.0.conv1.weight``, ..., ``fc.weight``):
    ``conv1``/``bn1`` go to ``backbone.stem.0``/``backbone.stem.1``, ``layerK`` to
    ``backbone.layerK``, ``fc`` to ``head``. The backbone normalises with ImageNet's mean
    and std and resizes images to ``input_size`` (64 by default: see IMAGENET_INPUT_SIZE).
    Raises ``KeyError`` naming any key that has no place (or any place left empty)."""
    renames = {"conv1.": "backbone.stem.0.", "bn1.": "backbone.stem.1.", "fc.": "head."}
    converted = {}
    for key, tensor in state_dict.items():
        prefix = next((p for p in renames if key.startswith(p)), None)
        if prefix is not None:
            converted[renames[prefix] + key[len(prefix):]] = tensor
        elif key.startswith("layer"):
            converted["backbone." + key] = tensor
        else:
            raise KeyError(f"{key!r} is not a torchvision ResNet-18 key")
    width = converted["backbone.stem.0.weight"].shape[0]
    num_classes = converted["head.weight"].shape[0]
    net = TransferNet(num_classes=num_classes, width=width, mean=IMAGENET_MEAN,
                      std=IMAGENET_STD, input_size=input_size)
    buffers = {name: net.state_dict()[name] for name in
               ("backbone.mean", "backbone.std", "backbone.input_size")}
    missing = sorted(set(net.state_dict()) - set(converted) - set(buffers))
    if missing:
        raise KeyError(f"the torchvision weights lack {missing[:5]}")
    net.load_state_dict({**converted, **buffers})
    return net
