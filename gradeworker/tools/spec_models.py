"""04: models built from a JSON-able spec, and the student's counting functions run on them.

``build_model`` is also used on the trusted side, to run the reference on the same model.
"""

import numpy as np
import torch

from gradeworker.tools.common import student_function
from source_lib.architectures import BasicBlock


_SPEC_LAYERS = ("Conv2d", "Linear", "BatchNorm2d", "ReLU", "Tanh", "MaxPool2d", "AvgPool2d",
                "AdaptiveAvgPool2d", "Flatten", "Dropout")


def build_model(spec):
    """A torch model from a JSON-able spec: a list of [type, kwargs] items, where type is a
    torch.nn layer from _SPEC_LAYERS, "Sequential" (kwargs: a nested spec list) or "Block"
    (kwargs of source_lib.architectures.BasicBlock: ResNet's block, one ReLU called twice).
    The whole list is an nn.Sequential. Also used by the trusted side."""
    layers = []
    for kind, kwargs in spec:
        if kind == "Sequential":
            layers.append(build_model(kwargs))
        elif kind == "Block":
            layers.append(BasicBlock(**kwargs))
        elif kind in _SPEC_LAYERS:
            layers.append(getattr(torch.nn, kind)(**kwargs))
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return torch.nn.Sequential(*layers)


def _plain(value):
    """Shapes (torch.Size), numpy/torch scalars and nested tuples -> lists and Python numbers."""
    if isinstance(value, (tuple, list, torch.Size)):
        return [_plain(item) for item in value]
    if isinstance(value, torch.Tensor) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _model_changes(model, before_state, before_modes):
    """What running the student's function changed in the model, in words ([] if nothing)."""
    changes = []
    after = model.state_dict()
    changed = [key for key, value in before_state.items()
               if key not in after or not torch.equal(value, after[key])]
    if changed:
        changes.append(f"its state changed ({', '.join(changed[:3])}"
                       f"{', ...' if len(changed) > 3 else ''})")
    if [m.training for m in model.modules()] != before_modes:
        changes.append("its train/eval mode was not restored")
    return changes


def call_on_model(namespace, name, spec, input_shape):
    """Build ``build_model(spec)`` (seeded, train mode) and run the student's
    ``name(model, input_shape)``. Returns {"value": the result with shapes and scalars made
    plain (lists, ints), "changes": what the call changed in the model, in words}."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    function = student_function(namespace, name)
    model = build_model(spec)
    before_state = {k: v.clone() for k, v in model.state_dict().items()}
    before_modes = [m.training for m in model.modules()]
    value = _plain(function(model, tuple(int(s) for s in input_shape)))
    return {"value": value, "changes": _model_changes(model, before_state, before_modes)}


TOOLS = {"call_on_model": call_on_model}
