"""08: the student's transfer-learning functions run on spec models, inside the worker.

Each ``*_run(namespace, ...)`` builds a seeded model (``transfer_models.build``), calls the
student's function from ``namespace`` and reports what it did in plain values. The trusted
side calls the very same function with ``{"freeze": reference.freeze}`` (and so on) as the
namespace and compares the two reports: the reference never enters the worker.
"""

import numpy as np
import torch
from torch import nn

from gradeworker.tools import transfer_models as tm
from gradeworker.tools.common import student_function

N_CLASSES_DATA = 5


def _kind(returned, model):
    if returned is model:
        return "model"
    if returned is None:
        return "None"
    if isinstance(returned, nn.Module):
        return "copy"
    return type(returned).__name__


def _judged_model(returned, model, before):
    """The model the student froze: the one given, or the copy returned when the given one
    was left exactly as it was (the in-place test charges that)."""
    untouched = {n: p.requires_grad for n, p in model.named_parameters()} == before
    if isinstance(returned, nn.Module) and returned is not model and untouched:
        return returned
    return model


def _train_steps(model, steps, seed):
    """``model.train()`` (as every training loop does), then SGD steps with momentum and
    weight decay over *all* parameters: only requires_grad may keep one still."""
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    for step in range(int(steps)):
        x, y = tm.batch(8, seed + 100 + step, 3)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(x)[:, :3], y)
        if loss.requires_grad:
            loss.backward()
        optimizer.step()


def freeze_run(namespace, spec, trainable=None, before=None, steps=3, seed=0):
    """``freeze(model)`` (``trainable`` None: the default) or ``freeze(model,
    trainable=...)``, after ``freeze(model, trainable=before)`` when given; then
    ``model.train()`` and ``steps`` optimiser steps. Reports requires_grad per parameter,
    the batch norms' train mode after freezing and after ``model.train()``, which
    parameters and batch-norm statistics the steps changed, and what freeze returned."""
    torch.set_num_threads(1)
    freeze = student_function(namespace, "freeze")
    model = tm.build(spec, seed)
    if before is not None:
        freeze(model, trainable=tuple(before))
    flags = {n: p.requires_grad for n, p in model.named_parameters()}
    returned = freeze(model) if trainable is None else freeze(model, trainable=tuple(trainable))
    judged = _judged_model(returned, model, flags)
    norms = tm.batch_norm_names(judged)
    modules = dict(judged.named_modules())
    after_freeze = {name: modules[name].training for name in norms}
    weights, stats = tm.parameters_of(judged), tm.statistics(judged)
    _train_steps(judged, steps, seed)
    return {"returned": _kind(returned, model), "judged_copy": judged is not model,
            "requires_grad": {n: p.requires_grad for n, p in judged.named_parameters()},
            "train_mode_after_freeze": after_freeze,
            "train_mode_after_train": {name: modules[name].training for name in norms},
            "moved": tm.changed(weights, tm.parameters_of(judged)),
            "stats_changed": tm.changed(stats, tm.statistics(judged))}


def _forward_shape(model, n=4):
    x, _ = tm.batch(n, 7, 2)
    try:
        with torch.no_grad():
            return list(model.eval()(x).shape)
    except Exception as error:   # the student's head may not fit: report it in words
        return f"{type(error).__name__}: {error}"


def replace_head_run(namespace, spec, num_classes, frozen=False, seed=0):
    """``replace_head(model, num_classes)`` on a model whose parameters are all frozen
    (``frozen``) or all trainable. Reports the new head (type, shape, trainable, whether it
    is a new module and shares values with the old one), the model's output shape, and what
    changed outside the head (values, requires_grad, train/eval mode)."""
    torch.set_num_threads(1)
    replace_head = student_function(namespace, "replace_head")
    model = tm.build(spec, seed)
    for parameter in model.parameters():
        parameter.requires_grad_(not frozen)
    old_head = model.head
    old_weight = old_head.weight.detach().clone()
    outside = {n: v.clone() for n, v in model.state_dict().items() if not n.startswith("head.")}
    flags = {n: p.requires_grad for n, p in model.named_parameters() if not n.startswith("head.")}
    modes = {n: m.training for n, m in model.named_modules() if not n.startswith("head")}
    returned = replace_head(model, int(num_classes))
    judged = returned if isinstance(returned, nn.Module) and model.head is old_head else model
    head = getattr(judged, "head", None)
    report = {"returned": _kind(returned, model), "head_type": type(head).__name__,
              "same_module": head is old_head}
    weight = getattr(head, "weight", None)
    if isinstance(weight, torch.Tensor) and weight.ndim == 2:
        rows = min(len(weight), len(old_weight))
        same_columns = weight.shape[1] == old_weight.shape[1]
        report.update(
            in_features=int(weight.shape[1]), out_features=int(weight.shape[0]),
            trainable=all(p.requires_grad for p in head.parameters()),
            copies_old=bool(same_columns and torch.equal(weight.detach()[:rows],
                                                         old_weight[:rows])),
            finite=bool(torch.isfinite(weight).all()))
    report["changed_outside"] = tm.changed(outside, {
        n: v for n, v in judged.state_dict().items() if not n.startswith("head.")})
    report["flags_changed_outside"] = sorted(
        n for n, p in judged.named_parameters() if n in flags and p.requires_grad != flags[n])
    report["modes_changed_outside"] = sorted(
        n for n, m in judged.named_modules() if n in modes and m.training != modes[n])
    report["output_shape"] = _forward_shape(judged)
    return report


