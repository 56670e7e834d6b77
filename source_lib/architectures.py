"""Four reference CNNs as plain PyTorch modules (no torchvision needed).

    from source_lib.architectures import lenet5, alexnet, vgg16, resnet18, ARCHITECTURES
    model = alexnet(device="meta")     # "meta": shapes only, no memory for 61M weights

The layer layout (module names, order, bias choices) follows torchvision, so the parameter
counts equal the published ones: AlexNet 61,100,840; VGG-16 138,357,544; ResNet-18
11,689,512. LeNet-5 is the classic 1998 layout on 32x32 gray images (61,706 parameters).
These are modules only: counting their parameters and cost is the notebook's exercise.
"""

import torch
from torch import nn

# (input shape for one image, constructor) of each reference network
INPUT_SHAPES = {"LeNet-5": (1, 1, 32, 32), "AlexNet": (1, 3, 224, 224),
                "VGG-16": (1, 3, 224, 224), "ResNet-18": (1, 3, 224, 224)}


class LeNet5(nn.Module):
    """LeCun et al. 1998: conv 5x5 (6) - pool - conv 5x5 (16) - pool - FC 120 - 84 - 10."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2),
            nn.Conv2d(6, 16, kernel_size=5), nn.Tanh(), nn.AvgPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.Tanh(),
            nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(self.features(x))


class AlexNet(nn.Module):
    """torchvision's AlexNet (the single-GPU "one weird trick" variant, 64-192-384-256-256)."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
            nn.Dropout(p=dropout), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


VGG16_LAYERS = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
                512, 512, 512, "M")


class VGG16(nn.Module):
    """torchvision's VGG-16 (configuration "D", no batch norm)."""

    def __init__(self, num_classes=1000, dropout=0.5):
        super().__init__()
        layers, channels = [], 3
        for item in VGG16_LAYERS:
            if item == "M":
                layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            else:
                layers += [nn.Conv2d(channels, item, kernel_size=3, padding=1),
                           nn.ReLU(inplace=True)]
                channels = item
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


class BasicBlock(nn.Module):
    """Two 3x3 convolutions (no bias: batch norm follows) plus the identity or a 1x1 shortcut."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU(inplace=True)          # one module, called twice (as torchvision)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNet18(nn.Module):
    """torchvision's ResNet-18: stem 7x7/2 + max pool, four stages of two BasicBlocks.

    ``width`` is the stem's and first stage's channel count; the stages have ``width``,
    ``2 * width``, ``4 * width`` and ``8 * width`` channels (64 = torchvision's; 32, "half
    width", has about a quarter of the parameters). The state-dict keys do not depend on it.
    """

    def __init__(self, num_classes=1000, width=64):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        stages, channels = [], width
        for stage_width, stride in [(width, 1), (2 * width, 2), (4 * width, 2), (8 * width, 2)]:
            stages.append(nn.Sequential(BasicBlock(channels, stage_width, stride),
                                        BasicBlock(stage_width, stage_width)))
            channels = stage_width
        self.layer1, self.layer2, self.layer3, self.layer4 = stages
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(8 * width, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _build(cls, device, **kwargs):
    # "meta" builds the module without allocating or initialising its weights: VGG-16's
    # 138M parameters would otherwise take ~0.5 GB and seconds of random initialisation.
    with torch.device(device or "cpu"):
        return cls(**kwargs)


def lenet5(device=None, **kwargs):
    return _build(LeNet5, device, **kwargs)


def alexnet(device=None, **kwargs):
    return _build(AlexNet, device, **kwargs)


def vgg16(device=None, **kwargs):
    return _build(VGG16, device, **kwargs)


def resnet18(device=None, **kwargs):
    return _build(ResNet18, device, **kwargs)


ARCHITECTURES = {"LeNet-5": lenet5, "AlexNet": alexnet, "VGG-16": vgg16, "ResNet-18": resnet18}
