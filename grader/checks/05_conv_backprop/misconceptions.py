"""Wrong variants of the 05 reference and the messages that name them (trusted side).

Each ``*_candidates`` returns ``(candidate, message)`` pairs per returned component;
messages never contain values. Shapes that reveal a mistake are named in ``shape_message``.
"""

import numpy as np

from grader.checking import load_reference

ref = load_reference(__file__)

ACCUMULATE = ("one input receives gradient from several outputs (overlapping windows, "
              "several output channels): accumulate with += instead of overwriting with =.")
STRIDE = ("the backward pass ignores the stride: output (i, j) came from the window that "
          "starts at (i*stride, j*stride), not at (i, j).")
ACCUMULATE_POOL = ("overlapping windows (stride < kernel) can share their maximum; that input "
                   "then receives the gradient of each of them: accumulate with += instead of "
                   "overwriting with =.")
PADDING = ("dx still contains the padding: compute the gradient of the padded input, then "
           "cut the padding off so that dx has the shape of x.")
FLIP_DX = ("the kernel is used the wrong way round for dx: dx is a FULL convolution of dout "
           "with w (i.e. a correlation with the flipped kernel); equivalently each dout "
           "value is spread back onto its window weighted by w as it was in the forward pass.")
FLIP_DW = ("dw is reversed: dw[k] = sum_i dout[i] * x[i + k] is a correlation of x with "
           "dout (no flip).")
DB_AXES = ("db has one entry per output channel: sum dout over the batch and over all "
           "positions, i.e. the axes (0, 2, 3) (a mean is not the derivative of a sum).")
DB_1D = "db is the sum of dout over all positions (a float), since b was added to every output."
TIES_ALL = ("in a window with several equal maxima the gradient must go to ONE of them, the "
            "first in row-major order (as PyTorch), not to every tied maximum.")
TIES_LAST = ("in a window with several equal maxima the gradient must go to the FIRST one in "
             "row-major order (as PyTorch), not the last one.")
TIES_SPLIT = ("in a window with several equal maxima the gradient must go to the FIRST one "
              "(row-major, as PyTorch), not be split between them.")
WHOLE_WINDOW = ("max pooling passes dout only to the position of the maximum of each window, "
                "not to the whole window (that would be average pooling's gradient).")
FORWARD_DIFF = ("that is a forward difference (f(x+h) - f(x)) / h: use centred differences "
                "(f(x+h) - f(x-h)) / (2h), whose error is O(h^2) instead of O(h).")
NO_DOUT = ("the upstream gradient dout is missing: the gradient is that of sum(f(x) * dout), "
           "so weight the change of f(x) by dout before summing.")
ONE_H = "divide the centred difference by 2h (the two points are 2h apart), not by h."


def _conv_loops(dout, cache, assign=False, order="noij", ignore_stride=False):
    """The loop-over-outputs backward, with its classic slips (candidates only)."""
    x, w, _, (sh, sw), (ph, pw) = cache
    n_, c_in, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    if ignore_stride:
        sh = sw = 1
    xp = np.zeros((n_, c_in, h + 2 * ph, wd + 2 * pw))
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    positions = [(o, i, j) for o in range(c_out) for i in range(dout.shape[2])
                 for j in range(dout.shape[3])]
    if order == "nijo":
        positions.sort(key=lambda t: (t[1], t[2], t[0]))
    for n in range(n_):
        for o, i, j in positions:
            rows, cols = slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)
            if xp[n, :, rows, cols].shape != w[o].shape:
                raise ValueError("window out of range")
            if assign:
                dxp[n, :, rows, cols] = w[o] * dout[n, o, i, j]
                dw[o] = xp[n, :, rows, cols] * dout[n, o, i, j]
            else:
                dxp[n, :, rows, cols] += w[o] * dout[n, o, i, j]
                dw[o] += xp[n, :, rows, cols] * dout[n, o, i, j]
    return dxp[:, :, ph:ph + h, pw:pw + wd], dw, dxp


