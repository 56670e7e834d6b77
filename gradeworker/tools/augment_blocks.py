"""07: the student's batch augmentation and building blocks, run inside the worker.

``crop_flip_outputs`` calls ``random_crop_flip`` under given seeds and returns what it made;
the trusted side works out, for every image, which translation and flip produced it.
``conv_bn_relu_report``, ``block_report`` and ``model_makeup`` describe ``ConvBNReLU``,
``ResidualBlock`` and ``CifarNet`` by behaviour (output shapes, the convolutions, what a
block does when its 3x3 convolutions are zero), so any layout of the student's attributes
can be judged.
"""

import traceback

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from gradeworker.tools.common import instantiate_model, student_function
from gradeworker.tools.speed import lines_run


def _images(images):
    return torch.as_tensor(np.asarray(images, dtype=np.float32)).clone()


def crop_flip_outputs(namespace, images, padding=4, seeds=(0,), repeat_first=True):
    """``random_crop_flip(x, padding)`` for each seed (``torch.manual_seed(seed)`` first) on
    ``images`` (float32 (N, C, H, W)); with ``repeat_first`` the first seed runs twice
    (determinism). Returns {"outputs": [float32 array per run], "dtypes": [str per run],
    "input_changed": [bool per run]}."""
    torch.set_num_threads(1)
    augment = student_function(namespace, "random_crop_flip")
    seeds = list(seeds) + ([seeds[0]] if repeat_first else [])
    outputs, dtypes, changed = [], [], []
    for seed in seeds:
        x = _images(images)
        original = x.clone()
        torch.manual_seed(int(seed))
        out = augment(x, int(padding))
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"random_crop_flip returned {type(out).__name__}; expected a tensor")
        changed.append(not torch.equal(x, original))
        dtypes.append(str(out.dtype).replace("torch.", ""))
        outputs.append(out.detach().float().numpy())
    return {"outputs": outputs, "dtypes": dtypes, "input_changed": changed}


def crop_flip_line_counts(namespace, batches, padding=4):
    """Lines of Python run by ``random_crop_flip(batch, padding)`` for each of ``batches``
    but the first (a warm-up: first-call imports are not counted), and what each counted
    call returned: {"counts": [int], "outputs": [float32 array]}. The trusted side sends
    images the function has not seen (a cache keyed by the input cannot skip the work) and
    checks the outputs are shifted copies of them; a loop over the batch grows with its
    size."""
    torch.set_num_threads(1)
    augment = student_function(namespace, "random_crop_flip")
    warm_up, *counted = [_images(batch) for batch in batches]
    augment(warm_up, int(padding))
    counts, outputs = [], []
    for x in counted:
        made = []
        counts.append(lines_run(lambda *args: made.append(augment(*args)), x, int(padding)))
        if not isinstance(made[0], torch.Tensor):
            raise TypeError(f"random_crop_flip returned {type(made[0]).__name__}; expected a "
                            "tensor")
        outputs.append(made[0].detach().float().numpy())
    return {"counts": counts, "outputs": outputs}


def _student_module(namespace, class_name, args):
    cls = namespace.get(class_name)
    if not isinstance(cls, type) or not issubclass(cls, nn.Module):
        raise LookupError(f"`{class_name}` is not defined in your notebook as an nn.Module.")
    torch.manual_seed(0)
    return cls(*args).eval()


def _leaves(module):
    return [m for m in module.modules() if next(m.children(), None) is None]


def _forward_order(module, x):
    """(output, type names of the leaf modules in the order their forward ran)."""
    order = []
    hooks = [leaf.register_forward_hook(lambda m, i, o: order.append(type(m).__name__))
             for leaf in _leaves(module)]
    try:
        with torch.no_grad():
            output = module(x)
    finally:
        for hook in hooks:
            hook.remove()
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"forward returned {type(output).__name__}; expected a tensor")
    return output, order


def _conv_layers(module):
    return [[list(layer.kernel_size), list(layer.stride), list(layer.padding),
             layer.in_channels, layer.out_channels]
            for layer in module.modules() if isinstance(layer, nn.Conv2d)]


