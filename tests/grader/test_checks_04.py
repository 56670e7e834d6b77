"""The hidden checks of 04_param_counting, graded through the real worker.

Right implementations written differently (loops, math.prod, a torch FLOP counter in
model_macs, torchinfo-like repeated rows in layer_table) must get full marks; wrong ones
must lose points on their own part with a message naming the mistake. Each variant set is
one notebook (the solution with some solution cells replaced), graded once.
"""

import pytest
from variant_grading import (assert_full_marks, assert_mistakes_named, assert_no_expected_values,
                             grade_variant, wrong_cells)

ASSIGNMENT = "04_param_counting"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks04")]

RIGHT = {
    "conv2d_params": '''
import math

def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    kernel = list(k) if isinstance(k, (tuple, list)) else [k, k]
    if any(v < 1 for v in [c_in, c_out, groups] + kernel):
        raise ValueError("sizes must be positive")
    if c_in % groups != 0 or c_out % groups != 0:
        raise ValueError("groups")
    total = 0
    for _ in range(c_out):                      # one filter at a time
        total += (c_in // groups) * math.prod(kernel) + (1 if bias else 0)
    return total
''',
    "linear_params": '''
def linear_params(n_in, n_out, bias=True):
    if not (n_in >= 1 and n_out >= 1):
        raise ValueError("sizes")
    return n_out * (n_in + int(bool(bias)))
''',
    "batchnorm2d_params": '''
def batchnorm2d_params(c):
    if c <= 0:
        raise ValueError("c")
    return c + c
''',
    "conv2d_macs": '''
def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    return conv2d_params(c_in, c_out, k, bias=False, groups=groups) * h_out * w_out if min(h_out, w_out) >= 1 else _bad()

def _bad():
    raise ValueError("output size")
''',
    "layer_table": '''
def layer_table(model, input_shape):
    rows = []
    hooks = []
    for name, module in model.named_modules():
        if len(list(module.children())) == 0:
            hooks.append(module.register_forward_hook(
                lambda m, i, o, name=name: rows.append([name, list(o.shape),
                                                        sum(p.numel() for p in m.parameters())])))
    mode = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(*input_shape))
    model.train(mode)
    for h in hooks:
        h.remove()
    return rows                          # a module called twice appears twice (torchinfo style)
''',
    "model_macs": '''
from torch.utils.flop_counter import FlopCounterMode

def model_macs(model, input_shape):
    was_training = model.training
    model.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(input_shape))
    model.train(was_training)
    return counter.get_total_flops() // 2
''',
}

WRONG_A = {
    "test_conv2d_params": ('''
def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    kh, kw = (k, k) if isinstance(k, int) else k
    if min(c_in, c_out, kh, kw, groups) < 1 or c_in % groups or c_out % groups:
        raise ValueError("bad")
    return (c_out // groups) * (c_in // groups) * kh * kw + (c_out if bias else 0)
''', "divided by groups twice"),
    "test_linear_params": ('''
def linear_params(n_in, n_out, bias=True):
    if n_in < 1 or n_out < 1:
        raise ValueError("sizes")
    return n_in * n_out + (n_in if bias else 0)
''', "one bias per input"),
    "test_layer_table": ('''
def layer_table(model, input_shape):
    rows, seen = [], set()
    names = {m: n for n, m in model.named_modules()}
    def hook(m, i, o):
        if m not in seen:
            seen.add(m)
            rows.append((names[m], tuple(o.shape[1:]), sum(p.numel() for p in m.parameters())))
    hs = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(input_shape))
    for h in hs:
        h.remove()
    return rows
''', "drop the batch axis"),
    "test_model_macs": ('''
def model_macs(model, input_shape):
    total = 0
    def hook(m, i, o):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += o[0].numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total += o[0].numel() * m.in_features
    hs = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(input_shape))
    for h in hs:
        h.remove()
    return total
''', "one image only"),
}

