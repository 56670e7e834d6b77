"""Reference solutions for 06_fc_vs_cnn_fashionmnist: the specification the hidden checks use.

Trusted code: imported only by the grading process and the benchmark, never released (the
solution notebook holds the same code). Input convention of both models, as the grader
sends it: float32 images (N, 1, 28, 28) with values in [0, 1]; output (N, 10) logits. The
normalisation to zero mean and unit variance happens inside the models.
"""

import torch
from torch import nn
from torch.nn import functional as F

FASHION_MEAN, FASHION_STD = 0.286, 0.353  # pixel statistics of the training set


class MLP(nn.Module):
    """Dense network: 784 pixels -> 512 -> 256 -> 10 classes."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28, 512), nn.ReLU(),
            nn.Linear(512, 256), nn.ReLU(),
            nn.Linear(256, 10),
        )

    def forward(self, x):
        """x (N, 1, 28, 28) in [0, 1] -> logits (N, 10)."""
        return self.layers((x - FASHION_MEAN) / FASHION_STD)


def conv_block(c_in, c_out):
    """3x3 convolution (same size), 2x2 max-pool, batch norm, ReLU: halves height and width.

    Pooling comes first so that batch norm and ReLU work on 4x fewer values: about 1.5x
    faster training on a CPU than pooling last, and as accurate.
    """
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),  # BN has a bias
                         nn.MaxPool2d(2), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class SmallCNN(nn.Module):
    """Three convolution blocks, 28 -> 14 -> 7 -> 3 pixels, then a linear classifier."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            conv_block(1, 32),     # (N, 32, 14, 14)
            conv_block(32, 64),    # (N, 64, 7, 7)
            conv_block(64, 128),   # (N, 128, 3, 3)
        )
        self.classifier = nn.Linear(128 * 3 * 3, 10)

    def forward(self, x):
        """x (N, 1, 28, 28) in [0, 1] -> logits (N, 10)."""
        features = self.features((x - FASHION_MEAN) / FASHION_STD)
        return self.classifier(features.flatten(1))


def train_epoch(model, loader, optimizer, loss_fn):
    """One pass over ``loader``'s (x, y) batches; returns the mean loss over samples."""
    model.train()
    total_loss, seen = 0.0, 0
    for x, y in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(y)  # loss is a batch mean: weight it by the batch size
        seen += len(y)
    return total_loss / seen


def evaluate(model, loader):
    """(mean cross-entropy over samples, accuracy in [0, 1]) in eval mode, without gradients."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += F.cross_entropy(logits, y, reduction="sum").item()
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
    return total_loss / seen, correct / seen
