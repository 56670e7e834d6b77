"""Right and wrong implementations of 05_conv_backprop's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations).

Grading never depends on the layout of the student's cache: right implementations written
differently (loops with dict caches, index arrays with np.add.at, a torch-ops
Conv2dFunction) keep full marks. conv_transpose2d's samples are in transpose_samples.py. A wrong definition that is the reference's with one slip is
derived from reference.py (``_changed``), so it follows the reference when that changes.
"""

from grader.authoring.implementations import Implementation, edited_reference, reference_source
from grader.checking import load_reference

# Most samples start with this line, as a student's cell would.
NUMPY = "import numpy as np\n\n"

_ASSIGNMENT = "05_conv_backprop"


def _changed(name, *edits, helpers=()):
    """The reference's ``name`` with ``edits``, after the private helpers of reference.py it
    calls (the notebook has ``as_pair`` but not these)."""
    return "".join(reference_source(_ASSIGNMENT, helper) + "\n\n" for helper in helpers) + \
        edited_reference(_ASSIGNMENT, name, *edits)


# conv2d_backward_naive by output position; by default the solution's cache layout
# (x, w, b, (sh, sw), (ph, pw)), so the solution's Conv2dFunction keeps calling it.
_CONV_BACKWARD = NUMPY + '''def conv2d_backward_naive(dout, cache):
    {unpack}
    dout = np.asarray(dout, dtype=np.float64)
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
                   db="dout.sum(axis=(0, 2, 3))",
                   unpack="x, w, _, (sh, sw), (ph, pw) = cache\n"
                          "    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))"):
    return _CONV_BACKWARD.format(row=row, col=col, op=op, dx=dx, db=db, unpack=unpack)


_POOL_BACKWARD = NUMPY + '''def maxpool_backward_naive(dout, cache):
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