def _randomise_norms(module):
    """Seeded statistics and affine weights for every BatchNorm2d: with the fresh ones
    (mean 0, variance 1, scale 1, shift 0) ReLU commutes with eval-mode batch norm, and
    the order of the two could not be told."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for norm in module.modules():
            if isinstance(norm, nn.BatchNorm2d):
                size = norm.num_features
                norm.running_mean.copy_(torch.randn(size, generator=generator) * 0.5)
                norm.running_var.copy_(torch.rand(size, generator=generator) * 1.5 + 0.5)
                if norm.affine:
                    norm.weight.copy_(torch.rand(size, generator=generator) + 0.5)
                    norm.bias.copy_(torch.randn(size, generator=generator) * 0.5)


def conv_bn_relu_report(namespace, args, x):
    """Build ``ConvBNReLU(*args)`` in eval mode (batch norms given seeded statistics), run
    it on ``x`` (float32 (N, C, H, W)). Returns {"output", "order", "convs",
    "compositions"}: ``compositions`` maps "conv-bn-relu", "conv-relu-bn", "conv-relu",
    "conv-bn" to what the block's own (single) Conv2d and BatchNorm2d give composed that
    way (empty when it has not one of each)."""
    torch.set_num_threads(1)
    block = _student_module(namespace, "ConvBNReLU", args)
    _randomise_norms(block)
    x = _images(x)
    output, order = _forward_order(block, x)
    convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
    norms = [m for m in block.modules() if isinstance(m, nn.BatchNorm2d)]
    compositions = {}
    if len(convs) == 1 and len(norms) == 1:
        conv, norm = convs[0], norms[0]
        with torch.no_grad():
            compositions = {"conv-bn-relu": F.relu(norm(conv(x))),
                            "conv-relu-bn": norm(F.relu(conv(x))),
                            "conv-relu": F.relu(conv(x)), "conv-bn": norm(conv(x))}
        compositions = {k: v.numpy() for k, v in compositions.items()}
    return {"output": output.numpy(), "order": order, "convs": _conv_layers(block),
            "compositions": compositions}


def _zero_3x3(module):
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Conv2d) and layer.kernel_size != (1, 1):
                layer.weight.zero_()
                if layer.bias is not None:
                    layer.bias.zero_()


def block_report(namespace, args, x):
    """Build ``ResidualBlock(*args)`` and run it in eval mode on ``x`` (float32 (N, C, H, W)).
    Returns {"output", "output_zeroed" (every 3x3 convolution zeroed: what the shortcut
    alone gives, through whatever follows the addition), "convs": [[kernel, stride, padding,
    c_in, c_out]], "norms": number of BatchNorm2d, "order": leaf types as their forward
    ran}."""
    torch.set_num_threads(1)
    block = _student_module(namespace, "ResidualBlock", args)
    x = _images(x)
    output, order = _forward_order(block, x)
    _zero_3x3(block)
    with torch.no_grad():
        zeroed = block(x)
    return {"output": output.numpy(), "output_zeroed": zeroed.numpy(),
            "convs": _conv_layers(block), "order": order,
            "norms": sum(isinstance(m, nn.BatchNorm2d) for m in block.modules()),
            "library_blocks": _library_blocks(block)}


def _library_blocks(block):
    """Names of source_lib's residual blocks the student's block is, extends or holds: the
    library's ResNet-18 (for 08) has torchvision's block, which 07 asks students to write."""
    from source_lib import architectures
    library = "source_lib.architectures.BasicBlock"
    found = {library if type(m) is architectures.BasicBlock else f"a subclass of {library}"
             for m in block.modules() if isinstance(m, architectures.BasicBlock)}
    return sorted(found)


def _fault(error):
    """[type name, message] of an exception the student's code raised, its place in the
    notebook added as the worker does ("cell 7, line 3")."""
    places = [f"{frame.filename[1:-1]}, line {frame.lineno}"
              for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith("<cell ")]
    message = str(error)[:600]
    return [type(error).__name__, f"{message} ({places[-1]})" if places else message]


def model_makeup(namespace, class_name, input_shape, count_as=()):
    """``class_name()`` described: {"module_types": {type name: count} over every module
    (containers included), "n_params", and, from one eval-mode forward on a seeded batch of
    shape ``input_shape`` in [0, 1], "output_shape" and "output_finite", or "forward_error"
    ([type, message]) when that forward fails: the makeup is reported all the same.
    Each name of ``count_as`` counts the instances of the notebook's class of that name,
    whatever the class's own name (``ResidualBlock = SomeBlock``, subclasses)."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = instantiate_model(namespace, class_name).eval()
    types = {}
    for module in model.modules():
        types[type(module).__name__] = types.get(type(module).__name__, 0) + 1
    for name in count_as:
        cls = namespace.get(name)
        if isinstance(cls, type) and issubclass(cls, nn.Module):
            types[name] = sum(isinstance(module, cls) for module in model.modules())
    report = {"module_types": types,
              "n_params": int(sum(p.numel() for p in model.parameters()))}
    x = torch.rand(*[int(s) for s in input_shape], generator=torch.Generator().manual_seed(0))
    try:
        with torch.no_grad():
            out = model(x)
        if not isinstance(out, torch.Tensor):
            raise TypeError(f"`{class_name}.forward` returned {type(out).__name__}; expected "
                            "a tensor of class scores.")
    except Exception as error:  # the student's forward: reported, the makeup still counts
        return {**report, "forward_error": _fault(error)}
    return {**report, "output_shape": [int(s) for s in out.shape],
            "output_finite": bool(torch.isfinite(out).all())}


TOOLS = {"crop_flip_outputs": crop_flip_outputs, "crop_flip_line_counts": crop_flip_line_counts,
         "conv_bn_relu_report": conv_bn_relu_report, "block_report": block_report,
         "model_makeup": model_makeup}
