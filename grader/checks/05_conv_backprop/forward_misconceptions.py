"""Deliberately wrong variants of 05_conv_backprop's forward passes (conv2d_forward_naive,
maxpool_forward_naive), for diagnosis: classic slips in where the windows start and what a
window gives. Trusted code (grading process only); messages never contain expected values.
The backward passes' candidates are in misconceptions.py.
"""

import numpy as np

from grader.checking import load_reference, try_candidate

ref = load_reference(__file__)

STRIDE_START = ("the output has the strided size, but window (i, j) must start at row "
                "i * stride and column j * stride, not at (i, j).")
STRIDE_ONE_AXIS = ("the stride is applied on one axis only: window (i, j) starts at row "
                   "i * stride and column j * stride; one of your two indices does not step by "
                   "the stride.")
POOL_MEAN = "you averaged the windows; max pooling takes the maximum of each window."


def _pair(value):
    return (int(value[0]), int(value[1])) if isinstance(value, (tuple, list)) else (value, value)


def _cropped(output, shape):
    """The top-left ``shape[-2:]`` of an output computed with a smaller stride (None stays)."""
    return None if output is None else output[..., :shape[-2], :shape[-1]]


def _start_candidates(compute, stride, shape):
    """Windows started at (i, j), or stepping by the stride on one axis only."""
    sh, sw = _pair(stride)
    if max(sh, sw) == 1:
        return []
    return [(_cropped(try_candidate(compute, start), shape), message)
            for start, message in ((1, STRIDE_START), ((sh, 1), STRIDE_ONE_AXIS),
                                   ((1, sw), STRIDE_ONE_AXIS))
            if _pair(start) != (sh, sw)]


def conv_forward_candidates(x, w, b, stride, padding):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    good = ref.conv2d_forward_naive(x, w, b, stride, padding)[0]
    return _start_candidates(lambda s: ref.conv2d_forward_naive(x, w, b, s, padding)[0],
                             stride, good.shape)


def _mean_pool(x, k, s):
    (kh, kw), (sh, sw) = _pair(k), _pair(k if s is None else s)
    h_out, w_out = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    out = np.zeros(x.shape[:2] + (h_out, w_out))
    for u in range(kh):
        for v in range(kw):
            out += x[:, :, u:u + sh * (h_out - 1) + 1:sh, v:v + sw * (w_out - 1) + 1:sw]
    return out / (kh * kw)


def pool_forward_candidates(x, k, s):
    x = np.asarray(x, dtype=np.float64)
    good = ref.maxpool_forward_naive(x, k, s)[0]
    stride = k if s is None else s
    cands = _start_candidates(lambda start: ref.maxpool_forward_naive(x, k, start)[0],
                              stride, good.shape)
    return cands + [(_mean_pool(x, k, s), POOL_MEAN)]
