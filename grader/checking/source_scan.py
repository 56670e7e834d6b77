"""Static scan of a student's function for forbidden library operations (trusted side).

Complements the worker's tripwires: it sees calls on code paths the hidden
tests never reach, and cannot be switched off by the student's code.
"""

import ast

# Attribute names (x.<attr>) that reveal a forbidden operation, per group.
FORBIDDEN_ATTRIBUTES = {
    "numpy.convolve": {"convolve"},
    "numpy.correlate": {"correlate", "correlate2"},
    "scipy.signal": {"fftconvolve", "oaconvolve", "convolve2d", "correlate2d", "lfilter"},
    "scipy.ndimage": {"convolve1d", "correlate1d", "uniform_filter", "maximum_filter",
                      "minimum_filter", "generic_filter"},
    "torch.conv": {"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                   "convolution", "_convolution", "conv_tbc"},
    "unfold": {"unfold", "Unfold"},
    "fold": {"fold", "Fold"},
    "stride_tricks": {"as_strided", "sliding_window_view"},
    "torch.pool": {"max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d",
                   "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
                   "adaptive_max_pool1d", "adaptive_max_pool2d", "lp_pool2d",
                   "max_pool2d_with_indices", "fractional_max_pool2d", "MaxPool1d", "MaxPool2d",
                   "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d",
                   "LPPool2d"},
    "numpy.pad": {"pad"},
    "torch.pad": {"pad", "constant_pad_nd", "ZeroPad2d", "ConstantPad2d", "ReflectionPad2d",
                  "ReplicationPad2d"},
    # `.grad` of torch.autograd.grad; `torch.autograd.Function` itself stays allowed.
    "autograd": {"backward", "grad", "vjp", "jacobian", "conv1d_input", "conv1d_weight",
                 "conv2d_input", "conv2d_weight", "convolution_backward"},
}
FORBIDDEN_MODULES = {"scipy.signal": "scipy.signal", "scipy.ndimage": "scipy.ndimage"}


def _imported_names(tree):
    """Names bound by ``from numpy import convolve`` style imports inside the source."""
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                found[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                found[alias.asname or alias.name] = (alias.name, None)
    return found


def forbidden_in_source(source, groups, own_names=frozenset()):
    """Return the sorted forbidden operations that ``source`` visibly uses."""
    if not source:
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    used = set()
    for group in groups:
        attributes = FORBIDDEN_ATTRIBUTES.get(group, set())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in attributes:
                used.add(f"{ast.unparse(node)}")
        for alias, (module, name) in _imported_names(tree).items():
            if alias in own_names:
                continue
            if (name in attributes) or module.startswith(FORBIDDEN_MODULES.get(group, "\0")):
                used.add(f"{module}.{name}" if name else module)
    return sorted(used)