# ---------------------------------------------------------------- right, all loops
# Every function by explicit loops, with caches of their own (dicts), and a
# Conv2dFunction whose backward uses torch operations instead of the naive functions.
_LOOPS = {
    "conv1d_backward": NUMPY + '''def conv1d_backward(dout, x, w):
    dout, x, w = np.asarray(dout, float), np.asarray(x, float), np.asarray(w, float)
    if dout.ndim != 1 or x.ndim != 1 or w.ndim != 1 or len(w) == 0 or len(w) > len(x):
        raise ValueError("shapes")
    if len(dout) != len(x) - len(w) + 1:
        raise ValueError("dout")
    M = np.zeros((len(dout), len(x)))
    for i in range(len(dout)):
        M[i, i:i + len(w)] = w
    dw = np.array([sum(dout[i] * x[i + k] for i in range(len(dout))) for k in range(len(w))])
    return M.T @ dout, dw, dout.sum()
''',
    "conv2d_forward_naive": NUMPY + '''def conv2d_forward_naive(x, w, b, stride=1, padding=0):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bias")
    s, p = as_pair(stride), as_pair(padding)
    if min(s) < 1 or min(p) < 0:
        raise ValueError("settings")
    xp = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * p[0], x.shape[3] + 2 * p[1]))
    xp[:, :, p[0]:p[0] + x.shape[2], p[1]:p[1] + x.shape[3]] = x
    ho, wo = (xp.shape[2] - w.shape[2]) // s[0] + 1, (xp.shape[3] - w.shape[3]) // s[1] + 1
    if ho < 1 or wo < 1 or xp.shape[2] < w.shape[2] or xp.shape[3] < w.shape[3]:
        raise ValueError("fit")
    out = np.zeros((x.shape[0], w.shape[0], ho, wo))
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            for i in range(ho):
                for j in range(wo):
                    window = xp[n, :, i * s[0]:i * s[0] + w.shape[2], j * s[1]:j * s[1] + w.shape[3]]
                    out[n, o, i, j] = np.sum(window * w[o]) + (0 if b is None else b[o])
    return out, {"xp": xp, "w": w, "s": s, "p": p, "shape": x.shape}
''',
    "conv2d_backward_naive": _conv_backward(
        unpack='xp, w, (sh, sw), (ph, pw) = (cache[key] for key in ("xp", "w", "s", "p"))',
        dx='dxp[:, :, ph:ph + cache["shape"][2], pw:pw + cache["shape"][3]]',
        db="np.array([dout[:, o].sum() for o in range(dout.shape[1])])"),
    "maxpool_forward_naive": NUMPY + '''def maxpool_forward_naive(x, kernel_size, stride=None):
    x = np.asarray(x, float)
    if x.ndim != 4:
        raise ValueError("rank")
    k = as_pair(kernel_size)
    s = k if stride is None else as_pair(stride)
    if min(k) < 1 or min(s) < 1 or k[0] > x.shape[2] or k[1] > x.shape[3]:
        raise ValueError("sizes")
    ho, wo = (x.shape[2] - k[0]) // s[0] + 1, (x.shape[3] - k[1]) // s[1] + 1
    out = np.zeros(x.shape[:2] + (ho, wo))
    where = {}
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(ho):
                for j in range(wo):
                    best = None
                    for u in range(k[0]):
                        for v in range(k[1]):
                            value = x[n, c, i * s[0] + u, j * s[1] + v]
                            if best is None or value > best:
                                best, where[n, c, i, j] = value, (i * s[0] + u, j * s[1] + v)
                    out[n, c, i, j] = best
    return out, (x.shape, where)
''',
    "maxpool_backward_naive": NUMPY + '''def maxpool_backward_naive(dout, cache):
    shape, where = cache
    dx = np.zeros(shape)
    for (n, c, i, j), (r, q) in where.items():
        dx[n, c, r, q] += dout[n, c, i, j]
    return dx
''',
    "numerical_gradient": NUMPY + '''def numerical_gradient(f, x, dout, h=1e-5):
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.shape)
    flat = x.reshape(-1).copy()
    for i in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[i] += h
        minus[i] -= h
        grad.reshape(-1)[i] = (np.sum(f(plus.reshape(x.shape)) * dout)
                               - np.sum(f(minus.reshape(x.shape)) * dout)) / (2 * h)
    return grad
''',
    "Conv2dFunction": '''import torch
import torch.nn.functional as F

class Conv2dFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, stride=1, padding=0):
        ctx.save_for_backward(x, w)
        ctx.stride, ctx.padding = stride, padding
        return F.conv2d(x, w, b, stride=stride, padding=padding)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        s, p = ctx.stride, ctx.padding
        xp = F.pad(x, (p, p, p, p))
        dxp, dw = torch.zeros_like(xp), torch.zeros_like(w)
        ho, wo = grad.shape[2:]
        for u in range(w.shape[2]):
            for v in range(w.shape[3]):
                rows, cols = slice(u, u + s * (ho - 1) + 1, s), slice(v, v + s * (wo - 1) + 1, s)
                dxp[:, :, rows, cols] += torch.einsum("nohw,oc->nchw", grad, w[:, :, u, v])
                dw[:, :, u, v] = torch.einsum("nohw,nchw->oc", grad, xp[:, :, rows, cols])
        dx = dxp[:, :, p:p + x.shape[2], p:p + x.shape[3]]
        return dx, dw, grad.sum((0, 2, 3)), None, None
''',
}

_TRANSPOSE = load_reference(__file__, "transpose_samples")
_LOOPS["conv_transpose2d"] = _TRANSPOSE.LOOPS

