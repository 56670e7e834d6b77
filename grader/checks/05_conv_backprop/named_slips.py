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

IMPLEMENTATIONS = [
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
