"""Reference solutions for 02_conv2d: the specification the hidden checks grade against.

Trusted code: imported only by the grading process, never by the student's
worker, never released. Each function's docstring is the contract the
notebook states to students. ``corr2d``, ``corr2d_multi_in`` and
``corr2d_multi_in_out`` are the loop algorithms of the solution (the benchmark
times them); ``conv2d_im2col`` is the vectorized one.
"""

import numpy as np
import torch

# The lecture's RGB example: the top-left corner of a 5x5 RGB image padded with zeros,
# and one 3x3 kernel per channel; with bias 1 the top-left output is -25.
RGB_PATCH = np.array([
    [[0, 0, 0, 0], [0, 156, 155, 156], [0, 153, 154, 157], [0, 149, 151, 155]],
    [[0, 0, 0, 0], [0, 167, 166, 167], [0, 164, 165, 168], [0, 160, 162, 166]],
    [[0, 0, 0, 0], [0, 163, 162, 163], [0, 160, 161, 164], [0, 156, 158, 162]],
], dtype=np.float64)
RGB_KERNELS = np.array([
    [[-1, -1, 1], [0, 1, -1], [0, 1, 1]],
    [[1, 0, 0], [1, -1, -1], [1, 0, -1]],
    [[0, 1, 1], [0, 1, 0], [1, -1, 1]],
], dtype=np.float64)


def _image(X, name="X"):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (H, W), got shape {X.shape}")
    return X


def _check_fits(height, width, kh, kw):
    if kh < 1 or kw < 1:
        raise ValueError("the kernel must have at least one row and one column")
    if kh > height or kw > width:
        raise ValueError(f"a {kh}x{kw} kernel does not fit in a {height}x{width} image")


def corr2d(X, K):
    """Valid 2-D cross-correlation of one channel (no kernel flip), with loops.

    X (H, W), K (KH, KW) -> float64 (H - KH + 1, W - KW + 1) with
    Y[i, j] = sum_{a, b} X[i + a, j + b] K[a, b].
    ValueError if X or K is not 2-D or the kernel does not fit in the image.
    """
    X, K = _image(X), _image(K, "K")
    kh, kw = K.shape
    _check_fits(X.shape[0], X.shape[1], kh, kw)
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i:i + kh, j:j + kw] * K)
    return Y


def corr2d_multi_in(X, K):
    """Several input channels, one output map: sum over c of corr2d(X[c], K[c]).

    X (C, H, W), K (C, KH, KW) -> float64 (H - KH + 1, W - KW + 1).
    ValueError if X or K is not 3-D, their channel counts differ, or the kernel does not fit.
    """
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if X.ndim != 3 or K.ndim != 3:
        raise ValueError(f"expected X (C, H, W) and K (C, KH, KW), got {X.shape} and {K.shape}")
    if X.shape[0] != K.shape[0]:
        raise ValueError(f"X has {X.shape[0]} channels but K has {K.shape[0]}")
    _check_fits(X.shape[1], X.shape[2], K.shape[1], K.shape[2])
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X, K, b=None):
    """Several input and output channels: out[o] = corr2d_multi_in(X, K[o]) + b[o].

    X (C_in, H, W), K (C_out, C_in, KH, KW), b (C_out,) or None
    -> float64 (C_out, H - KH + 1, W - KW + 1).
    ValueError on wrong ndim, channel mismatch, a bias of the wrong length,
    or a kernel that does not fit.
    """
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if X.ndim != 3 or K.ndim != 4:
        raise ValueError(f"expected X (C_in, H, W) and K (C_out, C_in, KH, KW), "
                         f"got {X.shape} and {K.shape}")
    bias = _bias(b, K.shape[0])
    out = np.stack([corr2d_multi_in(X, k) for k in K])
    return out + bias[:, None, None]


def _bias(b, c_out):
    if b is None:
        return np.zeros(c_out)
    b = np.asarray(b, dtype=np.float64)
    if b.shape != (c_out,):
        raise ValueError(f"b must have shape ({c_out},), got {b.shape}")
    return b


def _batched(X, K):
    """X as (N, C, H, W) plus whether it was unbatched; K validated (C_out, C_in, KH, KW)."""
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    unbatched = X.ndim == 3
    if unbatched:
        X = X[None]
    if X.ndim != 4 or K.ndim != 4:
        raise ValueError(f"expected X (C, H, W) or (N, C, H, W) and K (C_out, C_in, KH, KW), "
                         f"got {X.shape} and {K.shape}")
    if X.shape[1] != K.shape[1]:
        raise ValueError(f"X has {X.shape[1]} channels but K expects {K.shape[1]}")
    _check_fits(X.shape[2], X.shape[3], K.shape[2], K.shape[3])
    return X, K, unbatched


