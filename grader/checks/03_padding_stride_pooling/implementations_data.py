"""Sample sources for 03_padding_stride_pooling's implementations (implementations.py builds
the IMPLEMENTATIONS from them): right ones written differently from the solution, library
calls, and slips and limitations derived from the solution notebook's cells.
"""

from functools import partial

from grader.authoring.implementations import edited_solution

# Most samples start with this line, as a student's cell would.
NUMPY = "import numpy as np\n\n"

changed = partial(edited_solution, "03_padding_stride_pooling")

SIZE = "size = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1"
RF_STEP = "size += dilation * (kernel - 1) * jump"
GAP = "x.mean(axis=(2, 3))"
AVG = "total / (kh * kw)"
EVEN_CHECK = ('    if span % 2 == 0:\n        raise ValueError(f"the effective kernel {span} is '
               'even: no symmetric \'same\' padding")\n')

POOL_HEADER = NUMPY + '''def {name}(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError("expected (N, C, H, W)")
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    ho, wo = conv_output_size(x.shape[2], kh, 0, sh), conv_output_size(x.shape[3], kw, 0, sw)
'''
MAX_HEADER = POOL_HEADER.format(name="maxpool2d_forward")
AVG_HEADER = POOL_HEADER.format(name="avgpool2d_forward")

# A loop over output pixels, each window reduced at once (max or mean).
POOL_LOOPS = '''    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].{}(axis=(2, 3))
    return out
'''

PAD2D_NP_PAD = NUMPY + '''def pad2d(X, padding):
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
    "maxpool2d_forward": MAX_HEADER + POOL_LOOPS.format("max"),
    "avgpool2d_forward": AVG_HEADER + POOL_LOOPS.format("mean"),
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
    "maxpool2d_forward": MAX_HEADER + '''    sliding = np.lib.stride_tricks.sliding_window_view
    return sliding(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].max(axis=(4, 5))
''',
    "avgpool2d_forward": AVG_HEADER + '''    x = np.ascontiguousarray(x)
    n, c, hs, ws = x.strides
    view = np.lib.stride_tricks.as_strided(x, (x.shape[0], x.shape[1], ho, wo, kh, kw),
                                           (n, c, hs * sh, ws * sw, hs, ws), writeable=False)
    return view.mean(axis=(4, 5))
