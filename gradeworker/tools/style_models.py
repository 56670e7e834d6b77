"""09: the tiny seeded networks style transfer is checked on, identical in the worker and in
the trusted process.

``TinyNet(seed)`` is not an ``nn.Sequential``: its ``forward`` calls nested blocks, so an
extractor must find layers by their dotted names (``model.named_modules()``) and cannot
slice the network. Every layer appends its name to ``model.ran`` when it runs, so a check
can see which layers an extractor let run (no hook is involved: hooks are what the
student's extractor is judged on).
"""

import torch
from torch import nn

# dotted names of the ReLUs, and of every layer, in the order the network computes them
RELUS = ("stem.1", "block1.1", "block1.3", "block2.1", "block2.3", "top.1")
LAYERS = ("stem.0", "stem.1", "block1.0", "block1.1", "block1.2", "block1.3", "block1.4",
          "block2.0", "block2.1", "block2.2", "block2.3", "block2.4", "top.0", "top.1")


class _Logged:
    """Mixin: record the layer's name in the network's log, then run the layer."""

    def forward(self, x):
        self.log.append(self.layer_name)
        return super().forward(x)


class LoggedConv(_Logged, nn.Conv2d):
    pass


class LoggedReLU(_Logged, nn.ReLU):
    pass


class LoggedPool(_Logged, nn.AvgPool2d):
    pass


class TinyNet(nn.Module):
    """3 -> 6 -> 8 -> 8 -> 10 channels, two average poolings; He-initialised from ``seed``."""

    def __init__(self, seed=0, width=(6, 8, 10)):
        super().__init__()
        a, b, c = width
        self.ran = []
        self.stem = nn.Sequential(LoggedConv(3, a, 3, padding=1), LoggedReLU())
        self.block1 = nn.Sequential(LoggedConv(a, b, 3, padding=1), LoggedReLU(),
                                    LoggedConv(b, b, 3, padding=1), LoggedReLU(), LoggedPool(2))
        self.block2 = nn.Sequential(LoggedConv(b, b, 3, padding=1), LoggedReLU(),
                                    LoggedConv(b, c, 3, padding=1), LoggedReLU(), LoggedPool(2))
        self.top = nn.Sequential(LoggedConv(c, c, 3, padding=1), LoggedReLU())
        generator = torch.Generator().manual_seed(int(seed))
        for name, module in self.named_modules():
            if isinstance(module, _Logged):
                module.layer_name, module.log = name, self.ran
            if isinstance(module, nn.Conv2d):
                fan_in = module.in_channels * module.kernel_size[0] * module.kernel_size[1]
                with torch.no_grad():
                    module.weight.copy_(torch.randn(module.weight.shape, generator=generator)
                                        * (2.0 / fan_in) ** 0.5)
                    module.bias.copy_(0.1 * torch.randn(module.bias.shape, generator=generator))

    def forward(self, x):
        return self.top(self.block2(self.block1(self.stem(x))))


def activations(model, x, names, inputs=False):
    """The outputs (``inputs``: the inputs) of the layers ``names`` on ``x``, in that
    order, computed by running the network layer by layer (the checks' own extractor: no
    hooks, no student code)."""
    found = {}
    for block in (model.stem, model.block1, model.block2, model.top):
        for layer in block:
            before, x = x, layer(x)
            found[layer.layer_name] = before if inputs else x
    return [found[name] for name in names]


def hook_count(model):
    """Forward (pre-)hooks currently registered on any module of ``model``."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def images(seed, size=24, n=2):
    """A content and a style image, (1, 3, size, size) float32 in [0, 1], seeded: the
    content smooth colour waves, the style sharp diagonal stripes in other colours (so
    their styles differ as much as their contents). ``n=1``: the content image only."""
    generator = torch.Generator().manual_seed(int(seed))
    ramp = torch.linspace(0, 1, size)
    phase = torch.rand(3, 1, 1, generator=generator) * 6.28
    waves = torch.sin(ramp[None, :, None] * 7 + phase) * torch.cos(ramp[None, None, :] * 5)
    content = 0.5 + 0.3 * waves + 0.1 * torch.rand(3, size, size, generator=generator)
    diagonal = (torch.arange(size)[:, None] + torch.arange(size)[None, :]) % 6 < 3
    colours = torch.rand(2, 3, 1, 1, generator=generator)
    style = torch.where(diagonal[None], colours[0], colours[1])
    style = style + 0.05 * torch.rand(3, size, size, generator=generator)
    return [x.clamp(0, 1)[None].float() for x in (content, style)][:n]
