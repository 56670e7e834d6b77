"""Reference solutions for 01_conv1d: the specification the hidden checks grade against.

Trusted code: imported only by the grading process, never by the student's
worker, never released. Each function's docstring is the contract the
notebook states to students.
"""

import numpy as np
import torch
import torch.nn.functional as F

VALID_MODES = ("valid", "same", "full")


def convolve1d(f, g):
    """True convolution (kernel flipped), full mode: len(f) + len(g) - 1 outputs.

    (f * g)[n] = sum_m f[m] g[n - m].  f, g: 1-D sequences -> float64 array.
    """
    f = np.asarray(f, dtype=np.float64)
    g = np.asarray(g, dtype=np.float64)
    out = np.zeros(len(f) + len(g) - 1)
    for i, fi in enumerate(f):
        out[i:i + len(g)] += fi * g
    return out


def correlate1d(x, w, mode="valid"):
    """Cross-correlation y[i] = sum_j x[i + j] w[j] (no kernel flip).

    mode "valid": n - k + 1 outputs (k > n raises ValueError);
    mode "same":  n outputs, zero padding (k-1)//2 on the left and k//2 on the
                  right (PyTorch's padding="same" convention);
    mode "full":  n + k - 1 outputs, k - 1 zeros on each side.
    Any other mode raises ValueError.
    """
    if mode not in VALID_MODES:
        raise ValueError(f"mode must be one of {VALID_MODES}, got {mode!r}")
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    k = len(w)
    left, right = {"valid": (0, 0), "same": ((k - 1) // 2, k // 2), "full": (k - 1, k - 1)}[mode]
    if mode == "valid" and k > len(x):
        raise ValueError("kernel longer than input in valid mode")
    xp = np.concatenate([np.zeros(left), x, np.zeros(right)])
    return np.array([xp[i:i + k] @ w for i in range(len(xp) - k + 1)])


def conv1d_output_length(n, k, stride=1, padding=0, dilation=1):
    """floor((n + 2p - d(k-1) - 1) / s) + 1; ValueError if stride or dilation < 1 or result < 1."""
    if stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("stride and dilation must be >= 1, padding >= 0")
    length = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    if length < 1:
        raise ValueError("the kernel does not fit in the padded input")
    return int(length)


def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    """CNN-style layer, equal to torch.nn.functional.conv1d.

    x: (N, C_in, L) or (C_in, L); w: (C_out, C_in, K); b: (C_out,) or None.
    Returns float64 (N, C_out, L_out) or (C_out, L_out) matching x's rank.
    ValueError on channel mismatch, stride/dilation < 1, or L_out < 1.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    unbatched = x.ndim == 2
    if unbatched:
        x = x[None]
    if x.ndim != 3 or w.ndim != 3 or x.shape[1] != w.shape[1]:
        raise ValueError("expected x (N, C_in, L) and w (C_out, C_in, K) with matching C_in")
    conv1d_output_length(x.shape[2], w.shape[2], stride, padding, dilation)
    bias = None if b is None else torch.as_tensor(np.asarray(b, dtype=np.float64))
    out = F.conv1d(torch.as_tensor(x), torch.as_tensor(w), bias,
                   stride=stride, padding=padding, dilation=dilation).numpy()
    return out[0] if unbatched else out


def conv1d_matrix(w, n):
    """The (n-k+1, n) matrix M with M @ x == correlate1d(x, w) for every x of length n."""
    w = np.asarray(w, dtype=np.float64)
    k = len(w)
    if k > n:
        raise ValueError("kernel longer than input")
    matrix = np.zeros((n - k + 1, n))
    for row in range(n - k + 1):
        matrix[row, row:row + k] = w
    return matrix
