"""08: the models transfer-learning checks run the student's functions on, built from specs.

A spec is JSON: a dict maps child names to specs (an ``Assembly``: its children run one after
the other), a list is an ``nn.Sequential`` of its items, ``[type, kwargs]`` is one torch.nn
layer, and ``["Shared", "dotted.name"]`` registers, under a second name, a module built
earlier (its parameters are then shared). Both processes build the same seeded model: the
trusted side runs the reference and the wrong versions on it. The names are not the
notebook's: a function written only for ``TransferNet`` shows it here.
"""

import torch
from torch import nn

_LAYERS = ("Conv2d", "Linear", "BatchNorm2d", "BatchNorm1d", "ReLU", "MaxPool2d",
           "AdaptiveAvgPool2d", "Flatten", "Dropout")
BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
INPUT_SHAPE = (3, 8, 8)


class Assembly(nn.Module):
    """Named children applied in order (a Sequential whose children have names)."""

    def forward(self, x):
        for child in self.children():
            x = child(x)
        return x


class RecordingBackbone(Assembly):
    """An Assembly that records, for every forward pass, the train/eval mode of its batch
    norms, whether autograd recorded the output, and the tag of every image (pixel [0, 0, 0]
    holds a distinct number per image), so a check can say what the student's code did."""

    def __init__(self):
        super().__init__()
        self.records = []

    def forward(self, x):
        out = super().forward(x)
        norms = [m.training for m in self.modules() if isinstance(m, BATCH_NORMS)]
        self.records.append({"train_mode": any(norms), "recorded": bool(out.requires_grad),
                             "tags": x.detach()[:, 0, 0, 0].double().tolist()})
        return out


def _build(spec, path, made, recording=False):
    """The module of ``spec`` at dotted ``path``; ``made`` maps the paths built so far to
    their modules (what a "Shared" entry refers to)."""
    if isinstance(spec, dict):
        module = RecordingBackbone() if recording and path == "backbone" else Assembly()
        for name, child in spec.items():
            module.add_module(name, _build(child, f"{path}.{name}" if path else name, made,
                                           recording))
    elif isinstance(spec, list) and len(spec) == 2 and isinstance(spec[0], str):
        kind, arg = spec
        if kind == "Shared":
            return made[arg]
        if kind not in _LAYERS:
            raise ValueError(f"unknown layer type {kind!r}")
        module = getattr(nn, kind)(**arg)
    else:
        module = nn.Sequential(*[_build(item, f"{path}.{i}", made, recording)
                                 for i, item in enumerate(spec)])
    made[path] = module
    return module


def build(spec, seed=0, recording=False):
    """The seeded model of ``spec`` (a dict) in train mode, with batch-norm statistics that
    are not the defaults (so eval and train mode differ, and a change shows). With
    ``recording``, its ``backbone`` is a RecordingBackbone."""
    torch.manual_seed(int(seed))
    model = _build(spec, "", {}, recording)
    generator = torch.Generator().manual_seed(int(seed) + 1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, BATCH_NORMS) and module.running_mean is not None:
                module.running_mean.uniform_(-0.5, 0.5, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)
    return model.train()


def batch(n, seed, n_classes, shape=INPUT_SHAPE):
    """(images (n, *shape), labels (n,)): seeded; pixel [0, 0, 0] of image i is a tag
    (1000 + i) / 1000 that a RecordingBackbone reads back."""
    generator = torch.Generator().manual_seed(int(seed))
    x = torch.rand(int(n), *shape, generator=generator)
    x[:, 0, 0, 0] = (1000 + torch.arange(int(n), dtype=torch.float32)) / 1000
    y = torch.randint(0, int(n_classes), (int(n),), generator=generator)
    return x, y


def batch_norm_names(model):
    return [name for name, module in model.named_modules() if isinstance(module, BATCH_NORMS)]


def statistics(model):
    """{batch-norm name: its running mean and variance as one flat tensor (cloned)}."""
    return {name: torch.cat([module.running_mean, module.running_var]).clone()
            for name, module in model.named_modules()
            if isinstance(module, BATCH_NORMS) and module.running_mean is not None}


def changed(before, after):
    """Sorted names whose tensor is not bit-identical (or disappeared)."""
    return sorted(name for name, value in before.items()
                  if name not in after or not torch.equal(value, after[name]))


def parameters_of(model):
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def inside(name, parts):
    """True when the dotted ``name`` is one of ``parts`` or lies inside one of them."""
    return any(name == part or name.startswith(part + ".") for part in parts)


def freeze_by_name(model, frozen):
    """``model`` with the parameters under the dotted names ``frozen`` made non-trainable
    (the checks' own way, so a test of one function never depends on the student's freeze)."""
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(not inside(name, frozen))
    return model
