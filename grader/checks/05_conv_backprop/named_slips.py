"""05_conv_backprop: wrong implementations written independently of the course (another
course's style: other names, loops or vectorised), each a classic slip that the feedback must
name instead of "right shape but wrong values" (appended to IMPLEMENTATIONS by
implementations.py). The backward passes read the solution's cache (x, w, b, (sh, sw),
(ph, pw)), so the solution's forward and Conv2dFunction keep working with them.
"""

from grader.authoring.implementations import Implementation

# The batch treated like a mean-reduced loss: db (and only db) divided by N.
_DB_BATCH_MEAN = '''import numpy as np

def conv2d_backward_naive(dout, cache):
    inp, weight, _, (step_r, step_c), (pad_r, pad_c) = cache
    g = np.asarray(dout, dtype=float)
    batch, chans, rows, cols = inp.shape
    fil, _, kr, kc = weight.shape
    big = np.zeros((batch, chans, rows + 2 * pad_r, cols + 2 * pad_c))
    big[:, :, pad_r:pad_r + rows, pad_c:pad_c + cols] = inp
    d_big = np.zeros_like(big)
    d_weight = np.zeros_like(weight)
    for u in range(kr):
        for v in range(kc):
            r_end = u + step_r * (g.shape[2] - 1) + 1
            c_end = v + step_c * (g.shape[3] - 1) + 1
            taps = big[:, :, u:r_end:step_r, v:c_end:step_c]        # (N, C, Ho, Wo)
            d_weight[:, :, u, v] = np.einsum("nfij,ncij->fc", g, taps)
            d_big[:, :, u:r_end:step_r, v:c_end:step_c] += np.einsum(
                "nfij,fc->ncij", g, weight[:, :, u, v])
    d_bias = g.sum(axis=(2, 3)).mean(axis=0)                       # one value per filter
    return d_big[:, :, pad_r:pad_r + rows, pad_c:pad_c + cols], d_weight, d_bias
'''

# x perturbed in place (on a copy), the entry left at x[i] - h.
_NOT_RESTORED = '''import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
    point = np.array(x, dtype=np.float64)      # a copy: the caller's x stays as it was
    weights = np.asarray(dout, dtype=np.float64)
    grad = np.zeros(point.shape)
    it = np.nditer(point, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        point[idx] += h
        up = float(np.sum(f(point) * weights))
        point[idx] -= 2 * h
        down = float(np.sum(f(point) * weights))
        grad[idx] = (up - down) / (2 * h)
        it.iternext()
    return grad
'''

# dw divided by N (a "mean over the batch"), db summed.
_DW_BATCH_MEAN = _DB_BATCH_MEAN.replace(
    'd_weight[:, :, u, v] = np.einsum("nfij,ncij->fc", g, taps)',
    'd_weight[:, :, u, v] = np.einsum("nfij,ncij->fc", g, taps) / batch').replace(
    "d_bias = g.sum(axis=(2, 3)).mean(axis=0)", "d_bias = g.sum(axis=(0, 2, 3))")

# Right output size; the columns of the windows do not step by the stride.
_CONV_STRIDE_ROWS_ONLY = '''import numpy as np

def conv2d_forward_naive(x, w, b, stride=1, padding=0):
    def two(v):
        return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))
    data = np.asarray(x, dtype=float)
    filt = np.asarray(w, dtype=float)
    if data.ndim != 4 or filt.ndim != 4 or data.shape[1] != filt.shape[1]:
        raise ValueError("x (N, C, H, W) and w (F, C, KH, KW) expected")
    bias = None if b is None else np.asarray(b, dtype=float)
    if bias is not None and bias.shape != (filt.shape[0],):
        raise ValueError("b must be (F,)")
    (sr, sc), (pr, pc) = two(stride), two(padding)
    if min(sr, sc) < 1 or min(pr, pc) < 0:
        raise ValueError("bad stride or padding")
    kr, kc = filt.shape[2:]
    padded = np.pad(data, ((0, 0), (0, 0), (pr, pr), (pc, pc)))
    rows = (padded.shape[2] - kr) // sr + 1
    cols = (padded.shape[3] - kc) // sc + 1
    if rows < 1 or cols < 1:
        raise ValueError("kernel too large")
    out = np.zeros((data.shape[0], filt.shape[0], rows, cols))
    for r in range(rows):
        for c in range(cols):
            patch = padded[:, :, r * sr:r * sr + kr, c:c + kc]
            out[:, :, r, c] = np.einsum("nchw,fchw->nf", patch, filt)
    if bias is not None:
        out += bias[None, :, None, None]
    return out, (data, filt, bias, (sr, sc), (pr, pc))
'''

# Average instead of maximum (the cache as the solution's backward reads it).
_POOL_MEAN = '''import numpy as np

def maxpool_forward_naive(x, kernel_size, stride=None):
    def two(v):
        return (int(v[0]), int(v[1])) if isinstance(v, (tuple, list)) else (int(v), int(v))
    x = np.asarray(x, dtype=float)
    kh, kw = two(kernel_size)
    sh, sw = (kh, kw) if stride is None else two(stride)
    if x.ndim != 4 or min(kh, kw, sh, sw) < 1 or kh > x.shape[2] or kw > x.shape[3]:
        raise ValueError("bad input or window")
    out = np.zeros(x.shape[:2] + ((x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1))
    for i in range(out.shape[2]):
        for j in range(out.shape[3]):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].mean(axis=(2, 3))
    return out, (x, (kh, kw), (sh, sw))
'''

# Maximum, right output size, but window (i, j) read at (i, j).
_POOL_UNSTRIDED_WINDOWS = _POOL_MEAN.replace(
    "x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].mean(axis=(2, 3))",
    "x[:, :, i:i + kh, j:j + kw].max(axis=(2, 3))")

IMPLEMENTATIONS = [
    Implementation("pool_forward_unstrided_windows", "maxpool_forward_naive has the strided "
                   "output size but reads window (i, j) at (i, j)",
                   {"maxpool_forward_naive": _POOL_UNSTRIDED_WINDOWS},
                   {"test_maxpool_forward_naive": "must start at row i * stride"}),
    Implementation("forward_stride_rows_only", "conv2d_forward_naive steps its windows by the "
                   "stride down the rows but by 1 across the columns",
                   {"conv2d_forward_naive": _CONV_STRIDE_ROWS_ONLY},
                   {"test_conv2d_forward_naive": "stride is applied on one axis only"}),
    Implementation("pool_forward_mean", "maxpool_forward_naive averages each window",
                   {"maxpool_forward_naive": _POOL_MEAN},
                   {"test_maxpool_forward_naive": "you averaged the windows"}),
    Implementation("dw_batch_mean", "conv2d_backward_naive (per-tap einsum) divides dw by the "
                   "batch size", {"conv2d_backward_naive": _DW_BATCH_MEAN},
                   {"test_conv2d_backward_naive": "dw is averaged over the batch"}),
    Implementation("db_batch_mean", "conv2d_backward_naive (per-tap einsum) averages db over "
                   "the batch instead of summing", {"conv2d_backward_naive": _DB_BATCH_MEAN},
                   {"test_conv2d_backward_naive": "db is averaged over the batch"}),
    Implementation("gradient_not_restored", "numerical_gradient (np.nditer) leaves each entry "
                   "at x[i] - h after its perturbation", {"numerical_gradient": _NOT_RESTORED},
                   {"test_numerical_gradient": "not restored after its perturbation"}),
]
