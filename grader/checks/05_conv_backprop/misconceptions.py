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
DB_BATCH_MEAN = ("db is averaged over the batch: the loss adds up the outputs of every sample, so "
                 "db sums dout over the batch (axis 0) as well as over the positions.")
DW_BATCH_MEAN = ("dw is averaged over the batch: the loss adds up the outputs of every sample, "
                 "so the contributions of all N samples to dw are summed, not averaged.")
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
NOT_RESTORED = ("an entry of x is not restored after its perturbation: after evaluating f at "
                "x[i] + h and x[i] - h, set x[i] back to its old value, or every later entry is "
                "measured at a shifted point.")


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
    if x.shape[0] > 1:
        db_c.append((dout.sum(axis=(2, 3)).mean(axis=0), DB_BATCH_MEAN))
        dw_c.append((ref.conv2d_backward_naive(dout, cache)[1] / x.shape[0], DW_BATCH_MEAN))
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


def _not_restored(f, x, dout, h):
    """Centred differences that leave each entry at x[i] - h (later entries are measured at a
    shifted point)."""
    x, grad = x.copy(), np.zeros_like(x)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + h
        plus = np.sum(np.asarray(f(x)) * dout)
        x.flat[i] = old - h
        grad.flat[i] = (plus - np.sum(np.asarray(f(x)) * dout)) / (2 * h)
    return grad


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
    return [(forward, FORWARD_DIFF), (_not_restored(f, x, dout, h), NOT_RESTORED),
            (ref.numerical_gradient(f, x, np.ones_like(dout), h), NO_DOUT),
            (2 * right, ONE_H)]


def shape_message(name, got_shape, expected_shape):
    """A message for a gradient of the wrong shape, or None."""
    if got_shape == expected_shape:
        return None
    return (f"{name} has shape {got_shape}; a gradient has the shape of the quantity it is "
            f"the gradient of {expected_shape}.")


# ------------------------------------------------------------- conv_transpose2d
SWAPPED_T = ("w is read with the wrong layout: a transposed convolution's weight is (C_in, C_out, "
             "KH, KW), as in PyTorch (the layout of the convolution it transposes), so input "
             "channel c reaches output channel o through w[c, o], not w[o, c].")
PADDING_ADDED_T = ("the padding is added instead of cropped: in a transposed convolution it "
                   "REMOVES p rows and columns from every border of the full output, "
                   "(H-1)*stride - 2*padding + KH rows, and never pads x or the output with zeros.")
PADDING_IGNORED_T = ("the padding is ignored: in a transposed convolution it removes p rows and "
                     "columns from every border of the full output ((H-1)*stride + KH rows).")
OUTPUT_SIZE_T = ("the output size is wrong: it has (H-1)*stride - 2*padding + KH rows and "
                 "(W-1)*stride - 2*padding + KW columns (the full output, cropped by the padding "
                 "on both sides).")
EMPTY_SLICE_T = ("with padding 0 your output is empty: a slice p:-p is empty when p = 0; crop "
                 "the full output with p:H_full - p instead.")
ACCUMULATE_T = ("where windows overlap (a kernel larger than the stride) an output pixel "
                "receives a contribution from each of them, and from every input channel: "
                "accumulate with += instead of overwriting with =.")
STRIDE_T = ("the stride is ignored: input pixel (i, j) spreads onto the window that starts at "
            "(i*stride, j*stride) of the output, not at (i, j).")
FLIP_T = ("the kernel is flipped: x[n, c, i, j] * w[c, o, u, v] lands at (i*stride + u, "
          "j*stride + v), w as it is (written as a convolution of the zero-stuffed input, it is "
          "that convolution's kernel that is flipped).")


def _transpose_loops(x, w, s, order):
    """The full output (uncropped) written with = instead of += in one of a student's orders:
    "cij" / "ijc" (one window per input channel and position), "ij" (the channel sum, one
    window per position), "taps" (one strided slice per kernel tap)."""
    n_, c_in, h, wd = x.shape
    _, c_out, kh, kw = w.shape
    full = np.zeros((n_, c_out, (h - 1) * s + kh, (wd - 1) * s + kw))
    if order == "taps":
        for u in range(kh):
            for v in range(kw):
                full[:, :, u:u + s * (h - 1) + 1:s, v:v + s * (wd - 1) + 1:s] = \
                    np.einsum("nchw,co->nohw", x, w[:, :, u, v])
        return full
    spots = [(c, i, j) for c in range(c_in) for i in range(h) for j in range(wd)]
    if order == "ijc":
        spots.sort(key=lambda t: (t[1], t[2], t[0]))
    for n in range(n_):
        for c, i, j in spots:
            window = full[n, :, i * s:i * s + kh, j * s:j * s + kw]
            window[...] = (np.einsum("c,cokl->okl", x[n, :, i, j], w) if order == "ij"
                           else x[n, c, i, j] * w[c])
    return full


def _crop(full, p):
    return full[:, :, p:full.shape[2] - p, p:full.shape[3] - p]


def conv_transpose2d_candidates(x, w, stride, padding):
    """[(output, msg)] of the wrong variants of conv_transpose2d (None where not computable)."""
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    s, p = stride, padding
    full = _try(ref.conv_transpose2d, x, w, s, 0)
    found = [(_try(ref.conv_transpose2d, x, np.swapaxes(w, 0, 1), s, p), SWAPPED_T),
             (_try(ref.conv_transpose2d, x, w[:, :, ::-1, ::-1], s, p), FLIP_T)]
    found += [(_crop(_transpose_loops(x, w, s, order), p), ACCUMULATE_T)
              for order in ("cij", "ijc", "ij", "taps")]
    stride_one = _try(ref.conv_transpose2d, x, w, 1, 0)
    if s > 1 and stride_one is not None:
        in_place = np.zeros_like(full)
        in_place[:, :, :stride_one.shape[2], :stride_one.shape[3]] = stride_one
        found += [(_try(ref.conv_transpose2d, x, w, 1, p), STRIDE_T), (_crop(in_place, p), STRIDE_T)]
    if p > 0:
        x_padded = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
        found += [(np.pad(full, ((0, 0), (0, 0), (p, p), (p, p))), PADDING_ADDED_T),
                  (ref.conv_transpose2d(x_padded, w, s, 0), PADDING_ADDED_T),
                  (full, PADDING_IGNORED_T), (full[:, :, p:, p:], OUTPUT_SIZE_T)]
    else:
        found.append((full[:, :, 0:-0, 0:-0], EMPTY_SLICE_T))
    return found


def conv_transpose2d_shape_message(x, w, got_shape, expected_shape):
    """A message for an output of the wrong shape (the student's shape only), or None."""
    if tuple(got_shape) == tuple(expected_shape):
        return None
    if len(got_shape) == 4 and got_shape[1] == w.shape[0] != w.shape[1] \
            and tuple(got_shape[2:]) == tuple(expected_shape[2:]):
        return f"your output has shape {tuple(got_shape)}: {SWAPPED_T}"
    return f"your output has shape {tuple(got_shape)}: {OUTPUT_SIZE_T}"
