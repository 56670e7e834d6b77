"""Implementations of 07's graded building blocks written the ways students write them
(tests only). Right ones must get full marks; each wrong one names the part it must lose
points on and a phrase its message must contain."""

IMPORTS = """
import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
"""

# ---------------------------------------------------------------- random_crop_flip, right
CROP_GATHER = """
def random_crop_flip(x, padding=4):
    n, c, h, w = x.shape
    padded = F.pad(x, [padding] * 4)
    dy = torch.randint(0, 2 * padding + 1, (n,))
    dx = torch.randint(0, 2 * padding + 1, (n,))
    rows = dy[:, None] + torch.arange(h)
    cols = dx[:, None] + torch.arange(w)
    flip = torch.rand(n) < 0.5
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    return padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None],
                  rows[:, None, :, None], cols[:, None, None, :]]
"""
CROP_UNFOLD = """
def random_crop_flip(x, padding=4):
    n, _, h, w = x.shape
    flip = torch.rand(n) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    windows = F.pad(x, (padding,) * 4).unfold(2, h, 1).unfold(3, w, 1)
    i = torch.randint(0, 2 * padding + 1, (n,))
    j = torch.randint(0, 2 * padding + 1, (n,))
    return windows[torch.arange(n), :, i, j]
"""
CROP_GRID_SAMPLE = """
def random_crop_flip(x, padding=4):
    n, c, h, w = x.shape
    shift = torch.randint(-padding, padding + 1, (n, 2)).float()
    sign = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 1, 1] = sign, 1.0
    theta[:, 0, 2], theta[:, 1, 2] = shift[:, 1] * 2 / w, shift[:, 0] * 2 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="nearest", padding_mode="zeros", align_corners=False)
"""

# ---------------------------------------------------------------- random_crop_flip, wrong
LOOP_OVER_IMAGES = """
def random_crop_flip(x, padding=4):
    out = torch.empty_like(x)
    padded = F.pad(x, [padding] * 4)
    for k in range(x.shape[0]):
        i, j = torch.randint(0, 2 * padding + 1, (2,)).tolist()
        image = padded[k, :, i:i + x.shape[2], j:j + x.shape[3]]
        out[k] = image.flip(2) if torch.rand(()) < 0.5 else image
    return out
"""
CROP_WRONG = {
    "vertical_flip": (CROP_GATHER.replace("cols = torch.where(flip[:, None], cols.flip(1), cols)",
                                          "rows = torch.where(flip[:, None], rows.flip(1), rows)"),
                      "upside down"),
    "one_shift_per_batch": (CROP_UNFOLD.replace("(n,))\n    j", "(1,)).repeat(n)\n    j")
                            .replace("(n,))\n    return", "(1,)).repeat(n)\n    return"),
                            "same shift"),
    "one_coin_per_batch": (CROP_UNFOLD.replace("flip = torch.rand(n) < 0.5",
                                               "flip = (torch.rand(1) < 0.5).repeat(n)"),
                           "every image was mirrored or none"),
    "reflect_padding": (CROP_UNFOLD.replace("F.pad(x, (padding,) * 4)",
                                            "F.pad(x, (padding,) * 4, mode='reflect')"),
                        "not zero"),
    "randint_off_by_one": (CROP_GATHER.replace("2 * padding + 1", "2 * padding"),
                           "never reach both"),
    "padding_ignored": (CROP_UNFOLD.replace("def random_crop_flip(x, padding=4):",
                                            "def random_crop_flip(x, padding=4):\n    padding = 4"),
                        "must stay within `padding`"),
    "numpy_random": (CROP_GATHER.replace("flip = torch.rand(n) < 0.5",
                                         "flip = torch.from_numpy(np.random.rand(n) < 0.5)"),
                     "not with random or numpy"),
    "flips_input_in_place": ("""
def random_crop_flip(x, padding=4):
    n, _, h, w = x.shape
    flip = torch.rand(n) < 0.5
    x[flip] = x[flip].flip(3)
    windows = F.pad(x, (padding,) * 4).unfold(2, h, 1).unfold(3, w, 1)
    i = torch.randint(0, 2 * padding + 1, (n,))
    j = torch.randint(0, 2 * padding + 1, (n,))
    return windows[torch.arange(n), :, i, j]
""", "changed the tensor it was given"),
    "loop_over_images": (LOOP_OVER_IMAGES, "loops over the images"),
    # the same loop compiled under an installed file's name: still counted
    "loop_in_exec": (f'''
_LOOP_SOURCE = {LOOP_OVER_IMAGES.replace("def random_crop_flip", "def augment_each")!r}


def random_crop_flip(x, padding=4):
    namespace = {{"torch": torch, "F": F}}
    exec(compile(_LOOP_SOURCE, torch.__file__, "exec"), namespace)
    return namespace["augment_each"](x, padding)
''', "loops over the images"),
    "returns_padded_size": (CROP_UNFOLD.replace("return windows[torch.arange(n), :, i, j]",
                                                "return F.pad(windows[torch.arange(n), :, i, j], [1] * 4)"),
                            "crop back"),
}

