"""Right and wrong implementations of 04_param_counting's graded functions (the demo grades DEMO;
the test suite grades all of them: see grader.authoring.implementations).

A wrong definition with one slip is the solution notebook's cell with one change (reference.py
uses helpers the notebook does not have); a change that no longer applies fails loudly.
Several slips share one notebook where their parts are independent.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution

_changed = partial(edited_solution, "04_param_counting")
_conv = partial(_changed, "conv2d_params")
_bn = partial(_changed, "batchnorm2d_params")
_table = partial(_changed, "layer_table")
_macs = partial(_changed, "model_macs")

_WEIGHTS = "c_out * (c_in // groups) * kh * kw"
_PARAMS = "sum(p.numel() for p in module.parameters())"

# Written differently from the solution: a loop over filters with math.prod, conv2d_macs
# from conv2d_params, a torchinfo-like table (a module called twice appears twice), the
# MACs from torch's FLOP counter.
WRITTEN_DIFFERENTLY = {
    "conv2d_params": '''import math

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
    "linear_params": '''def linear_params(n_in, n_out, bias=True):
    if not (n_in >= 1 and n_out >= 1):
        raise ValueError("sizes")
    return n_out * (n_in + int(bool(bias)))
''',
    "batchnorm2d_params": '''def batchnorm2d_params(c):
    if c <= 0:
        raise ValueError("c")
    return c + c
''',
    "conv2d_macs": '''def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    if min(h_out, w_out) < 1:
        _bad()
    return conv2d_params(c_in, c_out, k, bias=False, groups=groups) * h_out * w_out

def _bad():
    raise ValueError("output size")
''',
    "layer_table": '''def layer_table(model, input_shape):
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
    "model_macs": '''from torch.utils.flop_counter import FlopCounterMode

def model_macs(model, input_shape):
    was_training = model.training
    model.eval()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        model(torch.zeros(input_shape))
    model.train(was_training)
    return counter.get_total_flops() // 2
''',
}

IMPLEMENTATIONS = [
    Implementation("written_differently", "every function written differently (right)",
                   WRITTEN_DIFFERENTLY),
    Implementation("conv_forgot_bias", "conv2d_params counts the weights only",
            {"conv2d_params": _conv(("weights + (c_out if bias else 0)", "weights"))},
            {"test_conv2d_params": "forgot the biases"}),
    Implementation("conv_forgot_cin", "conv2d_params counts one kernel per filter",
            {"conv2d_params": _conv((_WEIGHTS, "c_out * kh * kw"))},
            {"test_conv2d_params": "forgot C_in"}),
    Implementation("conv_k_not_k2", "conv2d_params multiplies by the kernel height only",
            {"conv2d_params": _conv((_WEIGHTS, "c_out * (c_in // groups) * kh"))},
            {"test_conv2d_params": "K instead of K^2"}),
    Implementation("conv_groups_ignored", "conv2d_params ignores groups",
            {"conv2d_params": _conv((_WEIGHTS, "c_out * c_in * kh * kw"))},
            {"test_conv2d_params": "groups is ignored"},
            notes={"test_conv2d_params": "invalid groups were not checked"}),
    Implementation("conv_numel", "conv2d_params builds nn.Conv2d and counts numel (not allowed)",
            {"conv2d_params": '''def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    if min(c_in, c_out, groups) < 1:
        raise ValueError("bad layer")
    layer = nn.Conv2d(c_in, c_out, k, bias=bias, groups=groups, device="meta")
    return sum(p.numel() for p in layer.parameters())
'''}, {"test_conv2d_params": "must count by formula"}),
    Implementation("bn_running_stats", "batchnorm2d_params counts the running mean and variance",
            {"batchnorm2d_params": _bn(("2 * c", "4 * c"))},
            {"test_batchnorm2d_params": "running mean and variance"}),
    Implementation("macs_per_input", "model_macs uses each convolution's input size",
            {"model_macs": _macs(("n, c_out, h_out, w_out = output.shape",
                                  "(n, c_out), (h_out, w_out) = output.shape[:2], "
                                  "inputs[0].shape[2:]"))},
            {"test_model_macs": "per INPUT position"}),
    Implementation("table_buffers", "layer_table counts state_dict entries (running statistics)",
            {"layer_table": _table(
                (_PARAMS, "sum(v.numel() for v in module.state_dict().values())"))},
            {"test_layer_table": "buffers"},
            notes={"test_layer_table": "buffers as parameters here too"}),
    # Each mistake charged once: model_macs is right but calls this wrong conv2d_macs
    # (FLOPs, 2 per MAC); only conv2d_macs may lose points.
    Implementation("macs_as_flops", "conv2d_macs returns FLOPs; model_macs calls it, stays right",
            {"conv2d_macs": _changed("conv2d_macs", ("return int(c_out", "return int(2 * c_out"))},
            {"test_conv2d_macs": "FLOPs"}),
    Implementation("groups_twice_one_image", "groups divided twice, one bias per input, the batch "
            "axis dropped from the table, the MACs of one image",
            {"conv2d_params": _conv((_WEIGHTS, "(c_out // groups) * (c_in // groups) * kh * kw")),
             "linear_params": _changed("linear_params", ("(n_out if bias", "(n_in if bias")),
             "layer_table": _table(("tuple(output.shape)", "tuple(output.shape[1:])")),
             "model_macs": _macs(("total += n * conv2d_macs", "total += conv2d_macs"),
                                 ("output.numel() * module.in_features",
                                  "output[0].numel() * module.in_features"))},
            {"test_conv2d_params": "divided by groups twice",
             "test_linear_params": "one bias per input",
             "test_layer_table": "drop the batch axis", "test_model_macs": "one image only"},
            notes={"test_model_macs": "Not charged here: you counted one image only"}),
    # model_macs counts with its own helper (not the broken conv2d_macs, whose slip would
    # hide its own).
    Implementation("undercounts_and_containers", "batch norm counted once per channel, K "
            "instead of K^2 MACs, containers in the table, groups ignored in the MACs",
            {"batchnorm2d_params": _bn(("2 * c", "c")),
             "conv2d_macs": _changed("conv2d_macs", ("* kh * kw)", "* kh)")),
             "layer_table": _table(
                 ("[m for m in model.modules() if next(m.children(), None) is None]",
                  "[m for name, m in model.named_modules() if name]")),
             "model_macs": _macs(
                 ("def model_macs", "def _count_macs(c_in, c_out, k, h_out, w_out, groups=1):\n"
                                    "    return c_out * h_out * w_out * c_in * k[0] * k[1]\n\n\n"
                                    "def model_macs"),
                 ("n * conv2d_macs(", "n * _count_macs("))},
            {"test_batchnorm2d_params": "TWO parameters per channel",
             "test_conv2d_macs": "K instead of K^2", "test_layer_table": "lists containers",
             "test_model_macs": "groups is ignored"}),
    # Side effects and extra layers.
    Implementation("train_mode_and_bn_macs", "layer_table runs the model in train mode (batch "
            "norm's running statistics move), model_macs counts batch norm too",
            {"layer_table": _table(("model.eval()", "model.train()")),
             "model_macs": _macs(("nn.Linear))", "nn.Linear, nn.BatchNorm2d))"),
                                 ("total += output.numel() * module.in_features\n",
                                  "total += output.numel() * module.in_features\n"
                                  "        elif isinstance(module, nn.BatchNorm2d):\n"
                                  "            total += output.numel()\n"))},
            {"test_layer_table": "changed the model it was given",
             "test_model_macs": "layers other than Conv2d and Linear"},
            notes={"test_model_macs": "Not charged here: you counted layers other"}),
]

# One limitation, charged once: each loses only the test about it (the others check the same
# property in a form the function handles, and say so in a note).
IMPLEMENTATIONS += [
    Implementation("square_kernels_only", "conv2d_params takes k as an int only; layer_table "
            "counts weight.numel() + bias.numel() (fails on a convolution without bias)",
            {"conv2d_params": _conv(("kh, kw = (k, k) if not isinstance(k, (tuple, list)) else k",
                                     "kh = kw = k")),
             "layer_table": _table((_PARAMS, "module.weight.numel() + module.bias.numel() "
                                             "if hasattr(module, 'weight') else 0"))},
            {"test_conv2d_params": "a pair (kh, kw)", "test_layer_table": "raised AttributeError"},
            notes={"test_conv2d_params": "Checked without (kh, kw) kernels",
                   "test_layer_table": "the nesting was checked on"}),
    Implementation("bias_flag_ignored", "conv2d_params always counts the biases; conv2d_macs "
            "ignores groups (no check either); model_macs reads every output's height and width",
            {"conv2d_params": _conv(("(c_out if bias else 0)", "c_out")),
             "conv2d_macs": _changed("conv2d_macs", ("(c_in // groups)", "c_in"), (
                 '    if c_in % groups or c_out % groups:\n        raise ValueError(f"groups='
                 '{groups} must divide c_in={c_in} and c_out={c_out}")\n', "")),
             "model_macs": _macs(("            total += output.numel() * module.in_features\n",
                                  "            h_out, w_out = output.shape[2], output.shape[3]\n"
                                  "            total += output.numel() * module.in_features\n"))},
            {"test_conv2d_params": "although bias=False", "test_conv2d_macs": "groups is ignored",
             "test_model_macs": "raised IndexError"},
            notes={"test_conv2d_params": "Checked without bias=False",
                   "test_conv2d_macs": "were not checked", "test_model_macs": "Checked on"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("macs_per_input", "macs_as_flops")
