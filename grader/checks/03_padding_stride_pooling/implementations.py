"""Right and wrong implementations of 03_padding_stride_pooling's graded functions (the demo
grades DEMO; the test suite grades all of them: see grader.authoring.implementations).

A slip is the solution notebook's cell with one change (reference.py is written with torch);
a change that no longer applies fails loudly. Several slips share one notebook where no wrong
function calls a broken one whose slip would hide its own.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution

# Most samples start with this line, as a student's cell would.
NUMPY = "import numpy as np\n\n"

_changed = partial(edited_solution, "03_padding_stride_pooling")

_SIZE = "size = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1"
_RF_STEP = "size += dilation * (kernel - 1) * jump"
_GAP = "x.mean(axis=(2, 3))"
_AVG = "total / (kh * kw)"
_EVEN_CHECK = ('    if span % 2 == 0:\n        raise ValueError(f"the effective kernel {span} is '
               'even: no symmetric \'same\' padding")\n')

_POOL_HEADER = NUMPY + '''def {name}(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError("expected (N, C, H, W)")
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    ho, wo = conv_output_size(x.shape[2], kh, 0, sh), conv_output_size(x.shape[3], kw, 0, sw)
'''
_MAX_HEADER = _POOL_HEADER.format(name="maxpool2d_forward")
_AVG_HEADER = _POOL_HEADER.format(name="avgpool2d_forward")

# A loop over output pixels, each window reduced at once (max or mean).
_POOL_LOOPS = '''    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].{}(axis=(2, 3))
    return out
'''

_PAD2D_NP_PAD = NUMPY + '''def pad2d(X, padding):
    X = np.asarray(X, dtype=np.float64)
    ph, pw = as_pair(padding)
    if X.ndim < 2 or ph < 0 or pw < 0:
        raise ValueError("bad padding")
    return np.pad(X, [(0, 0)] * (X.ndim - 2) + [(ph, ph), (pw, pw)])
'''

# Written differently from the solution: loops over output pixels, a while loop, np.pad
# (allowed outside pad2d), a receptive field computed from the output back.
LOOPS = {
    "conv_output_size": '''def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    if min(n, k, stride, dilation) < 1 or padding < 0:
        raise ValueError("bad arguments")
    count, start = 0, 0
    while start + dilation * (k - 1) <= n + 2 * padding - 1:
        count, start = count + 1, start + stride
    if count == 0:
        raise ValueError("does not fit")
    return count
''',
    "pad2d": NUMPY + '''def pad2d(X, padding):
    X = np.array(X, dtype=float)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    if X.ndim < 2 or ph < 0 or pw < 0:
        raise ValueError("bad padding")
    lead = X.shape[:-2]
    rows = np.zeros(lead + (ph, X.shape[-1]))
    X = np.concatenate([rows, X, rows], axis=-2)
    cols = np.zeros(lead + (X.shape[-2], pw))
    return np.concatenate([cols, X, cols], axis=-1)
''',
    "same_padding": '''def same_padding(k, dilation=1):
    if k < 1 or dilation < 1 or (dilation * (k - 1)) % 2:
        raise ValueError("no symmetric same padding")
    return dilation * (k - 1) // 2
''',
    "conv2d_forward": NUMPY + '''def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and len(np.ravel(b)) != w.shape[0] or (b is not None and np.ndim(b) != 1):
        raise ValueError("bias")
    sh, sw = as_pair(stride); ph, pw = as_pair(padding); dh, dw = as_pair(dilation)
    ho = conv_output_size(x.shape[2], w.shape[2], ph, sh, dh)
    wo = conv_output_size(x.shape[3], w.shape[3], pw, sw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((x.shape[0], w.shape[0], ho, wo))
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            for i in range(ho):
                for j in range(wo):
                    patch = xp[n, :, i * sh:i * sh + dh * (w.shape[2] - 1) + 1:dh,
                               j * sw:j * sw + dw * (w.shape[3] - 1) + 1:dw]
                    out[n, o, i, j] = np.sum(patch * w[o]) + (0.0 if b is None else b[o])
    return out
''',
    "maxpool2d_forward": _MAX_HEADER + _POOL_LOOPS.format("max"),
    "avgpool2d_forward": _AVG_HEADER + _POOL_LOOPS.format("mean"),
    "global_avg_pool": NUMPY + '''def global_avg_pool(x):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    return avgpool2d_forward(x, x.shape[2:]).reshape(x.shape[:2])
''',
    "receptive_field": '''def receptive_field(layers):
    size = 1
    for k, s, d in reversed(list(layers)):      # from the output back to the input
        if k < 1 or s < 1 or d < 1:
            raise ValueError("bad layer")
        size = (size - 1) * s + d * (k - 1) + 1
    return size
''',
}

# Vectorised: math.floor, fancy indexing (im2col), sliding_window_view and as_strided in
# the pooling (stride tricks are allowed there), a reduce over the layers.
VECTORIZED = {
    "conv_output_size": '''import math

def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    if n < 1 or k < 1 or padding < 0 or stride < 1 or dilation < 1:
        raise ValueError("bad arguments")
    size = math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1
    if size <= 0:
        raise ValueError("does not fit")
    return size
''',
    "conv2d_forward": NUMPY + '''def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bias")
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    o, c, kh, kw = w.shape
    ho = conv_output_size(x.shape[2], kh, ph, sh, dh)
    wo = conv_output_size(x.shape[3], kw, pw, sw, dw)
    xp = pad2d(x, (ph, pw))
    rows = (np.arange(ho) * sh)[:, None] + (np.arange(kh) * dh)[None, :]      # (ho, kh)
    cols = (np.arange(wo) * sw)[:, None] + (np.arange(kw) * dw)[None, :]      # (wo, kw)
    patches = xp[:, :, rows[:, None, :, None], cols[None, :, None, :]]  # N, C, ho, wo, kh, kw
    columns = patches.transpose(0, 2, 3, 1, 4, 5).reshape(x.shape[0], ho, wo, c * kh * kw)
    out = (columns @ w.reshape(o, -1).T).transpose(0, 3, 1, 2)
    return out if b is None else out + np.asarray(b, float)[:, None, None]
''',
    "maxpool2d_forward": _MAX_HEADER + '''    sliding = np.lib.stride_tricks.sliding_window_view
    return sliding(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].max(axis=(4, 5))
''',
    "avgpool2d_forward": _AVG_HEADER + '''    x = np.ascontiguousarray(x)
    n, c, hs, ws = x.strides
    view = np.lib.stride_tricks.as_strided(x, (x.shape[0], x.shape[1], ho, wo, kh, kw),
                                           (n, c, hs * sh, ws * sw, hs, ws), writeable=False)
    return view.mean(axis=(4, 5))
''',
    "global_avg_pool": _changed("global_avg_pool",
                                (_GAP, "x.sum(axis=(2, 3)) / (x.shape[2] * x.shape[3])")),
    "receptive_field": '''from functools import reduce

def _grow(state, layer):
    size, jump = state
    k, s, d = layer
    if min(k, s, d) < 1:
        raise ValueError("bad layer")
    return size + d * (k - 1) * jump, jump * s

def receptive_field(layers):
    return reduce(_grow, layers, (1, 1))[0]
''',
}

_NON_OVERLAPPING = _AVG_HEADER + '''    n, c, h, w = x.shape
    blocks = x[:, :, :h // kh * kh, :w // kw * kw].reshape(n, c, h // kh, kh, w // kw, kw)
    return blocks.mean(axis=(3, 5))
'''

_RF_BY_VIEWER = '''from source_lib.widgets import layer_geometry

def receptive_field(layers):
    if not layers:
        return 1
    return layer_geometry.measure_receptive_field(list(layers))[3][0]
'''

_RF_BY_AUTOGRAD = '''import torch

def receptive_field(layers):
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    y = x
    for k, s, d in layers:
        layer = torch.nn.Conv2d(1, 1, k, s, dilation=d)
        y = torch.nn.functional.avg_pool2d(y, 1) if k == 1 else layer(y)
    y[0, 0, 0, 0].backward()
    return int((x.grad[0, 0].abs().sum(0) > 0).sum())
'''

_TORCH = "import torch\nimport torch.nn.functional as F\n\n"

_CONV_BY_TORCH = "import numpy as np\n" + _TORCH + '''
def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    bias = None if b is None else torch.as_tensor(np.asarray(b, float))
    return F.conv2d(torch.as_tensor(np.asarray(x, float)), torch.as_tensor(np.asarray(w, float)),
                    bias, stride=stride, padding=padding, dilation=dilation).numpy()
'''

_CONV_BY_WINDOW_VIEW = '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    kh, kw = w.shape[2:]
    views = sliding_window_view(pad2d(x, (ph, pw)), ((kh - 1) * dh + 1, (kw - 1) * dw + 1),
                                axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.einsum("nchwuv,ocuv->nohw", views, w)
    return out if b is None else out + np.asarray(b)[:, None, None]
'''

_MAXPOOL_BY_TORCH = _TORCH + '''def maxpool2d_forward(x, kernel_size, stride=None):
    return F.max_pool2d(torch.as_tensor(x), kernel_size, stride).numpy()
'''

_MAXPOOL_BY_SCIPY = _MAX_HEADER + '''    from scipy import ndimage
    origin = (0, 0, -(kh // 2), -(kw // 2))
    filtered = ndimage.maximum_filter(x, size=(1, 1, kh, kw), origin=origin)
    return filtered[:, :, :sh * (ho - 1) + 1:sh, :sw * (wo - 1) + 1:sw]
'''

_GAP_BY_TORCH = _TORCH + '''def global_avg_pool(x):
    return F.adaptive_avg_pool2d(torch.as_tensor(x), 1).flatten(1).numpy()
'''

# Its own sizes: it must not call the broken conv_output_size of the same notebook.
_AVG_BY_STRIDE = _changed(
    "avgpool2d_forward", (_AVG, "total / (sh * sw)"),
    ("conv_output_size(x.shape[2], kh, 0, sh)", "(x.shape[2] - kh) // sh + 1"),
    ("w_out = conv_output_size(x.shape[3], kw, 0, sw)",
     "w_out = (x.shape[3] - kw) // sw + 1\n"
     "    if min(kh, kw, sh, sw, h_out, w_out) < 1:\n        raise ValueError('no window fits')"))

IMPLEMENTATIONS = [
    Implementation("loops", "every function with plain loops (right)", LOOPS),
    Implementation("vectorized", "im2col, stride tricks in the pooling, a reduce (right)",
                   VECTORIZED),
    # The one sample of "each mistake charged once": conv2d_forward and the pooling
    # functions are right but call this wrong conv_output_size; only its part may lose.
    Implementation("ceil_output_size", "conv_output_size rounds up (ceil instead of floor); its "
            "correct callers must not be charged",
            {"conv_output_size": _changed("conv_output_size", (_SIZE, "size = -(-(n + 2 * padding "
                                          "- dilation * (k - 1) - 1) // stride) + 1"))},
            {"test_conv_output_size": "rounded up"}),
    Implementation("same_padding_no_dilation", "same_padding ignores the dilation",
            {"same_padding": _changed("same_padding", ("span = dilation * (k - 1) + 1",
                                                       "span = k"))},
            {"test_same_padding": "dilation is ignored"}),
    Implementation("conv_pad_one_side", "conv2d_forward pads only the top and the left",
            {"conv2d_forward": _changed(
                "conv2d_forward", ("xp = pad2d(x, (ph, pw))",
                 "xp = pad2d(x, (ph, pw))[:, :, :x.shape[2] + ph, :x.shape[3] + pw]"),
                ("(x.shape[2], kh, ph,", "(x.shape[2] + ph, kh, 0,"),
                ("(x.shape[3], kw, pw,", "(x.shape[3] + pw, kw, 0,"))},
            {"test_conv2d_forward": "only one side"}),
    Implementation("conv_bias_per_position", "conv2d_forward adds the bias along the width axis",
            {"conv2d_forward": _changed("conv2d_forward",
                                        ("out += b[None, :, None, None]", "out += b"))},
            {"test_conv2d_forward": "per position"}),
    Implementation("pool_stride_one", "maxpool2d_forward defaults the stride to 1", {
            "maxpool2d_forward": _changed("maxpool2d_forward", ("(kh, kw) if", "(1, 1) if"))},
            {"test_maxpool2d_forward": "default to the kernel size"}),
    Implementation("pool_non_overlapping", "avgpool2d_forward reshapes into non-overlapping blocks "
            "whatever the stride",
            {"avgpool2d_forward": _NON_OVERLAPPING}, {"test_avgpool2d_forward": "do not overlap"}),
    Implementation("avg_wrong_count", "avgpool2d_forward divides by kh instead of kh * kw",
            {"avgpool2d_forward": _changed("avgpool2d_forward", (_AVG, "total / kh"))},
            {"test_avgpool2d_forward": "wrong count"}),
    Implementation("gap_keepdims", "global_avg_pool keeps (N, C, 1, 1)",
            {"global_avg_pool": _changed("global_avg_pool",
                                         (_GAP, "x.mean(axis=(2, 3), keepdims=True)"))},
            {"test_global_avg_pool": "kept the spatial axes"}),
    Implementation("rf_no_stride", "receptive_field adds d * (k - 1) per layer, strides ignored",
            {"receptive_field": _changed("receptive_field",
                                         (_RF_STEP, "size += dilation * (kernel - 1)"))},
            {"test_receptive_field": "strides are ignored"}),
    Implementation("rf_measured", "receptive_field measures the field with the viewer's autograd",
            {"receptive_field": _RF_BY_VIEWER}, {"test_receptive_field": "pure arithmetic"}),
    Implementation("pad2d_library", "pad2d calls np.pad (forbidden); conv2d_forward uses it and "
            "stays right", {"pad2d": _PAD2D_NP_PAD}, {"test_pad2d": "implement yourself"}),
    Implementation("diagram_misread", "diagram answers: padding of both sides in B, skipped cells "
            "as dilation in C",
            {"diagram_answers": _changed(
                "diagram_answers", ('"stride": 1, "padding": 1', '"stride": 1, "padding": 2'),
                ('"padding": 0, "dilation": 3}', '"padding": 0, "dilation": 2}'))},
            {"test_diagram_answers": "both sides"}),
    # A slip in every part; none of these functions calls the broken conv_output_size.
    Implementation("swaps_and_library", "arguments or axes swapped, even kernels accepted, "
            "F.conv2d and F.max_pool2d, wrong divisor/axes, strides counted early, diagram A/E",
            {"conv_output_size": _changed("conv_output_size",
                                          ("padding=0, stride=1,", "stride=1, padding=0,")),
             "pad2d": _changed("pad2d", ("height + 2 * ph, width + 2 * pw",
                                         "height + 2 * pw, width + 2 * ph"),
                               ("ph:ph + height, pw:pw + width", "pw:pw + height, ph:ph + width")),
             "same_padding": _changed("same_padding", (_EVEN_CHECK, "")),
             "conv2d_forward": _CONV_BY_TORCH,
             "maxpool2d_forward": _MAXPOOL_BY_TORCH,
             "avgpool2d_forward": _AVG_BY_STRIDE,
             "global_avg_pool": _changed("global_avg_pool", (_GAP, "x.mean(axis=(1, 2, 3))")),
             "receptive_field": _changed("receptive_field", (_RF_STEP, _RF_STEP + " * stride")),
             "diagram_answers": _changed("diagram_answers", ('"stride": 2, "padding": 0',
                                                             '"stride": 1, "padding": 0'),
                                         ('"output_size": 4', '"output_size": 5'))},
            {"test_conv_output_size": "padding and stride are swapped", "test_pad2d": "swapped",
             "test_same_padding": "even effective kernel",
             "test_conv2d_forward": "implement yourself", "test_receptive_field": "BEFORE",
             "test_maxpool2d_forward": "implement yourself",
             "test_avgpool2d_forward": "stride * stride", "test_global_avg_pool": "wrong axes",
             "test_diagram_answers": "Diagram A: (1) 'stride' is wrong"}),
    # conv2d_forward flips the kernel and calls the broken conv_output_size and pad2d: its
    # own slip is still named.
    Implementation("flips_and_library", "d*k in conv_output_size, np.pad, a flipped kernel, "
            "scipy and torch pooling, the dilation ignored in the receptive field",
            {"conv_output_size": _changed("conv_output_size", (
                _SIZE, "size = (n + 2 * padding - dilation * k) // stride + 1")),
             "pad2d": _PAD2D_NP_PAD,
             "conv2d_forward": _changed("conv2d_forward", (
                 "c_out, _, kh, kw = w.shape",
                 "w = w[:, :, ::-1, ::-1]             # a true convolution\n"
                 "    c_out, _, kh, kw = w.shape")),
             "maxpool2d_forward": _MAXPOOL_BY_SCIPY,
             "global_avg_pool": _GAP_BY_TORCH,
             "receptive_field": _changed("receptive_field",
                                         (_RF_STEP, "size += (kernel - 1) * jump"))},
            {"test_conv_output_size": "not d*k", "test_pad2d": "implement yourself",
             "test_conv2d_forward": "flipped the kernel",
             "test_maxpool2d_forward": "implement yourself",
             "test_global_avg_pool": "implement yourself",
             "test_receptive_field": "dilation is ignored"}),
    Implementation("stride_tricks_and_autograd", "conv2d_forward with sliding_window_view "
            "(forbidden there), receptive_field measured with autograd",
            {"conv2d_forward": _CONV_BY_WINDOW_VIEW, "receptive_field": _RF_BY_AUTOGRAD},
            {"test_conv2d_forward": "implement yourself",
             "test_receptive_field": "pure arithmetic"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("ceil_output_size", "conv_pad_one_side", "diagram_misread")
