"""Wrong variants of the 04 reference and the messages that name each mistake.

Each ``*_candidates`` returns (value, message) pairs computed from a deliberately wrong
formula; ``check_cases`` names the one that explains every wrong case. Messages never
state expected values.
"""

import torch
from torch import nn

FORGOT_BIAS = ("you forgot the biases: a layer with bias=True has one bias per output "
               "channel (or output unit) on top of its weights.")
BIAS_WHEN_OFF = "you counted biases although bias=False: that layer has weights only."
FORGOT_C_IN = ("you forgot C_in: each of the C_out filters has a kh x kw kernel for EVERY "
               "input channel (C_in / groups of them), not one kernel.")
K_NOT_K2 = ("you used K instead of K^2 (kh * kw): a kernel has kh * kw taps per input "
            "channel.")
KERNEL_PAIR = ("k may also be a pair (kh, kw) (a rectangular kernel): it has kh * kw taps per "
               "input channel.")
GROUPS_IGNORED = ("groups is ignored: with groups g each filter sees only C_in / g input "
                  "channels, so the weight count is divided by g.")
GROUPS_TWICE = ("you divided by groups twice: the C_out filters stay C_out; only the "
                "channels each filter sees (C_in / g) shrink.")
BIAS_PER_INPUT = "you counted one bias per input channel; there is one per output channel."
LINEAR_BIAS_IN = "you counted one bias per input; a linear layer has one per output unit."
BN_RUNNING = ("you counted the running mean and variance: they are buffers updated by "
              "averaging, not parameters trained by gradient descent (only gamma and beta are).")
BN_ONE = "batch norm has TWO parameters per channel: a scale gamma and a shift beta."
MACS_BIAS = ("you counted the bias additions as MACs; count only the multiply-accumulates "
             "of weights with inputs.")
MACS_FLOPS = ("you counted FLOPs (2 per multiply-accumulate); this asks for MACs: one per "
              "multiply-add.")
MACS_PER_INPUT = ("you counted MACs per INPUT position: a convolution does its work once "
                  "per OUTPUT position, so use each layer's output height and width.")
MACS_PARAMS = ("you counted parameters (weights), not MACs: each conv weight is used once "
               "per output position.")
MACS_NO_BATCH = ("you counted one image only: input_shape includes the batch axis, and the "
                 "MACs are for the whole batch.")
MACS_NO_LINEAR = "you left out the Linear layers: they cost n_in multiply-adds per output."
MACS_NO_CONV = "you left out the convolutions: count every Conv2d call."
MACS_OTHER_LAYERS = ("you counted layers other than Conv2d and Linear (batch norm, activations "
                     "or pooling): count only the multiply-accumulates of Conv2d and Linear "
                     "layers, the cost that dominates.")
TABLE_BUFFERS = ("you counted buffers (batch norm's running mean/variance and counter) as "
                 "parameters: count module.parameters() only.")
TABLE_NO_BATCH = "your output shapes drop the batch axis: give the full output shape."
TABLE_CONTAINERS = ("your table lists containers (Sequential or blocks) too: one row per "
                    "leaf module (a module without children) only.")
TABLE_ORDER = ("your rows are not in the order the layers run (or some are missing): use "
               "forward hooks, which fire in execution order.")


def _pair(k):
    return tuple(k) if isinstance(k, (tuple, list)) else (k, k)


