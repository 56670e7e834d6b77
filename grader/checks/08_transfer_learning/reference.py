"""Reference solutions for 08_transfer_learning: the specification the hidden checks use.

The solution notebook holds the same code (tests/grader/test_reference_is_the_solution.py).
"""

import torch
from torch import nn


def freeze(model, trainable=("head",)):
    """Freeze ``model`` in place (and return it): only the parameters inside the submodules
    named in ``trainable`` (dotted names, e.g. "head" or "backbone.layer4") keep
    ``requires_grad=True``; all others get ``requires_grad=False``. The batch norms of the
    frozen parts stay in eval mode even when a training loop calls ``model.train()``, so
    their running statistics never change; those of the trainable parts train normally."""
    if isinstance(trainable, str):
        trainable = (trainable,)

    def inside(name):
        return any(name == part or name.startswith(part + ".") for part in trainable)

    def stay_in_eval(module):
        # model.train() calls train(True) on every submodule: this one stays in eval mode
        return lambda mode=True: nn.Module.train(module, False)

    for name, parameter in model.named_parameters():
        parameter.requires_grad_(inside(name))
    for name, module in model.named_modules():
        if not isinstance(module, nn.modules.batchnorm._BatchNorm):
            continue
        if inside(name):
            module.__dict__.pop("train", None)   # frozen by an earlier call, trainable now
            module.train(model.training)
        else:
            module.train = stay_in_eval(module)
            module.eval()
    return model


def replace_head(model, num_classes):
    """Replace ``model.head`` (an ``nn.Linear``) in place by a new, randomly initialised and
    trainable ``nn.Linear`` with the same ``in_features`` and ``num_classes`` outputs; the
    rest of the model is left as it was. Returns the model."""
    old = model.head
    model.head = nn.Linear(old.in_features, num_classes).to(old.weight.device, old.weight.dtype)
    return model


def count_trainable(model):
    """The number of trainable numbers (elements of parameters with ``requires_grad``) in
    ``model``; a parameter shared by two modules counts once."""
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)


def extract_features(backbone, loader):
    """Run ``backbone`` over every ``(images, labels)`` batch of ``loader``, in eval mode and
    without recording gradients. Returns ``(features, labels)``: float tensor (N, D) and int
    tensor (N,), in the loader's order. The backbone's train/eval mode is restored."""
    was_training = backbone.training
    backbone.eval()
    features, labels = [], []
    with torch.no_grad():
        for images, targets in loader:
            features.append(backbone(images))
            labels.append(targets)
    backbone.train(was_training)
    return torch.cat(features), torch.cat(labels)


def param_groups(model, lr_backbone, lr_head):
    """Parameter groups for an optimiser: the trainable parameters outside ``model.head``
    with learning rate ``lr_backbone``, those of ``model.head`` with ``lr_head``; frozen
    parameters are left out. ``torch.optim.SGD(param_groups(...), lr=...)`` accepts it."""
    head = {id(parameter) for parameter in model.head.parameters()}
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    return [{"params": [p for p in trainable if id(p) not in head], "lr": lr_backbone},
            {"params": [p for p in trainable if id(p) in head], "lr": lr_head}]
