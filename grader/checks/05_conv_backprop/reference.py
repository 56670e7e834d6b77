"""Reference solutions for 05_conv_backprop: the specification the hidden checks use.

Trusted code: imported only by the grading process, never by the student's worker,
never released. Caches are plain tuples of arrays and ints so that a reference
function can also be served to a student's caller as a trusted callee.
"""

import numpy as np


def _pair(value, name):
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def _size(n, k, padding, stride):
    if n < 1 or k < 1 or padding < 0 or stride < 1:
        raise ValueError("need n >= 1, k >= 1, padding >= 0, stride >= 1")
    size = (n + 2 * padding - k) // stride + 1
    if size < 1:
        raise ValueError("the kernel does not fit in the padded input")
    return int(size)


def conv1d_forward(x, w, b=0.0):
    """Valid stride-1 correlation y[i] = b + sum_k w[k] x[i + k] (the forward of conv1d_backward)."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    n_out = len(x) - len(w) + 1
    return b + np.array([w @ x[i:i + len(w)] for i in range(n_out)])


def conv1d_backward(dout, x, w):
    """Gradients of y = correlate_valid(x, w) + b: dx (L,), dw (K,), db (float).

    dx = full convolution of dout with w (= M^T dout), dw[k] = sum_i dout[i] x[i + k],
    db = sum(dout). ValueError unless x, w, dout are 1-D, 1 <= K <= L and len(dout) = L - K + 1.
    """
    dout, x, w = (np.asarray(a, dtype=np.float64) for a in (dout, x, w))
    if x.ndim != 1 or w.ndim != 1 or dout.ndim != 1 or not 1 <= len(w) <= len(x):
        raise ValueError("x, w and dout must be 1-D with 1 <= len(w) <= len(x)")
    if len(dout) != len(x) - len(w) + 1:
        raise ValueError("dout must have length len(x) - len(w) + 1")
    dx = np.zeros_like(x)
    for k in range(len(w)):
        dx[k:k + len(dout)] += w[k] * dout
    dw = np.array([dout @ x[k:k + len(dout)] for k in range(len(w))])
    return dx, dw, float(dout.sum())


def _check_conv(x, w, b):
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("expected x (N, C_in, H, W) and w (C_out, C_in, KH, KW), matching C_in")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("b must have shape (C_out,)")


def conv2d_forward_naive(x, w, b, stride=1, padding=0):
    """Conv layer (cross-correlation, = F.conv2d). Returns (out, cache), out float64
    (N, C_out, H_out, W_out); cache = (x, w, b, (sh, sw), (ph, pw)). ValueError as 03's conv2d_forward."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    b = None if b is None else np.asarray(b, dtype=np.float64)
    _check_conv(x, w, b)
    (sh, sw), (ph, pw) = _pair(stride, "stride"), _pair(padding, "padding")
    n, _, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out, w_out = _size(h, kh, ph, sh), _size(wd, kw, pw, sw)
    xp = np.zeros((n, x.shape[1], h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    out = np.zeros((n, c_out, h_out, w_out))
    for u in range(kh):
        for v in range(kw):
            patch = xp[:, :, u:u + sh * (h_out - 1) + 1:sh, v:v + sw * (w_out - 1) + 1:sw]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, u, v])
    if b is not None:
        out += b[None, :, None, None]
    return out, (x, w, b, (sh, sw), (ph, pw))


