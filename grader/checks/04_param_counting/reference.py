"""Reference solutions for 04_param_counting: the specification the hidden checks use.

Trusted code: imported only by the grading process, never released. The counting
functions may be served to a student's caller as trusted callees, so they take and return
Python ints and raise ValueError exactly where the notebook says. layer_table and
model_macs take a model (built on the trusted side from the same spec as in the worker).

layer_table rows: (name, output_shape, params) with
  name          the module's qualified name in model.named_modules() ("features.0")
  output_shape  tuple of ints, batch axis included (the output of its first call)
  params        number of parameters (not buffers) of that module
one row per *leaf* module (no children) in the order the leaves first run; containers do
not appear; a leaf module called twice keeps one row (the checks also accept repeats).
"""

import torch
from torch import nn


def _positive(**values):
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")


def _kernel(k):
    """k or (kh, kw) -> (kh, kw), both positive."""
    kh, kw = (k, k) if not isinstance(k, (tuple, list)) else tuple(k)
    _positive(kh=kh, kw=kw)
    return int(kh), int(kw)


def _groups_fit(c_in, c_out, groups):
    _positive(c_in=c_in, c_out=c_out, groups=groups)
    if c_in % groups or c_out % groups:
        raise ValueError("groups must divide both c_in and c_out")


def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    """c_out * (c_in / groups) * kh * kw weights, plus c_out biases."""
    kh, kw = _kernel(k)
    _groups_fit(c_in, c_out, groups)
    return int(c_out * (c_in // groups) * kh * kw + (c_out if bias else 0))


def linear_params(n_in, n_out, bias=True):
    _positive(n_in=n_in, n_out=n_out)
    return int(n_in * n_out + (n_out if bias else 0))


def batchnorm2d_params(c):
    """gamma and beta per channel; the running mean/variance are buffers, not parameters."""
    _positive(c=c)
    return int(2 * c)


def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    """One multiply-accumulate per weight per output position (bias additions not counted)."""
    kh, kw = _kernel(k)
    _groups_fit(c_in, c_out, groups)
    _positive(h_out=h_out, w_out=w_out)
    return int(c_out * h_out * w_out * (c_in // groups) * kh * kw)


def _example_input(model, input_shape):
    parameter = next(model.parameters(), None)
    device = parameter.device if parameter is not None else "cpu"
    return torch.zeros(tuple(int(s) for s in input_shape), device=device)


def _run_with_hooks(model, input_shape, hook):
    """One eval-mode, no-grad forward pass with ``hook(module, inputs, output)`` on every
    leaf module; the model's train/eval mode is restored."""
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(_example_input(model, input_shape))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)


def layer_table(model, input_shape):
    names = {module: name for name, module in model.named_modules()}
    rows, seen = [], set()

    def hook(module, inputs, output):
        if module in seen:
            return
        seen.add(module)
        params = sum(p.numel() for p in module.parameters())
        rows.append((names[module], tuple(int(s) for s in output.shape), int(params)))

    _run_with_hooks(model, input_shape, hook)
    print(f"{'layer':<24}{'output shape':<24}{'params':>12}")
    for name, shape, params in rows:
        print(f"{name:<24}{str(shape):<24}{params:>12,}")
    print(f"{'total':<48}{sum(r[2] for r in rows):>12,}")
    return rows


def model_macs(model, input_shape):
    """MACs of every Conv2d and Linear call for the whole input batch."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total[0] += output.numel() * (module.in_channels // module.groups) * kh * kw
        elif isinstance(module, nn.Linear):
            total[0] += output.numel() * module.in_features

    _run_with_hooks(model, input_shape, hook)
    return int(total[0])