def _try(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except (ValueError, IndexError):
        return None


def conv2d_backward_candidates(dout, cache):
    """([(dx, msg)], [(dw, msg)], [(db, msg)]) for the wrong variants."""
    x, w, b, stride, padding = cache
    dx_c, dw_c, db_c = [], [], []
    for order in ("noij", "nijo"):
        got = _try(_conv_loops, dout, cache, assign=True, order=order)
        if got is not None:
            dx_c.append((got[0], ACCUMULATE))
            dw_c.append((got[1], ACCUMULATE))
    got = _try(_conv_loops, dout, cache, ignore_stride=True)
    if got is not None:
        dx_c.append((got[0], STRIDE))
        dw_c.append((got[1], STRIDE))
    padded = _try(_conv_loops, dout, cache)
    if padded is not None and padding != (0, 0):
        dx_c.append((padded[2], PADDING))
    flipped = ref.conv2d_backward_naive(dout, (x, w[:, :, ::-1, ::-1], b, stride, padding))
    dx_c.append((flipped[0], FLIP_DX))
    # dw from the flipped correlation: the kernel-shaped result reversed
    dw_c.append((ref.conv2d_backward_naive(dout, cache)[1][:, :, ::-1, ::-1], FLIP_DW))
    for wrong in (dout.sum(axis=(2, 3)), dout.sum(axis=0), dout.mean(axis=(0, 2, 3)),
                  dout.sum(axis=(0, 2)), dout.sum(axis=(1, 2, 3)), dout.sum()):
        db_c.append((wrong, DB_AXES))
    return dx_c, dw_c, db_c


def conv1d_backward_candidates(dout, x, w):
    """([(dx, msg)], [(dw, msg)], [(db, msg)]) for conv1d_backward."""
    dx, dw, db = ref.conv1d_backward(dout, x, w)
    flipped = ref.conv1d_backward(dout, x, np.asarray(w, dtype=float)[::-1])[0]
    return ([(flipped, FLIP_DX)], [(dw[::-1], FLIP_DW)],
            [(np.asarray(dout, dtype=float), DB_1D), (np.mean(dout), DB_1D)])


def _pool_variant(dout, cache, rule="first", assign=False, ignore_stride=False):
    x, (kh, kw), (sh, sw) = cache
    if ignore_stride:
        sh = sw = 1
    dx = np.zeros_like(x)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    if window.shape != (kh, kw):
                        raise ValueError("window out of range")
                    target = dx[n, c, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    g = dout[n, c, i, j]
                    mask = window == window.max()
                    if rule == "first":
                        mask = np.zeros_like(mask)
                        mask.flat[window.argmax()] = True
                    elif rule == "last":
                        flat_last = window.size - 1 - window.ravel()[::-1].argmax()
                        mask = np.zeros_like(mask)
                        mask.flat[flat_last] = True
                    elif rule == "split":
                        g = g / mask.sum()
                    elif rule == "window":
                        mask = np.ones_like(mask)
                    if assign:
                        target[mask] = g
                    else:
                        target[mask] += g
    return dx


def maxpool_backward_candidates(dout, cache):
    """[(dx, msg)] for maxpool_backward_naive."""
    variants = [({"assign": True}, ACCUMULATE_POOL), ({"ignore_stride": True}, STRIDE),
                ({"rule": "all"}, TIES_ALL), ({"rule": "last"}, TIES_LAST),
                ({"rule": "split"}, TIES_SPLIT), ({"rule": "window"}, WHOLE_WINDOW),
                ({"rule": "all", "assign": True}, ACCUMULATE_POOL)]
    found = []
    for options, message in variants:
        got = _try(_pool_variant, dout, cache, **options)
        if got is not None:
            found.append((got, message))
    return found


def numerical_gradient_candidates(f, x, dout, h):
    """[(grad, msg)] for numerical_gradient."""
    x = np.array(x, dtype=np.float64)
    dout = np.asarray(dout, dtype=np.float64)
    base = np.sum(np.asarray(f(x)) * dout)
    forward = np.zeros_like(x)
    for i in range(x.size):
        shifted = x.copy()
        shifted.flat[i] += h
        forward.flat[i] = (np.sum(np.asarray(f(shifted)) * dout) - base) / h
    right = ref.numerical_gradient(f, x, dout, h)
    return [(forward, FORWARD_DIFF),
            (ref.numerical_gradient(f, x, np.ones_like(dout), h), NO_DOUT),
            (2 * right, ONE_H)]


def shape_message(name, got_shape, expected_shape):
    """A message for a gradient of the wrong shape, or None."""
    if got_shape == expected_shape:
        return None
    return (f"{name} has shape {got_shape}; a gradient has the shape of the quantity it is "
            f"the gradient of {expected_shape}.")