''',
    "global_avg_pool": changed("global_avg_pool",
                                (GAP, "x.sum(axis=(2, 3)) / (x.shape[2] * x.shape[3])")),
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

NON_OVERLAPPING = AVG_HEADER + '''    n, c, h, w = x.shape
    blocks = x[:, :, :h // kh * kh, :w // kw * kw].reshape(n, c, h // kh, kh, w // kw, kw)
    return blocks.mean(axis=(3, 5))
'''

RF_BY_VIEWER = '''from source_lib.widgets import layer_geometry

def receptive_field(layers):
    if not layers:
        return 1
    return layer_geometry.measure_receptive_field(list(layers))[3][0]
'''

RF_BY_AUTOGRAD = '''import torch

def receptive_field(layers):
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    y = x
    for k, s, d in layers:
        layer = torch.nn.Conv2d(1, 1, k, s, dilation=d)
        y = torch.nn.functional.avg_pool2d(y, 1) if k == 1 else layer(y)
    y[0, 0, 0, 0].backward()
    return int((x.grad[0, 0].abs().sum(0) > 0).sum())
'''

TORCH = "import torch\nimport torch.nn.functional as F\n\n"

CONV_BY_TORCH = "import numpy as np\n" + TORCH + '''
def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    bias = None if b is None else torch.as_tensor(np.asarray(b, float))
    return F.conv2d(torch.as_tensor(np.asarray(x, float)), torch.as_tensor(np.asarray(w, float)),
                    bias, stride=stride, padding=padding, dilation=dilation).numpy()
'''

CONV_BY_WINDOW_VIEW = '''import numpy as np
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

MAXPOOL_BY_TORCH = TORCH + '''def maxpool2d_forward(x, kernel_size, stride=None):
    return F.max_pool2d(torch.as_tensor(x), kernel_size, stride).numpy()
'''

MAXPOOL_BY_SCIPY = MAX_HEADER + '''    from scipy import ndimage
    origin = (0, 0, -(kh // 2), -(kw // 2))
    filtered = ndimage.maximum_filter(x, size=(1, 1, kh, kw), origin=origin)
    return filtered[:, :, :sh * (ho - 1) + 1:sh, :sw * (wo - 1) + 1:sw]
'''

GAP_BY_TORCH = TORCH + '''def global_avg_pool(x):
    return F.adaptive_avg_pool2d(torch.as_tensor(x), 1).flatten(1).numpy()
'''

# Its own sizes: it must not call the broken conv_output_size of the same notebook.
AVG_BY_STRIDE = changed(
    "avgpool2d_forward", (AVG, "total / (sh * sw)"),
    ("conv_output_size(x.shape[2], kh, 0, sh)", "(x.shape[2] - kh) // sh + 1"),
    ("w_out = conv_output_size(x.shape[3], kw, 0, sw)",
     "w_out = (x.shape[3] - kw) // sw + 1\n"
     "    if min(kh, kw, sh, sw, h_out, w_out) < 1:\n        raise ValueError('no window fits')"))

# ------------------------------------------------------------------ limitations
# One feature missing in a function otherwise right: only the test about that feature may
# charge it (the others check a form the function handles and say so in a note).
NO_DILATION = {   # dilation skipped everywhere, not even validated
    "conv_output_size": changed("conv_output_size", ("or stride < 1 or dilation < 1:",
                                                     "or stride < 1:"),
                                (SIZE, "size = (n + 2 * padding - k) // stride + 1")),
    "same_padding": changed("same_padding", ("if k < 1 or dilation < 1:", "if k < 1:"),
                            ("span = dilation * (k - 1) + 1", "span = k")),
    "conv2d_forward": changed("conv2d_forward", ("as_pair(padding), as_pair(dilation)",
                                                 "as_pair(padding), (1, 1)")),
    "receptive_field": changed("receptive_field",
                               ("kernel < 1 or stride < 1 or dilation < 1", "kernel < 1 or stride < 1"),
                               (RF_STEP, "size += (kernel - 1) * jump")),
}

_NOT_DIVIDING = "    if {}:\n        raise ValueError('the stride must divide the size exactly')\n"
DIVIDES_EXACTLY = {   # a ValueError unless the windows tile the input exactly
    "conv_output_size": changed("conv_output_size", (SIZE, _NOT_DIVIDING.format(
        "(n + 2 * padding - dilation * (k - 1) - 1) % stride").lstrip() + "    " + SIZE)),
    "conv2d_forward": changed("conv2d_forward", ("    xp = pad2d(x, (ph, pw))", _NOT_DIVIDING.format(
        "((x.shape[2] + 2 * ph - dh * (kh - 1) - 1) % sh\n"
        "            or (x.shape[3] + 2 * pw - dw * (kw - 1) - 1) % sw)")
        + "    xp = pad2d(x, (ph, pw))")),
    "avgpool2d_forward": changed("avgpool2d_forward", ("    total = np.zeros", _NOT_DIVIDING.format(
        "(x.shape[2] - kh) % sh or (x.shape[3] - kw) % sw") + "    total = np.zeros")),
}

INTS_ONLY = {   # int paddings and windows only; same_padding divides with /
    "pad2d": changed("pad2d", ("ph, pw = as_pair(padding)", "ph = pw = int(padding)")),
    "maxpool2d_forward": changed(
        "maxpool2d_forward", ("kh, kw = as_pair(kernel_size)", "kh = kw = kernel_size"),
        ("sh, sw = (kh, kw) if stride is None else as_pair(stride)",
         "sh = sw = kh if stride is None else stride")),
    "same_padding": changed("same_padding", ("return (span - 1) // 2", "return (span - 1) / 2")),
}

NO_NONE = {   # b=None and stride=None crash
    "conv2d_forward": changed("conv2d_forward", ("    if b is not None:\n        out += b[None",
                                                 "    if True:\n        out += b[None")),
    "maxpool2d_forward": changed("maxpool2d_forward", (
        "sh, sw = (kh, kw) if stride is None else as_pair(stride)", "sh, sw = as_pair(stride)")),
}

SQUARE_KERNELS = {"conv2d_forward": changed("conv2d_forward", (
    "c_out, _, kh, kw = w.shape", "c_out, _, kh, _ = w.shape\n    kw = kh               # square"))}

TWO_D_ONLY = {   # pad2d for an (H, W) array only; avgpool2d_forward crashes on stride=None
    "pad2d": changed("pad2d", ("if X.ndim < 2 or", "if X.ndim != 2 or")),
    "avgpool2d_forward": changed("avgpool2d_forward", (
        "sh, sw = (kh, kw) if stride is None else as_pair(stride)", "sh, sw = as_pair(stride)")),
}