# ------------------------------------------------- right, index arrays and np.add.at
_WINDOW_INDICES = '''
    rows = (np.arange(ho) * sh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wo) * sw)[None, :, None, None] + np.arange(kw)[None, None, None, :]
'''
_VECTORIZED = {
    "conv1d_backward": NUMPY + '''def conv1d_backward(dout, x, w):
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    if x.ndim != 1 or w.ndim != 1 or dout.ndim != 1 or not 0 < w.size <= x.size \\
            or dout.size != x.size - w.size + 1:
        raise ValueError("shapes")
    idx = np.arange(dout.size)[:, None] + np.arange(w.size)[None, :]
    dx = np.zeros_like(x)
    np.add.at(dx, idx, dout[:, None] * w[None, :])
    return dx, dout @ x[idx], float(np.sum(dout))
''',
    "conv2d_backward_naive": NUMPY + '''def conv2d_backward_naive(dout, cache):
    x, w, _, (sh, sw), (ph, pw) = cache
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = dout.shape[2:]''' + _WINDOW_INDICES + '''    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    patches = xp[:, :, rows, cols]                       # (n, c, ho, wo, kh, kw)
    dw = np.einsum("nohw,nchwuv->ocuv", dout, patches)
    dpatch = np.einsum("nohw,ocuv->nchwuv", dout, w)
    dxp = np.zeros_like(xp)
    r = np.broadcast_to(rows, (ho, wo, kh, kw))
    q = np.broadcast_to(cols, (ho, wo, kh, kw))
    np.add.at(dxp, (slice(None), slice(None), r, q), dpatch)
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw, dout.sum(axis=(0, 2, 3))
''',
    "maxpool_backward_naive": NUMPY + '''def maxpool_backward_naive(dout, cache):
    x, (kh, kw), (sh, sw) = cache
    n, c, ho, wo = dout.shape''' + _WINDOW_INDICES + '''    windows = x[:, :, rows, cols].reshape(n, c, ho, wo, kh * kw)
    first = windows.argmax(axis=-1)
    r = np.arange(ho)[None, None, :, None] * sh + first // kw
    q = np.arange(wo)[None, None, None, :] * sw + first % kw
    dx = np.zeros_like(x)
    np.add.at(dx, (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], r, q), dout)
    return dx
''',
    "numerical_gradient": NUMPY + '''def numerical_gradient(f, x, dout, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f(x).copy()
        x[i] = old - h
        fm = f(x).copy()
        x[i] = old
        grad[i] = np.sum((fp - fm) * dout) / (2 * h)
        it.iternext()
    return grad
''',
}

_VECTORIZED["conv_transpose2d"] = _TRANSPOSE.ADD_AT

# A right forward with a cache of its own layout (a dict), graded with a wrong backward that
# reads it: Conv2dFunction, which calls both, is re-checked with BOTH replaced by trusted
# copies (TRUSTED_TOGETHER) and keeps its points.
_DICT_CACHE_FORWARD = NUMPY + '''def conv2d_forward_naive(x, w, b, stride=1, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    (sh, sw), (ph, pw) = [(v, v) if np.isscalar(v) else tuple(v) for v in (stride, padding)]
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bias")
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = w.shape[2:]
    if xp.shape[2] < kh or xp.shape[3] < kw:
        raise ValueError("fit")
    h_out, w_out = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            window = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw]
            out[:, :, i, j] = np.tensordot(window, w, axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        out += np.asarray(b, dtype=np.float64)[None, :, None, None]
    return out, {"xp": xp, "w": w, "stride": (sh, sw)}
'''

# A Conv2dFunction whose backward hands the work to autograd (hidden from a plain search).
_AUTOGRAD_FUNCTION = '''import torch
import torch.nn.functional as F

class Conv2dFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b, stride=1, padding=0):
        ctx.save_for_backward(x, w, b)
        ctx.options = {"stride": stride, "padding": padding}
        return F.conv2d(x, w, b, **ctx.options)

    @staticmethod
    def backward(ctx, grad):
        with torch.enable_grad():
            x, w, b = (t.detach().requires_grad_(True) for t in ctx.saved_tensors)
            out = F.conv2d(x, w, b, **ctx.options)
            grads = getattr(torch.autograd, "gr" + "ad")(out, (x, w, b), grad)
        return (*grads, None, None)
'''