def count_run(namespace, spec, frozen=(), seed=0):
    """``count_trainable(model)`` on the spec model with the parameters under the dotted
    names ``frozen`` made non-trainable here (not with the student's freeze)."""
    torch.set_num_threads(1)
    count_trainable = student_function(namespace, "count_trainable")
    model = tm.freeze_by_name(tm.build(spec, seed), frozen)
    value = count_trainable(model)
    if isinstance(value, (torch.Tensor, np.ndarray, np.generic)) and np.size(value) == 1:
        value = value.item()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return f"a {type(value).__name__}"


def _as_array(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return value
    return None


def _unpack_features(returned):
    """(features, labels, in words what was returned when it is not two arrays)."""
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        return None, None, f"a {type(returned).__name__}" + (
            f" of {len(returned)} items" if isinstance(returned, (tuple, list)) else "")
    features, labels = (_as_array(item) for item in returned)
    if features is None or labels is None:
        kinds = " and ".join(type(item).__name__ for item in returned)
        return features, labels, f"a pair of {kinds}"
    return features, labels, None


def _forward_summary(records, tags):
    """How often each loader image went through the backbone, and in which modes."""
    seen = {tag: 0 for tag in tags}
    train_mode = recorded = 0
    for record in records:
        known = [tag for tag in record["tags"] if tag in seen]
        for tag in known:
            seen[tag] += 1
        train_mode += bool(known) and record["train_mode"]
        recorded += bool(known) and record["recorded"]
    return {"passes": sorted(set(seen.values())), "forward_calls": len(records),
            "train_mode_calls": train_mode, "recorded_calls": recorded}


def extract_run(namespace, spec, n=23, batch_size=5, start_mode="train", frozen=(), seed=0):
    """``extract_features(backbone, loader)`` on a recording backbone built from ``spec``,
    with a DataLoader that visits ``n`` tagged images in a seeded order (not the dataset's)
    in batches of ``batch_size``. Reports the returned features and labels, how each image
    went through the backbone, and what the call changed in the backbone."""
    torch.set_num_threads(1)
    extract_features = student_function(namespace, "extract_features")
    backbone = tm.freeze_by_name(tm.build({"backbone": spec}, seed, recording=True),
                                 frozen).backbone
    backbone.train(start_mode == "train")
    x, y = tm.batch(n, seed + 50, N_CLASSES_DATA)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed + 3)).tolist()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y),
                                         batch_size=int(batch_size), sampler=order)
    state = {k: v.clone() for k, v in backbone.state_dict().items()}
    flags = {k: p.requires_grad for k, p in backbone.named_parameters()}
    features, labels, problem = _unpack_features(extract_features(backbone, loader))
    return {"features": features, "labels": labels, "returned": problem,
            **_forward_summary(backbone.records, x[:, 0, 0, 0].double().tolist()),
            "state_changed": tm.changed(state, backbone.state_dict()),
            "flags_changed": sorted(k for k, p in backbone.named_parameters()
                                    if p.requires_grad != flags[k])}


DEFAULT_LR = 0.0123   # the optimiser's own lr: a group without "lr" shows up with it


def _read_groups(groups, names):
    """({parameter name: [lr of every group it is in, None = no "lr" key]}, tensors that are
    not the model's parameters, the groups as lists (what SGD is given), a problem)."""
    if isinstance(groups, (dict, torch.Tensor)) or not hasattr(groups, "__iter__"):
        return {}, 0, None, f"a {type(groups).__name__}, not a list of groups"
    groups = list(groups)
    if not groups or not all(isinstance(g, dict) and "params" in g for g in groups):
        return {}, 0, None, ("not a list of dicts with a \"params\" entry each"
                             if groups else "an empty list")
    lrs, foreign, given = {}, 0, []
    for group in groups:
        params = group["params"]
        params = [params] if isinstance(params, torch.Tensor) else list(params)
        # a set goes to SGD as it is: torch.optim refuses sets (their order is not fixed)
        given.append({**group, "params": group["params"] if isinstance(group["params"], set)
                      else params})
        for param in params:
            if id(param) in names:
                lrs.setdefault(names[id(param)], []).append(group.get("lr"))
            else:
                foreign += 1
    return lrs, foreign, given, None


def groups_run(namespace, spec, lr_backbone, lr_head, frozen=(), seed=0):
    """``param_groups(model, lr_backbone, lr_head)`` on the spec model with the parameters
    under ``frozen`` made non-trainable. Reports, per parameter name, the learning rate of
    every group it is in, tensors that are not the model's, and whether
    ``torch.optim.SGD(groups, lr=DEFAULT_LR)`` accepts the groups (its error otherwise)."""
    torch.set_num_threads(1)
    param_groups = student_function(namespace, "param_groups")
    model = tm.freeze_by_name(tm.build(spec, seed), frozen)
    names = {id(p): n for n, p in model.named_parameters()}
    returned = param_groups(model, float(lr_backbone), float(lr_head))
    lrs, foreign, given, problem = _read_groups(returned, names)
    sgd_error = problem
    if given is not None:
        try:
            torch.optim.SGD(given, lr=DEFAULT_LR)
        except (ValueError, TypeError, KeyError) as error:
            sgd_error = f"{type(error).__name__}: {error}"
    return {"lrs": {n: [None if lr is None else float(lr) for lr in v] for n, v in lrs.items()},
            "foreign": foreign, "structure": problem, "sgd_error": sgd_error,
            "groups": 0 if given is None else len(given)}


TOOLS = {"freeze_run": freeze_run, "replace_head_run": replace_head_run,
         "count_run": count_run, "extract_run": extract_run, "groups_run": groups_run}