def conv2d_backward_naive(dout, cache):
    """(dx, dw, db): shapes of x, w and (C_out,). db is computed even when b was None."""
    x, w, _, (sh, sw), (ph, pw) = cache
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    n, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    h_out, w_out = _size(h, kh, ph, sh), _size(wd, kw, pw, sw)
    if dout.shape != (n, c_out, h_out, w_out):
        raise ValueError("dout must have the shape of the forward output")
    xp = np.zeros((n, c_in, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for u in range(kh):
        for v in range(kw):
            rows, cols = slice(u, u + sh * (h_out - 1) + 1, sh), slice(v, v + sw * (w_out - 1) + 1, sw)
            dxp[:, :, rows, cols] += np.einsum("nohw,oc->nchw", dout, w[:, :, u, v])
            dw[:, :, u, v] = np.einsum("nohw,nchw->oc", dout, xp[:, :, rows, cols])
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw, dout.sum(axis=(0, 2, 3))


def _pool_geometry(x, kernel_size, stride):
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = (kh, kw) if stride is None else _pair(stride, "stride")
    if x.ndim != 4:
        raise ValueError("expected x of shape (N, C, H, W)")
    return (kh, kw), (sh, sw), (_size(x.shape[2], kh, 0, sh), _size(x.shape[3], kw, 0, sw))


def maxpool_forward_naive(x, kernel_size, stride=None):
    """Max pooling (stride None = kernel_size, no padding, floor). Returns (out, cache);
    cache = (x, (kh, kw), (sh, sw)). ValueError for non-4-D x, sizes < 1, too big a window."""
    x = np.asarray(x, dtype=np.float64)
    (kh, kw), (sh, sw), (h_out, w_out) = _pool_geometry(x, kernel_size, stride)
    out = np.full(x.shape[:2] + (h_out, w_out), -np.inf)
    for u in range(kh):
        for v in range(kw):
            out = np.maximum(out, x[:, :, u:u + sh * (h_out - 1) + 1:sh, v:v + sw * (w_out - 1) + 1:sw])
    return out, (x, (kh, kw), (sh, sw))


def maxpool_backward_naive(dout, cache):
    """dx (shape of x): each dout[n, c, i, j] goes to the FIRST maximum of its window in
    row-major order (as PyTorch), accumulated (+=) where windows overlap."""
    x, (kh, kw), (sh, sw) = cache
    x, dout = np.asarray(x, dtype=np.float64), np.asarray(dout, dtype=np.float64)
    _, _, (h_out, w_out) = _pool_geometry(x, (kh, kw), (sh, sw))
    if dout.shape != x.shape[:2] + (h_out, w_out):
        raise ValueError("dout must have the shape of the forward output")
    dx = np.zeros_like(x)
    n_idx, c_idx = np.indices(x.shape[:2])
    for i in range(h_out):
        for j in range(w_out):
            window = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].reshape(x.shape[:2] + (-1,))
            first = window.argmax(axis=2)                 # argmax returns the first maximum
            dx[n_idx, c_idx, i * sh + first // kw, j * sw + first % kw] += dout[:, :, i, j]
    return dx


def numerical_gradient(f, x, dout, h=1e-5):
    """Centred differences of L(x) = sum(f(x) * dout): (L(x + h e_i) - L(x - h e_i)) / 2h per
    entry of x. Returns float64 of x's shape; x is left unchanged."""
    x = np.array(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        plus = np.sum(np.asarray(f(x), dtype=np.float64) * dout)
        flat[i] = old - h
        minus = np.sum(np.asarray(f(x), dtype=np.float64) * dout)
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * h)
    return grad


def conv_transpose2d(x, w, stride=1, padding=0):
    """Transposed convolution (= F.conv_transpose2d without bias, output_padding, dilation).

    x (N, C_in, H, W), w (C_in, C_out, KH, KW), int stride >= 1, int padding >= 0. Each
    x[n, c, i, j] spreads x * w[c, :, :, :] onto the window at (i*s, j*s) of the full output
    ((H-1)*s + KH, (W-1)*s + KW), windows adding up; padding crops p rows and columns from
    every border: out (N, C_out, (H-1)*s - 2p + KH, (W-1)*s - 2p + KW), float64. ValueError for
    ranks other than 4, w.shape[0] != C_in, stride < 1, padding < 0 or an empty output."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[0]:
        raise ValueError("expected x (N, C_in, H, W) and w (C_in, C_out, KH, KW), matching C_in")
    s, p = int(stride), int(padding)
    if s < 1 or p < 0:
        raise ValueError("need stride >= 1 and padding >= 0")
    n, _, h, wd = x.shape
    _, c_out, kh, kw = w.shape
    full_h, full_w = (h - 1) * s + kh, (wd - 1) * s + kw
    if full_h - 2 * p < 1 or full_w - 2 * p < 1:
        raise ValueError("the padding crops the whole output")
    full = np.zeros((n, c_out, full_h, full_w))
    for u in range(kh):
        for v in range(kw):
            full[:, :, u:u + s * (h - 1) + 1:s, v:v + s * (wd - 1) + 1:s] += \
                np.einsum("nchw,co->nohw", x, w[:, :, u, v])
    return full[:, :, p:full_h - p, p:full_w - p]