def im2col(X, kh, kw):
    """(N, C, H, W) -> (N, C*kh*kw, H_out*W_out): row (c, a, b) holds X[n, c, i+a, j+b]
    for the output pixels (i, j) in row-major order. One slice copy per kernel offset."""
    n, c, h, w = X.shape
    h_out, w_out = h - kh + 1, w - kw + 1
    cols = np.empty((n, c, kh, kw, h_out, w_out))
    for a in range(kh):
        for b in range(kw):
            cols[:, :, a, b] = X[:, :, a:a + h_out, b:b + w_out]
    return cols.reshape(n, c * kh * kw, h_out * w_out)


def conv2d_im2col(X, K, b=None):
    """Vectorized multi-channel correlation: im2col + one matrix product.

    X (C_in, H, W) or (N, C_in, H, W); K (C_out, C_in, KH, KW); b (C_out,) or None.
    Returns float64 (C_out, H_out, W_out) or (N, C_out, H_out, W_out), matching X's rank.
    ValueError as corr2d_multi_in_out (wrong ndim, channel mismatch, bias length, fit).
    """
    X, K, unbatched = _batched(X, K)
    bias = _bias(b, K.shape[0])
    c_out, _, kh, kw = K.shape
    h_out, w_out = X.shape[2] - kh + 1, X.shape[3] - kw + 1
    cols = im2col(X, kh, kw)                              # (N, C*kh*kw, P)
    out = K.reshape(c_out, -1) @ cols + bias[:, None]     # (N, C_out, P)
    out = out.reshape(X.shape[0], c_out, h_out, w_out)
    return out[0] if unbatched else out


def conv1x1_weight(K, c_in=None):
    """K (C_out, C_in) or (C_out, C_in, 1, 1) -> (C_out, C_in) float64; ValueError otherwise."""
    K = np.asarray(K, dtype=np.float64)
    if K.ndim == 4:
        if K.shape[2:] != (1, 1):
            raise ValueError(f"a 1x1 convolution needs a (C_out, C_in, 1, 1) kernel, got {K.shape}")
        K = K[:, :, 0, 0]
    if K.ndim != 2:
        raise ValueError(f"K must be (C_out, C_in) or (C_out, C_in, 1, 1), got {K.shape}")
    if c_in is not None and K.shape[1] != c_in:
        raise ValueError(f"X has {c_in} channels but K expects {K.shape[1]}")
    return K


def conv1x1(X, K):
    """1x1 convolution = the same (C_out, C_in) matrix applied to every pixel's channel vector.

    X (C_in, H, W) or (N, C_in, H, W); K (C_out, C_in) or (C_out, C_in, 1, 1).
    Returns float64 (C_out, H, W) or (N, C_out, H, W). ValueError on wrong ndim,
    channel mismatch, or a kernel larger than 1x1.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim not in (3, 4):
        raise ValueError(f"X must be (C, H, W) or (N, C, H, W), got {X.shape}")
    W = conv1x1_weight(K, X.shape[-3])
    return np.einsum("oc,...chw->...ohw", W, X)


def _corr_torch(X, K):
    """Valid correlation of (N, H, W) tensors with a (KH, KW) kernel, as a sum of shifted views."""
    kh, kw = K.shape
    h_out, w_out = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    out = torch.zeros(X.shape[0], h_out, w_out, dtype=X.dtype)
    for a in range(kh):
        for b in range(kw):
            out = out + K[a, b] * X[:, a:a + h_out, b:b + w_out]
    return out


def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):
    """Learn K with corr2d(X, K) ~ Y by plain gradient descent on the mean squared error.

    X (H, W) or (N, H, W) inputs, Y the matching (H-KH+1, W-KW+1) or (N, ...) targets,
    kernel_shape (KH, KW), ``steps`` updates K <- K - lr * dL/dK from K = 0 with
    L = mean over all output pixels (and images) of (corr2d(X, K) - Y)^2.
    Returns K float64 (KH, KW); with return_losses=True, (K, losses) where losses[t]
    is the loss before update t (``steps`` values). ValueError if the shapes disagree.
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = (int(s) for s in kernel_shape)
    if X.ndim != 3 or kh < 1 or kw < 1 or kh > X.shape[1] or kw > X.shape[2] \
            or Y.shape != (X.shape[0], X.shape[1] - kh + 1, X.shape[2] - kw + 1):
        raise ValueError("X, Y and kernel_shape do not fit together")
    Xt, Yt = torch.as_tensor(X), torch.as_tensor(Y)
    K = torch.zeros(kh, kw, dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(int(steps)):
        loss = ((_corr_torch(Xt, K) - Yt) ** 2).mean()
        losses.append(float(loss.detach()))
        grad, = torch.autograd.grad(loss, K)
        with torch.no_grad():
            K -= lr * grad
    kernel = K.detach().numpy().copy()
    return (kernel, losses) if return_losses else kernel
