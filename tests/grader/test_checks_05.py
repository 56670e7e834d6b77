"""The hidden checks of 05_conv_backprop, graded through the real worker.

Right implementations written differently (loops with a dict cache, index arrays with
np.add.at, a torch-ops Conv2dFunction) must get full marks: grading never depends on the
layout of the student's cache. Wrong ones lose points on their own part only, with the
mistake named. Each variant set is one notebook, graded once.
"""

from pathlib import Path

import nbformat
import pytest
from variant_grading import (assert_full_marks, assert_mistakes_named, assert_no_expected_values,
                             grade_variant, wrong_cells)

ASSIGNMENT = "05_conv_backprop"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks05")]

RIGHT_LOOPS = {
    "conv1d_backward": '''
import numpy as np

def conv1d_backward(dout, x, w):
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
    "conv2d_forward_naive": '''
import numpy as np

def conv2d_forward_naive(x, w, b, stride=1, padding=0):
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
    "conv2d_backward_naive": '''
import numpy as np

def conv2d_backward_naive(dout, cache):
    xp, w, s, p = cache["xp"], cache["w"], cache["s"], cache["p"]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    kh, kw = w.shape[2:]
    for n in range(dout.shape[0]):
        for o in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    r, c = i * s[0], j * s[1]
                    dxp[n, :, r:r + kh, c:c + kw] += w[o] * dout[n, o, i, j]
                    dw[o] += xp[n, :, r:r + kh, c:c + kw] * dout[n, o, i, j]
    h, wd = cache["shape"][2:]
    db = np.array([dout[:, o].sum() for o in range(dout.shape[1])])
    return dxp[:, :, p[0]:p[0] + h, p[1]:p[1] + wd], dw, db
''',
    "maxpool_forward_naive": '''
import numpy as np

def maxpool_forward_naive(x, kernel_size, stride=None):
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
    "maxpool_backward_naive": '''
import numpy as np

def maxpool_backward_naive(dout, cache):
    shape, where = cache
    dx = np.zeros(shape)
    for (n, c, i, j), (r, q) in where.items():
        dx[n, c, r, q] += dout[n, c, i, j]
    return dx
''',
    "numerical_gradient": '''
import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
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
    "Conv2dFunction": '''
import torch
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

RIGHT_VECTORIZED = {
    "conv1d_backward": '''
import numpy as np

def conv1d_backward(dout, x, w):
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    if x.ndim != 1 or w.ndim != 1 or dout.ndim != 1 or not 0 < w.size <= x.size \\
            or dout.size != x.size - w.size + 1:
        raise ValueError("shapes")
    idx = np.arange(dout.size)[:, None] + np.arange(w.size)[None, :]
    dx = np.zeros_like(x)
    np.add.at(dx, idx, dout[:, None] * w[None, :])
    return dx, dout @ x[idx], float(np.sum(dout))
''',
    "conv2d_backward_naive": '''
import numpy as np

def conv2d_backward_naive(dout, cache):
    x, w, _, (sh, sw), (ph, pw) = cache
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = dout.shape[2:]
    rows = (np.arange(ho) * sh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wo) * sw)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw))
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
    "maxpool_backward_naive": '''
import numpy as np

def maxpool_backward_naive(dout, cache):
    x, (kh, kw), (sh, sw) = cache
    n, c, ho, wo = dout.shape
    rows = (np.arange(ho) * sh)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wo) * sw)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    windows = x[:, :, rows, cols].reshape(n, c, ho, wo, kh * kw)
    first = windows.argmax(axis=-1)
    r = np.arange(ho)[None, None, :, None] * sh + first // kw
    q = np.arange(wo)[None, None, None, :] * sw + first % kw
    dx = np.zeros_like(x)
    np.add.at(dx, (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], r, q), dout)
    return dx
''',
    "numerical_gradient": '''
import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
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

# part -> (replacement source, phrase the feedback must contain)
WRONG_A = {
    "test_conv1d_backward": ('''
import numpy as np

def conv1d_backward(dout, x, w):
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    if x.ndim != 1 or w.ndim != 1 or dout.ndim != 1 or not 0 < w.size <= x.size \\
            or dout.size != x.size - w.size + 1:
        raise ValueError("shapes")
    dx = np.zeros_like(x)
    for k in range(len(w)):
        dx[k:k + len(dout)] += w[k] * dout
    dw = np.array([dout @ x[k:k + len(dout)] for k in range(len(w))])[::-1]
    return dx, dw, float(dout.sum())
''', "dw is reversed"),
    "test_maxpool_backward_naive": ('''
import numpy as np

def maxpool_backward_naive(dout, cache):
    x, (kh, kw), (sh, sw) = cache
    dx = np.zeros_like(x)
    for n in range(dout.shape[0]):
        for c in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    u, v = np.argwhere(window == window.max())[-1]
                    dx[n, c, i * sh + u, j * sw + v] += dout[n, c, i, j]
    return dx
''', "not the last one"),
    "test_numerical_gradient": ('''
import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.sum(f(x))
        x[i] = old - h
        minus = np.sum(f(x))
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad
''', "upstream gradient dout is missing"),
    # with a right forward whose cache is a dict (its own layout): Conv2dFunction, which
    # reuses the pair, must be re-checked with BOTH trusted (TRUSTED_TOGETHER) and keep its points
    "test_conv2d_backward_naive": ('''
