"""Right and wrong implementations of 03_padding_stride_pooling's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations)."""

from grader.authoring.implementations import Implementation

_POOL_HEADER = '''import numpy as np

def {name}(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError("expected (N, C, H, W)")
    kh, kw = as_pair(kernel_size)
'''

IMPLEMENTATIONS = [
    # The one sample of "each mistake charged once": conv2d_forward and the pooling
    # functions are right but call this wrong conv_output_size; only its part may lose.
    Implementation("ceil_output_size", "conv_output_size rounds up (ceil instead of floor); its "
            "correct callers must not be charged",
            {"conv_output_size": '''import math

def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    if n < 1 or k < 1 or padding < 0 or stride < 1 or dilation < 1:
        raise ValueError("bad arguments")
    size = math.ceil((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1
    if size < 1:
        raise ValueError("does not fit")
    return size
'''}, {"test_conv_output_size": "rounded up"}),
    Implementation("same_padding_no_dilation", "same_padding ignores the dilation",
            {"same_padding": '''def same_padding(k, dilation=1):
    if k < 1 or dilation < 1 or k % 2 == 0:
        raise ValueError("bad kernel")
    return (k - 1) // 2
'''}, {"test_same_padding": "dilation is ignored"}),
    Implementation("conv_pad_one_side", "conv2d_forward pads only the top and the left",
            {"conv2d_forward": '''import numpy as np

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("bad shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bad bias")
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, 0), (pw, 0)))
    kh, kw = w.shape[2:]
    h_out = conv_output_size(x.shape[2] + ph, kh, 0, sh, dh)
    w_out = conv_output_size(x.shape[3] + pw, kw, 0, sw, dw)
    out = np.zeros((x.shape[0], w.shape[0], h_out, w_out))
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u * dh:u * dh + sh * (h_out - 1) + 1:sh, v * dw:v * dw + sw * (w_out - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, u, v])
    if b is not None:
        out += np.asarray(b, dtype=np.float64)[None, :, None, None]
    return out
'''}, {"test_conv2d_forward": "only one side"}),
    Implementation("conv_bias_per_position", "conv2d_forward adds the bias along the width axis",
            {"conv2d_forward": '''import numpy as np

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("bad shapes")
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    kh, kw = w.shape[2:]
    h_out = conv_output_size(x.shape[2], kh, ph, sh, dh)
    w_out = conv_output_size(x.shape[3], kw, pw, sw, dw)
    xp = pad2d(x, (ph, pw))
    out = np.zeros((x.shape[0], w.shape[0], h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += np.asarray(b, dtype=np.float64)
    return out
'''}, {"test_conv2d_forward": "per position"}),
    Implementation("pool_stride_one", "maxpool2d_forward defaults the stride to 1",
            {"maxpool2d_forward": _POOL_HEADER.format(name="maxpool2d_forward") + '''    sh, sw = (1, 1) if stride is None else as_pair(stride)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    return windows.max(axis=(-2, -1))
'''}, {"test_maxpool2d_forward": "default to the kernel size"}),
    Implementation("pool_non_overlapping", "avgpool2d_forward reshapes into non-overlapping blocks "
            "whatever the stride",
            {"avgpool2d_forward": _POOL_HEADER.format(name="avgpool2d_forward") + '''    n, c, h, w = x.shape
    if kh > h or kw > w or kh < 1 or kw < 1 or (stride is not None and min(as_pair(stride)) < 1):
        raise ValueError("bad window")
    blocks = x[:, :, :h // kh * kh, :w // kw * kw].reshape(n, c, h // kh, kh, w // kw, kw)
    return blocks.mean(axis=(3, 5))
'''}, {"test_avgpool2d_forward": "do not overlap"}),
    Implementation("avg_wrong_count", "avgpool2d_forward divides by kh instead of kh * kw",
            {"avgpool2d_forward": _POOL_HEADER.format(name="avgpool2d_forward") + '''    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    h_out = conv_output_size(x.shape[2], kh, 0, sh)
    w_out = conv_output_size(x.shape[3], kw, 0, sw)
    out = np.zeros(x.shape[:2] + (h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].sum(axis=(2, 3)) / kh
    return out
'''}, {"test_avgpool2d_forward": "wrong count"}),
    Implementation("gap_keepdims", "global_avg_pool keeps (N, C, 1, 1)",
            {"global_avg_pool": '''import numpy as np

def global_avg_pool(x):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError("expected (N, C, H, W)")
    return x.mean(axis=(2, 3), keepdims=True)
'''}, {"test_global_avg_pool": "kept the spatial axes"}),
    Implementation("rf_no_stride", "receptive_field adds k - 1 per layer and ignores the strides",
            {"receptive_field": '''def receptive_field(layers):
    size = 1
    for k, s, d in layers:
        if k < 1 or s < 1 or d < 1:
            raise ValueError("bad layer")
        size += d * (k - 1)
    return size
'''}, {"test_receptive_field": "strides are ignored"}),
    Implementation("rf_measured", "receptive_field measures the field with the viewer's autograd code",
            {"receptive_field": '''from source_lib.widgets import layer_geometry

def receptive_field(layers):
    if not layers:
        return 1
    return layer_geometry.measure_receptive_field(list(layers))[3][0]
'''}, {"test_receptive_field": "pure arithmetic"}),
    Implementation("pad2d_library", "pad2d calls np.pad (forbidden); conv2d_forward uses it and "
            "stays right",
            {"pad2d": '''import numpy as np

def pad2d(X, padding):
    X = np.asarray(X, dtype=np.float64)
    ph, pw = as_pair(padding)
    if X.ndim < 2 or ph < 0 or pw < 0:
        raise ValueError("bad padding")
    return np.pad(X, [(0, 0)] * (X.ndim - 2) + [(ph, ph), (pw, pw)])
'''}, {"test_pad2d": "implement yourself"}),
    Implementation("diagram_misread", "diagram answers: padding of both sides in B, skipped cells "
            "as dilation in C",
            {"diagram_answers": '''def diagram_answers():
    return {
        "A": {"kernel_size": 3, "stride": 2, "padding": 0, "dilation": 1},
        "B": {"kernel_size": 3, "stride": 1, "padding": 2, "dilation": 1},
        "C": {"kernel_size": 3, "stride": 1, "padding": 0, "dilation": 2},
        "D": {"kernel_size": 2, "stride": 2, "padding": 2, "dilation": 3},
        "E": {"kernel_size": 3, "stride": 3, "padding": 1, "dilation": 2, "output_size": 4},
    }
'''}, {"test_diagram_answers": "both sides"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("ceil_output_size", "conv_pad_one_side", "diagram_misread")