IMPLEMENTATIONS = [
    Implementation("loops_dict_caches", "every function by explicit loops with dict caches; "
            "Conv2dFunction's backward on torch operations", _LOOPS),
    Implementation("vectorized_add_at", "backward passes with index arrays and np.add.at; "
            "numerical_gradient with np.nditer", _VECTORIZED),
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
            {"test_conv2d_backward_naive": "still contains the padding"}),
    Implementation("conv_db_axes", "conv2d_backward_naive sums db over the positions only (not the batch)",
            {"conv2d_backward_naive": _conv_backward(db="dout.sum(axis=(2, 3))")},
            {"test_conv2d_backward_naive": "db has one entry per output channel"}),
    Implementation("conv1d_dx_not_flipped", "conv1d_backward correlates dout with w for dx",
            {"conv1d_backward": _changed("conv1d_backward", (
                "dx[k:k + len(dout)] += w[k] * dout", "dx[k:k + len(dout)] += w[len(w) - 1 - k] * dout"))},
            {"test_conv1d_backward": "the wrong way round"}),
    Implementation("pool_assign", "maxpool_backward_naive overwrites (=) instead of adding",
            {"maxpool_backward_naive": _POOL_BACKWARD.format(
                body="target.flat[window.argmax()] = dout[n, c, i, j]")},
            {"test_maxpool_backward_naive": "can share their maximum"}),
    Implementation("pool_ties_all", "maxpool_backward_naive sends dout to every tied maximum",
            {"maxpool_backward_naive": _POOL_BACKWARD.format(
                body="target[window == window.max()] += dout[n, c, i, j]")},
            {"test_maxpool_backward_naive": "ONE of them"}),
    Implementation("forward_difference", "numerical_gradient uses (f(x+h) - f(x)) / h",
            {"numerical_gradient": _changed("numerical_gradient", ("flat[i] = old - h", "flat[i] = old"),
                                            ("(plus - minus) / (2 * h)", "(plus - minus) / h"))},
            {"test_numerical_gradient": "forward difference"}),
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
    # Several slips in one notebook (graded once), each charged to its own part only.
    Implementation("slips_with_dict_cache", "dw reversed, the last tied maximum, dout left out of "
            "numerical_gradient, a padded dx read from a right forward's dict cache",
            {"conv1d_backward": _changed("conv1d_backward", (
                "for k in range(len(w))])", "for k in range(len(w))])[::-1]")),
             "maxpool_backward_naive": _POOL_BACKWARD.format(
                body="target.flat[np.flatnonzero(window == window.max())[-1]] += dout[n, c, i, j]"),
             "numerical_gradient": _changed("numerical_gradient", (
                "dout = np.asarray(dout, dtype=np.float64)", "dout = 1.0")),
             "conv2d_forward_naive": _DICT_CACHE_FORWARD,
             "conv2d_backward_naive": _conv_backward(
                unpack='xp, w, (sh, sw) = cache["xp"], cache["w"], cache["stride"]', dx="dxp")},
            {"test_conv1d_backward": "dw is reversed",
             "test_maxpool_backward_naive": "not the last one",
             "test_numerical_gradient": "upstream gradient dout is missing",
             "test_conv2d_backward_naive": "dx still contains the padding"}),
    Implementation("slips_with_autograd_function", "dx through the flipped kernel, no bias in the "
            "forward, numerical_gradient leaves x changed, Conv2dFunction calls autograd",
            {"conv2d_backward_naive": _changed("conv2d_backward_naive", (
                "dout, w[:, :, u, v])", "dout, w[:, :, kh - 1 - u, kw - 1 - v])"), helpers=("_size",)),
             "numerical_gradient": _changed(
                "numerical_gradient", ("x = np.array(x, ", "x = np.asarray(x, "),
                ("        flat[i] = old\n", "")),
             "Conv2dFunction": _AUTOGRAD_FUNCTION,
             "conv2d_forward_naive": _changed("conv2d_forward_naive", (
                "    if b is not None:\n        out += b[None, :, None, None]\n", ""),
                helpers=("_pair", "_size", "_check_conv"))},
            {"test_conv2d_backward_naive": "wrong way round",
             "test_numerical_gradient": "left x modified",
             "test_conv2d_function": "implement yourself",
             "test_conv2d_forward_naive": "the bias b[o] must be added"}),
]

# A forward's limitation is charged to the forward only.
IMPLEMENTATIONS += load_reference(__file__, "limits").IMPLEMENTATIONS
IMPLEMENTATIONS += load_reference(__file__, "named_slips").IMPLEMENTATIONS
# conv_transpose2d: right versions, one sample per misconception, its limitations
IMPLEMENTATIONS += _TRANSPOSE.IMPLEMENTATIONS

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("conv_backward_assign", "pool_ties_all")