def conv_params_candidates(c_in, c_out, k, bias=True, groups=1):
    kh, kw = _pair(k)
    b = c_out if bias else 0
    g_in = c_in // groups if groups and c_in % groups == 0 else c_in
    out = [(c_out * g_in * kh * kw, FORGOT_BIAS) if bias else (None, ""),
           (c_out * g_in * kh * kw + c_out, BIAS_WHEN_OFF) if not bias else (None, ""),
           (c_out * kh * kw + b, FORGOT_C_IN),
           (c_out * g_in * kh + b, K_NOT_K2),
           (c_out * c_in * kh * kw + b, GROUPS_IGNORED) if groups > 1 else (None, ""),
           ((c_out // groups) * g_in * kh * kw + b, GROUPS_TWICE) if groups > 1 else (None, ""),
           (c_out * g_in * kh * kw + c_in, BIAS_PER_INPUT) if bias and c_in != c_out else (None, "")]
    return [(v, m) for v, m in out if v is not None]


def linear_candidates(n_in, n_out, bias=True):
    out = [(n_in * n_out, FORGOT_BIAS) if bias else (n_in * n_out + n_out, BIAS_WHEN_OFF)]
    if bias and n_in != n_out:
        out.append((n_in * n_out + n_in, LINEAR_BIAS_IN))
    return out


def batchnorm_candidates(c):
    return [(4 * c, BN_RUNNING), (4 * c + 1, BN_RUNNING), (2 * c + 1, BN_RUNNING), (c, BN_ONE)]


def conv_macs_candidates(c_in, c_out, k, h_out, w_out, groups=1):
    kh, kw = _pair(k)
    g_in = c_in // groups
    right = c_out * h_out * w_out * g_in * kh * kw
    out = [(right + c_out * h_out * w_out, MACS_BIAS), (2 * right, MACS_FLOPS),
           (c_out * h_out * w_out * kh * kw, FORGOT_C_IN),
           (c_out * h_out * w_out * g_in * kh, K_NOT_K2),
           (c_out * g_in * kh * kw, MACS_PARAMS)]
    if groups > 1:
        out += [(c_out * h_out * w_out * c_in * kh * kw, GROUPS_IGNORED),
                (right // groups, GROUPS_TWICE)]
    return out


# ------------------------------------------------------------- model-level variants
def _leaf_calls(model, input_shape):
    """[(module, input, output)] of every leaf call in one eval, no-grad forward pass."""
    calls = []
    leaves = [m for m in model.modules() if next(m.children(), None) is None]
    hook = lambda module, inputs, output: calls.append((module, inputs[0], output))
    handles = [m.register_forward_hook(hook) for m in leaves]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(torch.zeros(tuple(input_shape)))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    return calls


def _macs(calls, variant=None, batch=1):
    total = 0
    for module, x, y in calls:
        if isinstance(module, nn.Conv2d) and variant != "no_conv":
            kh, kw = module.kernel_size
            per_out = (module.in_channels // (1 if variant == "groups" else module.groups)) * kh * kw
            positions = y.numel()
            if variant == "per_input":
                positions = y.shape[0] * y.shape[1] * x.shape[2] * x.shape[3]
            elif variant == "params":
                positions = module.out_channels
            total += positions * per_out + (y.numel() if variant == "bias" and
                                            module.bias is not None else 0)
        elif isinstance(module, nn.Linear) and variant != "no_linear":
            total += (module.out_features if variant == "params" else y.numel()) * module.in_features
            total += y.numel() if variant == "bias" and module.bias is not None else 0
    return total // batch


def model_macs_candidates(model, input_shape):
    calls = _leaf_calls(model, input_shape)
    out = [(_macs(calls, "per_input"), MACS_PER_INPUT), (_macs(calls, "params"), MACS_PARAMS),
           (_macs(calls, "groups"), GROUPS_IGNORED), (_macs(calls, "bias"), MACS_BIAS),
           (2 * _macs(calls), MACS_FLOPS), (_macs(calls, "no_linear"), MACS_NO_LINEAR),
           (_macs(calls, "no_conv"), MACS_NO_CONV)]
    others = [y.numel() for m, _, y in calls if not isinstance(m, (nn.Conv2d, nn.Linear))]
    batchnorm = [y.numel() for m, _, y in calls if isinstance(m, nn.BatchNorm2d)]
    out += [(_macs(calls) + sum(others), MACS_OTHER_LAYERS),
            (_macs(calls) + sum(batchnorm), MACS_OTHER_LAYERS)]
    if input_shape[0] > 1:
        out.append((_macs(calls, batch=input_shape[0]), MACS_NO_BATCH))
    right = _macs(calls)
    return [(v, m) for v, m in out if v != right]


def diagnose_table(rows, expected, model):
    """A message naming the mistake in ``rows`` (normalised), or None."""
    containers = {name for name, m in model.named_modules() if next(m.children(), None) is not None}
    names = [r[0] for r in rows]
    if any(name in containers for name in names):
        return TABLE_CONTAINERS
    if [r[0] for r in expected] != names:
        return TABLE_ORDER
    buffers = {name: sum(b.numel() for b in m.buffers()) for name, m in model.named_modules()}
    if any(b for b in buffers.values()) and all(
            r[2] == e[2] + buffers[e[0]] for r, e in zip(rows, expected)):
        return TABLE_BUFFERS
    if all(tuple(r[1]) == tuple(e[1][1:]) for r, e in zip(rows, expected)):
        return TABLE_NO_BATCH
    return None


# ------------------------------------------------ "by formula": no layers, no numel
BUILT_LAYER = ("must count by formula: building a torch layer and counting its parameters "
               "(or FLOPs) with a library is not allowed in this exercise ({used}).")
_LIBRARY_COUNTING = {"Conv2d", "Linear", "BatchNorm2d", "LazyConv2d", "numel", "parameters",
                     "FlopCounterMode", "summary", "get_total_flops"}
# bare names only for classes (a variable called `parameters` or `summary` is fine)
_LIBRARY_CLASSES = {"Conv2d", "Linear", "BatchNorm2d", "LazyConv2d", "FlopCounterMode"}


def library_counting(source):
    """Names of library ways to count (layers, numel, FLOP counters) used in ``source``."""
    import ast
    try:
        tree = ast.parse(source or "")
    except SyntaxError:
        return []
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _LIBRARY_COUNTING:
            used.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in _LIBRARY_CLASSES:
            used.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            used.update(m for m in modules if m.split(".")[0] in ("torchinfo", "torchsummary",
                                                                   "fvcore", "thop", "ptflops"))
    return sorted(used)
