"""Reference solutions for 03_padding_stride_pooling: the specification the hidden checks use.

Trusted code: imported only by the grading process, never by the student's
worker, never released. Every function here may also be served to a student's
caller as a trusted callee (see TRUSTED_CALLEES in the check files), so each
one takes and returns only numpy arrays and Python scalars/tuples, and raises
ValueError exactly where the notebook says the student's version must.
"""

import numpy as np
import torch
import torch.nn.functional as F


def _pair(value, name):
    """An int or an (a, b) pair of ints -> (a, b)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair, got {value!r}")
        return int(value[0]), int(value[1])
    return int(value), int(value)


def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    """floor((n + 2p - d(k-1) - 1) / s) + 1 as an int.

    ValueError if n < 1, k < 1, padding < 0, stride < 1, dilation < 1, or if
    the dilated kernel does not fit in the padded input (result < 1).
    """
    if n < 1 or k < 1 or padding < 0 or stride < 1 or dilation < 1:
        raise ValueError("need n >= 1, k >= 1, padding >= 0, stride >= 1, dilation >= 1")
    size = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    if size < 1:
        raise ValueError("the kernel does not fit in the padded input")
    return int(size)


def pad2d(X, padding):
    """Zero padding of the last two axes: padding p or (ph, pw) zeros on EACH side.

    X: array with at least 2 axes (any leading axes). Returns float64.
    ValueError for fewer than 2 axes or a negative padding.
    """
    X = np.asarray(X, dtype=np.float64)
    ph, pw = _pair(padding, "padding")
    if X.ndim < 2 or ph < 0 or pw < 0:
        raise ValueError("X needs at least 2 axes and padding must be >= 0")
    out = np.zeros(X.shape[:-2] + (X.shape[-2] + 2 * ph, X.shape[-1] + 2 * pw))
    out[..., ph:ph + X.shape[-2], pw:pw + X.shape[-1]] = X
    return out


def same_padding(k, dilation=1):
    """Padding p (int, each side) that keeps the size at stride 1: p = d(k-1)/2.

    The effective kernel d(k-1)+1 must be odd; an even one cannot be padded
    symmetrically, so that (and k < 1 or dilation < 1) raises ValueError.
    """
    if k < 1 or dilation < 1:
        raise ValueError("need k >= 1 and dilation >= 1")
    span = dilation * (k - 1) + 1
    if span % 2 == 0:
        raise ValueError("an even effective kernel cannot keep the size with symmetric padding")
    return int((span - 1) // 2)


def _check_conv_args(x, w, b):
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("expected x (N, C_in, H, W) and w (C_out, C_in, KH, KW), matching C_in")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("b must have shape (C_out,)")


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    """Batched 2D convolution layer, equal to torch.nn.functional.conv2d.

    x (N, C_in, H, W); w (C_out, C_in, KH, KW); b (C_out,) or None; stride,
    padding, dilation: int or (h, w) pair. Returns float64 (N, C_out, H_out, W_out).
    ValueError on wrong ranks, channel mismatch, b of the wrong shape, or bad
    stride/padding/dilation or a kernel that does not fit (as conv_output_size).
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    _check_conv_args(x, w, b)
    s, p, d = _pair(stride, "stride"), _pair(padding, "padding"), _pair(dilation, "dilation")
    for axis in (0, 1):
        conv_output_size(x.shape[2 + axis], w.shape[2 + axis], p[axis], s[axis], d[axis])
    bias = None if b is None else torch.as_tensor(np.asarray(b, dtype=np.float64))
    return F.conv2d(torch.as_tensor(x), torch.as_tensor(w), bias,
                    stride=s, padding=p, dilation=d).numpy()


def _pool_args(x, kernel_size, stride):
    x = np.asarray(x, dtype=np.float64)
    k = _pair(kernel_size, "kernel_size")
    s = k if stride is None else _pair(stride, "stride")
    if x.ndim != 4:
        raise ValueError("expected x of shape (N, C, H, W)")
    for axis in (0, 1):
        conv_output_size(x.shape[2 + axis], k[axis], 0, s[axis], 1)
    return torch.as_tensor(x), k, s


def maxpool2d_forward(x, kernel_size, stride=None):
    """Max pooling (N, C, H, W) -> (N, C, H_out, W_out); stride defaults to kernel_size.

    kernel_size, stride: int or pair. No padding, floor mode. ValueError on a
    bad rank, kernel_size/stride < 1, or a window larger than the input.
    """
    x, k, s = _pool_args(x, kernel_size, stride)
    return F.max_pool2d(x, k, s).numpy()


def avgpool2d_forward(x, kernel_size, stride=None):
    """Average pooling (mean over each kh x kw window); as maxpool2d_forward otherwise."""
    x, k, s = _pool_args(x, kernel_size, stride)
    return F.avg_pool2d(x, k, s).numpy()


def global_avg_pool(x):
    """(N, C, H, W) -> (N, C): the mean of each channel's feature map. ValueError if not 4-D."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError("expected x of shape (N, C, H, W)")
    return x.mean(axis=(2, 3))


def receptive_field(layers):
    """Receptive field size (one axis) of one output unit of a stack of layers.

    layers: sequence of (kernel, stride, dilation). r = 1 + sum_l d_l (k_l - 1) J_l with
    J_l = product of the strides of the layers before l. [] -> 1. ValueError for a
    kernel, stride or dilation < 1.
    """
    size, jump = 1, 1
    for layer in layers:
        k, s, d = (int(v) for v in layer)
        if k < 1 or s < 1 or d < 1:
            raise ValueError("kernel, stride and dilation must be >= 1")
        size += d * (k - 1) * jump
        jump *= s
    return int(size)
