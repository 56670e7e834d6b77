"""Right and wrong implementations of 05_conv_backprop's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations)."""

from grader.authoring.implementations import Implementation

# conv2d_backward_naive with one slip each; the signature and cache layout of the solution
# (x, w, b, (sh, sw), (ph, pw)), so the solution's Conv2dFunction keeps calling it.
_CONV_BACKWARD = '''import numpy as np

def conv2d_backward_naive(dout, cache):
    x, w, _, (sh, sw), (ph, pw) = cache
    dout = np.asarray(dout, dtype=np.float64)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    kh, kw = w.shape[2:]
    for n in range(dout.shape[0]):
        for o in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    r, c = {row}, {col}
                    dxp[n, :, r:r + kh, c:c + kw] {op} w[o] * dout[n, o, i, j]
                    dw[o] += xp[n, :, r:r + kh, c:c + kw] * dout[n, o, i, j]
    dx = {dx}
    return dx, dw, {db}
'''


def _conv_backward(row="i * sh", col="j * sw", op="+=",
                   dx="dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]",
                   db="dout.sum(axis=(0, 2, 3))"):
    return _CONV_BACKWARD.format(row=row, col=col, op=op, dx=dx, db=db)


_POOL_BACKWARD = '''import numpy as np

def maxpool_backward_naive(dout, cache):
    x, (kh, kw), (sh, sw) = cache
    dout = np.asarray(dout, dtype=np.float64)
    dx = np.zeros_like(x)
    for n in range(dout.shape[0]):
        for c in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    target = dx[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    {body}
    return dx
'''

IMPLEMENTATIONS = [
    # "Each mistake charged once": Conv2dFunction is right but calls this wrong backward;
    # only conv2d_backward_naive's part may lose points.
    Implementation("conv_backward_assign", "conv2d_backward_naive writes dx with = instead of +=; "
            "the correct Conv2dFunction that calls it must not be charged",
            {"conv2d_backward_naive": _conv_backward(op="=")},
            {"test_conv2d_backward_naive": "accumulate with +="}),
    Implementation("conv_backward_no_stride", "conv2d_backward_naive places window (i, j) at (i, j)",
            {"conv2d_backward_naive": _conv_backward(row="i", col="j")},
            {"test_conv2d_backward_naive": "ignores the stride"}),
    Implementation("conv_backward_keeps_padding", "conv2d_backward_naive returns the padded dx",
            {"conv2d_backward_naive": _conv_backward(dx="dxp")},
            {"test_conv2d_backward_naive": "still contains the padding"},
            ),
    Implementation("conv_db_axes", "conv2d_backward_naive sums db over the positions only (not the batch)",
            {"conv2d_backward_naive": _conv_backward(db="dout.sum(axis=(2, 3))")},
            {"test_conv2d_backward_naive": "db has one entry per output channel"},
            ),
    Implementation("conv1d_dx_not_flipped", "conv1d_backward correlates dout with w for dx",
            {"conv1d_backward": '''import numpy as np

def conv1d_backward(dout, x, w):
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    if x.ndim != 1 or w.ndim != 1 or dout.ndim != 1 or not 1 <= len(w) <= len(x):
        raise ValueError("bad shapes")
    if len(dout) != len(x) - len(w) + 1:
        raise ValueError("bad dout")
    padded = np.concatenate([np.zeros(len(w) - 1), dout, np.zeros(len(w) - 1)])
    dx = np.array([padded[m:m + len(w)] @ w for m in range(len(x))])
    dw = np.array([dout @ x[k:k + len(dout)] for k in range(len(w))])
    return dx, dw, float(dout.sum())
'''}, {"test_conv1d_backward": "the wrong way round"}),
    Implementation("pool_assign", "maxpool_backward_naive overwrites (=) instead of adding",
            {"maxpool_backward_naive": _POOL_BACKWARD.format(
                body="target.flat[window.argmax()] = dout[n, c, i, j]")},
            {"test_maxpool_backward_naive": "can share their maximum"}),
    Implementation("pool_ties_all", "maxpool_backward_naive sends dout to every tied maximum",
            {"maxpool_backward_naive": _POOL_BACKWARD.format(
                body="target[window == window.max()] += dout[n, c, i, j]")},
            {"test_maxpool_backward_naive": "ONE of them"}),
    Implementation("forward_difference", "numerical_gradient uses (f(x+h) - f(x)) / h",
            {"numerical_gradient": '''import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
    x = np.array(x, dtype=np.float64)
    base = np.sum(f(x) * dout)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + h
        grad[index] = (np.sum(f(x) * dout) - base) / h
        x[index] = old
    return grad
'''}, {"test_numerical_gradient": "forward difference"}),
    Implementation("autograd_backward", "conv2d_backward_naive lets torch autograd do the work",
            {"conv2d_backward_naive": '''import numpy as np
import torch
import torch.nn.functional as F

def conv2d_backward_naive(dout, cache):
    x, w, b, stride, padding = cache
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    bt = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    out = F.conv2d(xt, wt, bt, stride=stride, padding=padding)
    out.backward(torch.tensor(dout))
    return xt.grad.numpy(), wt.grad.numpy(), bt.grad.numpy()
'''}, {"test_conv2d_backward_naive": "implement yourself"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("conv_backward_assign", "pool_ties_all")
