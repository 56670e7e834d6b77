"""Wrong versions of 08's functions, run on the same spec models as the student's (the
trusted side), and the messages that name each mistake. Loaded with
``load_reference(__file__, "misconceptions")``.
"""

import torch
from torch import nn

from gradeworker.tools.transfer_models import inside

BATCH_NORM = nn.modules.batchnorm._BatchNorm


def _set_flags(model, keep):
    for name, parameter in model.named_parameters():
        parameter.requires_grad_(keep(name))
    return model


# ---------------------------------------------------------------- freeze
def freeze_flags_only(model, trainable=("head",)):
    return _set_flags(model, lambda name: inside(name, trainable))


def freeze_then_eval(model, trainable=("head",)):
    _set_flags(model, lambda name: inside(name, trainable))
    for name, module in model.named_modules():
        if isinstance(module, BATCH_NORM) and not inside(name, trainable):
            module.eval()
    return model


def freeze_everything(model, trainable=("head",)):
    return _set_flags(model, lambda name: False)


def freeze_inverted(model, trainable=("head",)):
    return _set_flags(model, lambda name: not inside(name, trainable))


def freeze_top_level_names(model, trainable=("head",)):
    for name, child in model.named_children():
        for parameter in child.parameters():
            parameter.requires_grad_(name in trainable)
    return model


FREEZE_FLAG_MISTAKES = [
    (freeze_everything, "every parameter is frozen, the parts named in `trainable` too: "
                        "the new head could not learn"),
    (freeze_inverted, "it is the wrong way round: the parts named in `trainable` are frozen "
                      "and the rest trains"),
    (freeze_top_level_names, "only the model's direct children are matched against "
                             "`trainable`: a dotted name such as \"backbone.layer4\" names a "
                             "part inside a child (compare with `model.named_parameters()` "
                             "names)"),
]
def freeze_never_unfreezes(model, trainable=("head",)):
    for name, parameter in model.named_parameters():
        if not inside(name, trainable):
            parameter.requires_grad_(False)
    return model


NESTED_MISTAKES = FREEZE_FLAG_MISTAKES[2:]
UNFREEZE_MISTAKES = [
    (freeze_never_unfreezes, "your freeze only ever sets requires_grad=False: a part frozen "
                             "by an earlier call stays frozen when it is named in "
                             "`trainable` (set requires_grad=True on the parts named)"),
]
STATISTICS_MISTAKES = [
    (freeze_then_eval, "your freeze puts the frozen batch norms in eval mode, but "
                       "`model.train()`, which every training loop calls, puts them back in "
                       "training mode, and their running mean and variance change again"),
    (freeze_flags_only, "`requires_grad=False` stops the weights, not a batch norm's running "
                        "mean and variance: in train mode it still updates them on every "
                        "batch"),
]
STATISTICS_HINT = ("A frozen batch norm must stay in eval mode whatever `model.train()` "
                   "does (or stop updating its statistics).")


# ---------------------------------------------------------------- replace_head
def replace_head_old_classes(model, num_classes):
    old = model.head
    model.head = nn.Linear(old.in_features, old.out_features)
    return model


def replace_head_swapped(model, num_classes):
    old = model.head
    model.head = nn.Linear(old.out_features, num_classes)
    return model


HEAD_SHAPE_MISTAKES = [
    (replace_head_old_classes, "the new head still has the old number of outputs: use "
                               "`num_classes`"),
    (replace_head_swapped, "the new head's in_features is the old head's out_features: it "
                           "takes the backbone's features, `model.head.in_features` of them"),
]


# ---------------------------------------------------------------- count_trainable
def count_all(model):
    return sum(p.numel() for p in model.parameters())


def count_tensors(model):
    return sum(1 for p in model.parameters() if p.requires_grad)


def count_with_buffers(model):
    return (sum(p.numel() for p in model.parameters() if p.requires_grad)
            + sum(b.numel() for b in model.buffers()))


def count_state_dict(model):
    flags = {name: p.requires_grad for name, p in model.named_parameters()}
    return sum(t.numel() for name, t in model.state_dict().items() if flags.get(name, True))


def count_frozen(model):
    return sum(p.numel() for p in model.parameters() if not p.requires_grad)


def count_shared_twice(model):
    return sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False)
               if p.requires_grad)


COUNT_MISTAKES = [
    (count_all, "frozen parameters are counted too: count only those with "
                "`requires_grad=True`"),
    (count_tensors, "it counts parameter tensors, not the numbers in them: use "
                    "`p.numel()`"),
    (count_with_buffers, "buffers (batch norms' running statistics) are counted: they are "
                         "not parameters and never train"),
    (count_state_dict, "buffers (batch norms' running statistics) are counted: they are "
                       "not parameters and never train"),
    (count_frozen, "it counts the frozen parameters instead of the trainable ones"),
]


# ---------------------------------------------------------------- extract_features
def extract_in_train_mode(backbone, loader):
    with torch.no_grad():
        pairs = [(backbone(x), y) for x, y in loader]
    return torch.cat([f for f, _ in pairs]), torch.cat([y for _, y in pairs])


def extract_dataset_order(backbone, loader):
    backbone.eval()
    x, y = loader.dataset.tensors
    with torch.no_grad():
        return backbone(x), y


EXTRACT_VALUE_MISTAKES = [
    (extract_dataset_order, "the features are in the dataset's order, not the loader's: "
                            "go through `for images, labels in loader` (a loader may "
                            "shuffle or sample)"),
]
TRAIN_MODE = ("call `backbone.eval()` first (batch norms "
              "then use their running statistics and leave them unchanged; dropout is off)")
RECORDED = ("the backbone's outputs recorded gradients (autograd kept a graph of every "
            "batch): run it inside `with torch.no_grad():` (or `torch.inference_mode()`)")


# ---------------------------------------------------------------- param_groups
def groups_swapped(model, lr_backbone, lr_head):
    head = {id(p) for p in model.head.parameters()}
    trainable = [q for q in model.parameters() if q.requires_grad]
    return [{"params": [p for p in trainable if id(p) not in head], "lr": lr_head},
            {"params": [p for p in trainable if id(p) in head], "lr": lr_backbone}]


def groups_with_frozen(model, lr_backbone, lr_head):
    head = {id(p) for p in model.head.parameters()}
    return [{"params": [p for p in model.parameters() if id(p) not in head],
             "lr": lr_backbone},
            {"params": list(model.head.parameters()), "lr": lr_head}]


def groups_head_twice(model, lr_backbone, lr_head):
    return [{"params": [p for p in model.parameters() if p.requires_grad], "lr": lr_backbone},
            {"params": list(model.head.parameters()), "lr": lr_head}]


def groups_without_lr(model, lr_backbone, lr_head):
    head = {id(p) for p in model.head.parameters()}
    trainable = [q for q in model.parameters() if q.requires_grad]
    return [{"params": [p for p in trainable if id(p) not in head]},
            {"params": [p for p in trainable if id(p) in head], "lr": lr_head}]


LR_MISTAKES = [
    (groups_swapped, "the learning rates are swapped: the head gets `lr_backbone` and the "
                     "backbone `lr_head`"),
]
TWICE = ("some parameters are in two groups (torch.optim refuses that: \"some parameters "
         "appear in more than one parameter group\"): the backbone group must leave out the "
         "head's parameters")
FROZEN_INCLUDED = ("frozen parameters (`requires_grad=False`) are in the groups: leave them "
                   "out")
NO_LR = ("a group has no \"lr\" of its own, so it silently takes the optimiser's default "
         "learning rate")