# ---------------------------------------------------------------- blocks, right
BLOCKS_PLAIN = """
class ConvBNReLU(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=(3, 3), stride=1, padding=1)
        self.norm = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.norm(self.conv(x)))


class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.c1, self.n1 = nn.Conv2d(c_in, c_out, 3, stride, 1), nn.BatchNorm2d(c_out)
        self.c2, self.n2 = nn.Conv2d(c_out, c_out, 3, 1, 1), nn.BatchNorm2d(c_out)
        self.needs_projection = stride != 1 or c_in != c_out
        if self.needs_projection:
            self.proj = nn.Conv2d(c_in, c_out, 1, stride)
            self.proj_norm = nn.BatchNorm2d(c_out)

    def forward(self, x):
        skip = self.proj_norm(self.proj(x)) if self.needs_projection else x
        out = torch.relu(self.n1(self.c1(x)))
        out = self.n2(self.c2(out))
        out += skip
        return torch.relu(out)
"""
BLOCKS_SEQUENTIAL = """
class ConvBNReLU(nn.Sequential):
    def __init__(self, c_in, c_out):
        super().__init__(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, 1, 1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, stride, 1), nn.BatchNorm2d(c_out))
        self.project = None
        if (c_in, stride) != (c_out, 1):
            self.project = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride), nn.BatchNorm2d(c_out))
        self.act = nn.ReLU()

    def forward(self, x):
        skip = x if self.project is None else self.project(x)
        return self.act(self.branch(x) + skip)
"""
CIFARNET = """
class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = ConvBNReLU(3, 16)
        self.blocks = nn.Sequential(ResidualBlock(16, 16, 1), ResidualBlock(16, 32, 2))
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))
"""

# ---------------------------------------------------------------- blocks, wrong
# name -> (source, the part(s) losing points, a phrase of the first part's message)
BLOCK_WRONG = {
    "relu_before_add": (BLOCKS_PLAIN.replace(
        "out = self.n2(self.c2(out))\n        out += skip\n        return torch.relu(out)",
        "out = torch.relu(self.n2(self.c2(out)))\n        return out + skip"), "test_residual_block",
        "the ReLU must come after the addition"),
    "no_projection": (BLOCKS_PLAIN.replace("stride != 1 or c_in != c_out", "False"),
                      ("test_residual_block", "test_cifarnet"),   # its CifarNet cannot run
                      "the shortcut must be a 1x1 convolution"),
    "always_projection": (BLOCKS_PLAIN.replace("stride != 1 or c_in != c_out", "True"),
                          "test_residual_block", "the shortcut is the identity"),
    "relu_before_bn": (BLOCKS_PLAIN.replace("return self.relu(self.norm(self.conv(x)))",
                                            "return self.norm(self.relu(self.conv(x)))"),
                       "test_conv_bn_relu", "ReLU before the batch norm"),
}
