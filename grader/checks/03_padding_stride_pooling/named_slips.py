"""03_padding_stride_pooling: wrong implementations written independently of the course
(another course's style: other names, loops or vectorised), each a classic slip that the
feedback must name instead of "right shape but wrong values" (appended to IMPLEMENTATIONS by
implementations.py).
"""

from grader.authoring.implementations import Implementation

# The output size uses the dilation; the windows are read as if there were none.
_DILATED_SIZE_PLAIN_WINDOW = '''import numpy as np

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    def two(v):
        v = (v, v) if np.isscalar(v) else tuple(v)
        if len(v) != 2:
            raise ValueError("expected an int or a pair")
        return int(v[0]), int(v[1])
    inp = np.asarray(x, dtype=float)
    wt = np.asarray(w, dtype=float)
    if inp.ndim != 4 or wt.ndim != 4 or inp.shape[1] != wt.shape[1]:
        raise ValueError("x must be (N, C, H, W) and w (F, C, KH, KW)")
    if b is not None and np.shape(b) != (wt.shape[0],):
        raise ValueError("b must be (F,)")
    (sy, sx), (py, px), (dy, dx) = two(stride), two(padding), two(dilation)
    if min(sy, sx, dy, dx) < 1 or min(py, px) < 0:
        raise ValueError("bad stride, padding or dilation")
    f, _, kh, kw = wt.shape
    hp, wp = inp.shape[2] + 2 * py, inp.shape[3] + 2 * px
    out_h = (hp - dy * (kh - 1) - 1) // sy + 1
    out_w = (wp - dx * (kw - 1) - 1) // sx + 1
    if out_h < 1 or out_w < 1:
        raise ValueError("the kernel does not fit")
    big = np.zeros((inp.shape[0], inp.shape[1], hp, wp))
    big[:, :, py:py + inp.shape[2], px:px + inp.shape[3]] = inp
    out = np.zeros((inp.shape[0], f, out_h, out_w))
    for r in range(out_h):
        for c in range(out_w):
            win = big[:, :, r * sy:r * sy + kh, c * sx:c * sx + kw]
            out[:, :, r, c] = np.tensordot(win, wt, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += np.asarray(b, dtype=float).reshape(1, -1, 1, 1)
    return out
'''

# The right output size; the columns of the windows do not step by the stride.
_STRIDE_ROWS_ONLY = _DILATED_SIZE_PLAIN_WINDOW.replace(
    "win = big[:, :, r * sy:r * sy + kh, c * sx:c * sx + kw]",
    "win = big[:, :, r * sy:r * sy + dy * (kh - 1) + 1:dy, c:c + dx * (kw - 1) + 1:dx]")

_POOL_STRIDE_ROWS_ONLY = '''import numpy as np

def maxpool2d_forward(x, kernel_size, stride=None):
    def pair(v):
        return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))
    a = np.asarray(x, dtype=float)
    if a.ndim != 4:
        raise ValueError("x must be (N, C, H, W)")
    kh, kw = pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else pair(stride)
    if min(kh, kw, sh, sw) < 1 or kh > a.shape[2] or kw > a.shape[3]:
        raise ValueError("bad window")
    oh, ow = (a.shape[2] - kh) // sh + 1, (a.shape[3] - kw) // sw + 1
    res = np.empty(a.shape[:2] + (oh, ow))
    for i in range(oh):
        for j in range(ow):
            res[:, :, i, j] = a[:, :, i * sh:i * sh + kh, j:j + kw].max(axis=(2, 3))
    return res
'''

# The bias loop indexes the last (width) axis with the channel: out[..., o] += b[o].
_BIAS_ON_WIDTH = _DILATED_SIZE_PLAIN_WINDOW.replace(
    "win = big[:, :, r * sy:r * sy + kh, c * sx:c * sx + kw]",
    "win = big[:, :, r * sy:r * sy + dy * (kh - 1) + 1:dy, c * sx:c * sx + dx * (kw - 1) + 1:dx]"
).replace("        out += np.asarray(b, dtype=float).reshape(1, -1, 1, 1)",
          "        for o in range(f):\n            out[..., o] += b[o]")

IMPLEMENTATIONS = [
    Implementation("bias_on_width_axis", "conv2d_forward adds b[o] with out[..., o] (column "
                   "o, not channel o)", {"conv2d_forward": _BIAS_ON_WIDTH},
                   {"test_conv2d_forward": "the bias was added per position"}),
    Implementation("conv_stride_rows_only", "conv2d_forward steps its windows by the stride "
                   "down the rows but by 1 across the columns",
                   {"conv2d_forward": _STRIDE_ROWS_ONLY},
                   {"test_conv2d_forward": "stride is applied on one axis only"}),
    Implementation("pool_stride_rows_only", "maxpool2d_forward steps its windows by the stride "
                   "down the rows but by 1 across the columns",
                   {"maxpool2d_forward": _POOL_STRIDE_ROWS_ONLY},
                   {"test_maxpool2d_forward": "stride is applied on one axis only"}),
    Implementation("dilated_size_plain_window", "conv2d_forward sizes its output with the "
                   "dilation but reads each window without gaps",
                   {"conv2d_forward": _DILATED_SIZE_PLAIN_WINDOW},
                   {"test_conv2d_forward": "windows ignore dilation"}),
]