WRONG_B = {
    "test_batchnorm2d_params": ('''
def batchnorm2d_params(c):
    if c < 1:
        raise ValueError("c")
    return c
''', "TWO parameters per channel"),
    "test_conv2d_macs": ('''
def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    if min(c_in, c_out, k if isinstance(k, int) else min(k), h_out, w_out, groups) < 1:
        raise ValueError("bad")
    if c_in % groups or c_out % groups:
        raise ValueError("groups")
    kh = k if isinstance(k, int) else k[0]
    return c_out * h_out * w_out * (c_in // groups) * kh
''', "K instead of K^2"),
    "test_layer_table": ('''
def layer_table(model, input_shape):
    rows = []
    hs = [m.register_forward_hook(lambda m, i, o, n=n: rows.append((n, tuple(o.shape),
          sum(p.numel() for p in m.parameters())))) for n, m in model.named_modules() if n]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(input_shape))
    for h in hs:
        h.remove()
    return rows
''', "lists containers"),
    "test_model_macs": ('''
def model_macs(model, input_shape):
    total = 0
    def hook(m, i, o):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += o.numel() * m.in_channels * m.kernel_size[0] * m.kernel_size[1]
        elif isinstance(m, nn.Linear):
            total += o.numel() * m.in_features
    hs = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(input_shape))
    for h in hs:
        h.remove()
    return total
''', "groups is ignored"),
}

# Side effects and extra layers: a table that runs the model in train mode (batch norm's
# running statistics move), MACs that include batch norm.
WRONG_C = {
    "test_layer_table": ('''
def layer_table(model, input_shape):
    names = {m: n for n, m in model.named_modules()}
    rows, seen = [], set()
    def hook(m, i, o):
        if m not in seen:
            seen.add(m)
            rows.append((names[m], tuple(o.shape), sum(p.numel() for p in m.parameters())))
    hs = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    model(torch.randn(input_shape))
    for h in hs:
        h.remove()
    return rows
''', "changed the model it was given"),
    "test_model_macs": ('''
def model_macs(model, input_shape):
    total = 0
    def hook(m, i, o):
        nonlocal total
        if isinstance(m, nn.Conv2d):
            total += o.numel() * m.weight[0].numel()
        elif isinstance(m, nn.Linear):
            total += o.numel() * m.in_features
        elif isinstance(m, nn.BatchNorm2d):
            total += o.numel()
    hs = [m.register_forward_hook(hook) for m in model.modules()]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(input_shape))
    model.train(was_training)
    for h in hs:
        h.remove()
    return total
''', "layers other than Conv2d and Linear"),
}


def _grade(tmp_path_factory, name, replacements):
    return grade_variant(tmp_path_factory, ASSIGNMENT, name, replacements)


def _wrong(variants):
    return wrong_cells(variants)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return {name: _grade(tmp_path_factory, name, replacements)
            for name, replacements in [("right", RIGHT), ("wrong_a", _wrong(WRONG_A)),
                                       ("wrong_b", _wrong(WRONG_B)),
                                       ("wrong_c", _wrong(WRONG_C))]}


def test_right_implementations_get_full_marks(graded):
    assert_full_marks(graded["right"])


@pytest.mark.parametrize("variant, variants", [("wrong_a", WRONG_A), ("wrong_b", WRONG_B),
                                                ("wrong_c", WRONG_C)])
def test_wrong_implementations_lose_points_with_the_mistake_named(graded, variant, variants):
    assert_mistakes_named(graded[variant], variants)


def test_messages_never_show_expected_values(graded):
    assert_no_expected_values(graded[v] for v in ("wrong_a", "wrong_b"))


def test_formula_rule_flags_library_counting_but_not_variable_names():
    from pathlib import Path

    from grader.checking import load_reference
    checks = Path(__file__).resolve().parents[2] / "grader" / "checks" / ASSIGNMENT
    mis = load_reference(checks / "reference.py", "misconceptions")
    assert mis.library_counting("def f(a):\n    parameters = summary = a * 2\n    return parameters") == []
    assert mis.library_counting(RIGHT["conv2d_params"]) == []
    used = mis.library_counting("def f(a):\n    return sum(p.numel() for p in nn.Conv2d(a, 2, 3).parameters())")
    assert used == ["Conv2d", "numel", "parameters"]
