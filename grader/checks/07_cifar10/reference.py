"""Reference solutions for 07_cifar10: the specification the hidden checks use.

Trusted code: imported only by the grading process and the benchmark, never released (the
solution notebook holds the same code). Input convention of CifarNet, as the grader sends
it: float32 images (N, 3, 32, 32) with values in [0, 1]; output (N, 10) logits. The
normalisation to zero mean and unit variance per channel happens inside the model.
``train_epoch`` and ``evaluate`` are notebook 06's (its reference.py). ``prepare_model``
sets CifarNet's fixed whitening filters from training images before training
(benchmarks/bench_cifar.py calls it; its time counts as training time).

Measured (bench_cifar.py, 2 cores): 0.879 test accuracy after 10 epochs in 563 s with
``source_lib.training.cifar.cifar_recipe()``; the checkpoints/cifarnet.pt of seed 0 (float16
weights) scores 0.8791 loaded into a float32 CifarNet.
"""

import torch
from torch import nn
from torch.nn import functional as F

# per-channel pixel statistics of the CIFAR-10 training set (RGB, values in [0, 1])
CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


def random_crop_flip(x, padding=4):
    """Augment a batch ``x`` (N, C, H, W): every image is shifted by its own random offset
    (a random H x W crop of the image zero-padded by ``padding`` on each side, i.e. a
    translation by -padding..+padding pixels in each direction, zeros uncovered) and mirrored
    left-right (last axis) with probability 1/2. Tensor ops on the whole batch, no loop over
    the images; uses torch's global random generator (``torch.manual_seed`` repeats it).
    Returns a new tensor of the same shape and dtype; ``x`` is not changed."""
    n, c, h, w = x.shape
    padded = F.pad(x, [padding, padding, padding, padding])          # (N, C, H+2p, W+2p)
    top = torch.randint(0, 2 * padding + 1, (n,))                      # crop corner per image
    left = torch.randint(0, 2 * padding + 1, (n,))
    flip = torch.rand(n) < 0.5                                         # one coin per image
    steps = torch.arange(w)
    rows = top[:, None] + torch.arange(h)                              # (N, H) rows to read
    columns = left[:, None] + torch.where(flip[:, None], w - 1 - steps, steps)   # (N, W)
    # output[i, ch, r, q] = padded[i, ch, rows[i, r], columns[i, q]]: one gather over the
    # flattened padded images does the whole batch
    index = rows[:, :, None] * (w + 2 * padding) + columns[:, None, :]           # (N, H, W)
    index = index.view(n, 1, h * w).expand(n, c, h * w)
    return padded.flatten(2).gather(2, index).view(n, c, h, w)


class ConvBNReLU(nn.Module):
    """3x3 convolution (padding 1: same height and width, no bias: batch norm has one),
    batch norm, ReLU. (N, c_in, H, W) -> (N, c_out, H, W)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class ResidualBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)): two 3x3 convolutions (the first
    with ``stride``), each followed by batch norm; the shortcut is the identity when the
    shapes match (c_in == c_out and stride 1), else a 1x1 convolution with ``stride`` plus
    batch norm (a projection). The ReLU comes after the addition.
    (N, c_in, H, W) -> (N, c_out, ceil(H / stride), ceil(W / stride))."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        if stride == 1 and c_in == c_out:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                          nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class CifarNet(nn.Module):
    """Residual CNN for CIFAR-10: (N, 3, 32, 32) images in [0, 1] -> (N, 10) logits.

    normalise -> 2x2 patch-whitening convolution (24 fixed filters, set from the training
    images by ``prepare_model``; trainable bias) + ReLU          (N, 24, 31, 31)
    -> ConvBNReLU(24, 48), max-pool, ResidualBlock(48, 48)        (N, 48, 15, 15)
    -> ConvBNReLU(48, 128), max-pool                              (N, 128, 7, 7)
    -> ConvBNReLU(128, 192), max-pool, ResidualBlock(192, 192)    (N, 192, 3, 3)
    -> global max-pool, linear (no bias), logits scaled by 1/8    (N, 10)

    The forward pass runs in bfloat16 autocast (convolutions about 2x faster on a CPU with
    AVX-512; weights, batch-norm statistics and the returned logits stay float32). In eval
    mode it also scores every image mirrored left-right and adds the two logits (flip
    test-time augmentation: +0.6 to +1.0 points of test accuracy for twice the inference).
    """

    def __init__(self):
        super().__init__()
        # constants, not weights: left out of the state_dict (and of the checkpoint)
        self.register_buffer("mean", torch.tensor(CIFAR_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(CIFAR_STD).view(1, 3, 1, 1), persistent=False)
        self.whiten = nn.Conv2d(3, 24, kernel_size=2)          # 31x31 outputs, no padding
        self.whiten.weight.requires_grad_(False)                # fixed filters, see prepare_model
        self.features = nn.Sequential(
            ConvBNReLU(24, 48), nn.MaxPool2d(2), ResidualBlock(48, 48),
            ConvBNReLU(48, 128), nn.MaxPool2d(2),
            ConvBNReLU(128, 192), nn.MaxPool2d(2), ResidualBlock(192, 192),
            nn.AdaptiveMaxPool2d(1), nn.Flatten(),
        )
        self.classifier = nn.Linear(192, 10, bias=False)

    def logits(self, x):
        x = F.relu(self.whiten((x - self.mean) / self.std))
        return self.classifier(self.features(x)) * 0.125

    def forward(self, x):
        """x (N, 3, 32, 32) in [0, 1] -> logits (N, 10), float32."""
        with torch.autocast("cpu", dtype=torch.bfloat16):
            if self.training:
                logits = self.logits(x)
            else:   # flip TTA: the image and its mirror in one batch, their logits added
                both = self.logits(torch.cat([x, x.flip(-1)]))
                logits = both[:len(x)] + both[len(x):]
        return logits.float()


def prepare_model(model, train_images, n_images=5000):
    """Set ``model.whiten``'s filters from ``n_images`` training images (float32 in [0, 1],
    drawn at random: the JPEG copy is ordered class by class): patch whitening
    (``source_lib.training.cifar.patch_whitening``) of the images as the model normalises
    them. Called once, before training."""
    from source_lib.training.cifar import patch_whitening
    chosen = torch.randperm(len(train_images), generator=torch.Generator().manual_seed(0))
    images = (train_images[chosen[:n_images]] - model.mean) / model.std
    with torch.no_grad():
        model.whiten.weight.copy_(patch_whitening(images, kernel_size=2))
        model.whiten.bias.zero_()