import numpy as np

def conv2d_backward_naive(dout, cache):
    xp, w, (sh, sw) = cache["xp"], cache["w"], cache["stride"]
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    kh, kw = w.shape[2:]
    for n in range(dout.shape[0]):
        for o in range(dout.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
                    dw[o] += dout[n, o, i, j] * xp[n, :, rows, cols]
                    dxp[n, :, rows, cols] += dout[n, o, i, j] * w[o]
    return dxp, dw, dout.sum(axis=(0, 2, 3))
''', "dx still contains the padding"),
}
# Right: the forward graded with WRONG_A (its cache is a dict, unlike the solution's).
DICT_CACHE_FORWARD = '''
import numpy as np

def conv2d_forward_naive(x, w, b, stride=1, padding=0):
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

WRONG_B = {
    "test_conv2d_backward_naive": ('''
import numpy as np

def conv2d_backward_naive(dout, cache):
    x, w, _, (sh, sw), (ph, pw) = cache
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    kh, kw = w.shape[2:]
    ho, wo = dout.shape[2:]
    wf = w[:, :, ::-1, ::-1]
    for u in range(kh):
        for v in range(kw):
            rows, cols = slice(u, u + sh * (ho - 1) + 1, sh), slice(v, v + sw * (wo - 1) + 1, sw)
            dxp[:, :, rows, cols] += np.einsum("nohw,oc->nchw", dout, wf[:, :, u, v])
            dw[:, :, u, v] = np.einsum("nohw,nchw->oc", dout, xp[:, :, rows, cols])
    return dxp[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]], dw, dout.sum(axis=(0, 2, 3))
''', "wrong way round"),
    "test_numerical_gradient": ('''
import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
    x = np.asarray(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = np.sum(f(x) * dout)
        x[i] = old - h
        grad[i] = (plus - np.sum(f(x) * dout)) / (2 * h)
    return grad
''', "left x modified"),
}

WRONG_B.update({
    "test_conv2d_function": ('''
import torch
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
''', "implement yourself"),
    "test_conv2d_forward_naive": ('''
import numpy as np

def conv2d_forward_naive(x, w, b, stride=1, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bias")
    (sh, sw), (ph, pw) = as_pair(stride), as_pair(padding)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    kh, kw = w.shape[2:]
    if xp.shape[2] < kh or xp.shape[3] < kw:
        raise ValueError("fit")
    h_out, w_out = (xp.shape[2] - kh) // sh + 1, (xp.shape[3] - kw) // sw + 1
    out = np.zeros((x.shape[0], w.shape[0], h_out, w_out))
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u:u + sh * (h_out - 1) + 1:sh, v:v + sw * (w_out - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, u, v])
    return out, (x, w, b, (sh, sw), (ph, pw))
''', "the bias b[o] must be added"),
})


def _grade(tmp_path_factory, name, replacements):
    return grade_variant(tmp_path_factory, ASSIGNMENT, name, replacements)


def _wrong(variants):
    return wrong_cells(variants, {"test_conv2d_function": "Conv2dFunction"})


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return {name: _grade(tmp_path_factory, name, replacements)
            for name, replacements in [("loops", RIGHT_LOOPS), ("vectorized", RIGHT_VECTORIZED),
                                       ("wrong_a", {**_wrong(WRONG_A),
                                                    "conv2d_forward_naive": DICT_CACHE_FORWARD}), ("wrong_b", _wrong(WRONG_B))]}


@pytest.mark.parametrize("variant", ["loops", "vectorized"])
def test_right_implementations_get_full_marks(graded, variant):
    assert_full_marks(graded[variant])


@pytest.mark.parametrize("variant, variants", [("wrong_a", WRONG_A), ("wrong_b", WRONG_B)])
def test_wrong_implementations_lose_points_with_the_mistake_named(graded, variant, variants):
    assert_mistakes_named(graded[variant], variants)


def test_messages_never_show_expected_values(graded):
    assert_no_expected_values(graded[v] for v in ("wrong_a", "wrong_b"))


HIDDEN_AUTOGRAD = '''
import numpy as np
import torch

def forward(x):
    return x * 2, x

def backward_hidden_grad(dout, cache):
    t = torch.tensor(cache, requires_grad=True)
    g, = getattr(torch.autograd, "gr" + "ad")((t * 2).sum(), t)
    return g.numpy()
'''


def test_hidden_autograd_is_caught_at_run_time_and_charged_to_the_backward():
    import numpy as np

    import grader
    from grader.checking import NO_AUTOGRAD, load_reference
    from grader.errors import ForbiddenOperation
    from grader.grading.definitions import extract_definitions
    from grader.grading.student import StudentProxy
    pairs = load_reference(Path(grader.__file__).parent / "checks" / ASSIGNMENT / "reference.py",
                           "pairs")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(HIDDEN_AUTOGRAD)]
    with StudentProxy(extract_definitions(notebook), default_timeout=20) as student:
        with pytest.raises(ForbiddenOperation, match="backward_hidden_grad"):
            pairs.run_pair(student, "forward", "backward_hidden_grad", (np.ones(3),), np.ones(3),
                           forbid_backward=NO_AUTOGRAD)
        got = pairs.run_pair(student, "forward", "backward_hidden_grad", (np.ones(3),), np.ones(3))
        assert np.allclose(got[1], 2.0)
