"""Deliberately wrong variants of 03_padding_stride_pooling's pooling functions
(maxpool2d_forward, avgpool2d_forward, global_avg_pool), for diagnosis; the other functions'
are in misconceptions.py.

Trusted code (grading process only). Each ``*_candidates`` function returns
``[(candidate_output, message), ...]``: what a student with a given misconception would
return for the same inputs, and the feedback naming that mistake. Messages never contain
expected values.
"""

import numpy as np
import torch
import torch.nn.functional as F

from grader.checking import load_reference, try_candidate

ref = load_reference(__file__)
# --------------------------------------------------------------- pooling
POOL_STRIDE_ONE = ("with stride=None the stride must default to the kernel size (as in "
                   "PyTorch), not to 1.")
POOL_NON_OVERLAP = ("your windows do not overlap: with a stride smaller than the kernel "
                    "(e.g. kernel 3, stride 2) neighbouring windows share pixels; step by the "
                    "stride, not by the kernel size.")
POOL_STRIDE_START = ("the output has the strided size, but window (i, j) must start at row "
                     "i * stride and column j * stride, not at (i, j).")
POOL_STRIDE_ONE_AXIS = ("the stride is applied on one axis only: window (i, j) starts at row "
                        "i * stride and column j * stride; one of your two indices does not "
                        "step by the stride.")
POOL_SWAPPED = "kernel_size and stride are swapped."
POOL_CEIL = ("you kept a partial window at the border: pooling (like convolution) drops "
             "windows that do not fit completely (floor), so the output is smaller.")
POOL_PAIR_SWAPPED = "the (height, width) pair is swapped: the first value is for the rows."
MAX_IS_AVG = "you averaged the windows; max pooling takes the maximum of each window."
AVG_IS_MAX = "you took the maximum of the windows; average pooling takes the mean."
AVG_SUM = "you summed the window without dividing: the average divides by kh * kw."
AVG_BY_K = ("the average divides by the wrong count: a kh x kw window has kh * kw values, "
            "not kh (or kw).")
AVG_BY_STRIDE = ("the average divides by the wrong count: divide by the window size kh * kw, "
                 "not by stride * stride.")

# ------------------------------------------------------- global_avg_pool
GAP_KEEPDIMS = ("you kept the spatial axes: global_avg_pool returns (N, C), not "
                "(N, C, 1, 1) (use .mean(axis=(2, 3)) without keepdims).")
GAP_ONE_AXIS = ("you averaged over only one spatial axis, keeping H or W: average over both "
                "axes 2 and 3.")
GAP_WRONG_AXES = ("you averaged over the wrong axes: for (N, C, H, W) average over H and W "
                  "(axes 2 and 3) and keep N and C.")
GAP_SUM = "you summed the feature maps without dividing by H * W."
GAP_MAX = "you took the maximum (global max pooling); global_avg_pool takes the mean."


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _pair(v):
    return (v, v) if np.isscalar(v) else tuple(v)


def _swap(v):
    return (v[1], v[0])

# --------------------------------------------------------------- pooling
def _torch_pool(kind, x, k, s, ceil=False):
    pool = F.max_pool2d if kind == "max" else F.avg_pool2d
    try:
        return pool(torch.as_tensor(_f64(x)), _pair(k), _pair(s), ceil_mode=ceil).numpy()
    except RuntimeError:
        return None


def _pool(kind, x, k, s):
    function = ref.maxpool2d_forward if kind == "max" else ref.avgpool2d_forward
    return try_candidate(function, x, k, s)


def pool_candidates(kind, x, kernel_size, stride=None):
    k = _pair(kernel_size)
    s = k if stride is None else _pair(stride)
    good = _pool(kind, x, k, s)
    other = "avg" if kind == "max" else "max"
    cands = [(_pool(other, x, k, s), MAX_IS_AVG if kind == "max" else AVG_IS_MAX)]
    if stride is None:
        cands.append((_pool(kind, x, k, 1), POOL_STRIDE_ONE))
    if s != k:
        cands += [(_pool(kind, x, k, k), POOL_NON_OVERLAP), (_pool(kind, x, s, k), POOL_SWAPPED)]
    for start, message in ((1, POOL_STRIDE_START), ((s[0], 1), POOL_STRIDE_ONE_AXIS),
                           ((1, s[1]), POOL_STRIDE_ONE_AXIS)):
        if good is not None and _pair(start) != s:
            started = _pool(kind, x, k, start)
            cands.append((None if started is None else started[..., :good.shape[2], :good.shape[3]],
                          message))
    ceil = _torch_pool(kind, x, k, s, ceil=True)
    if ceil is not None and ceil.shape != good.shape:
        cands.append((ceil, POOL_CEIL))
    if k[0] != k[1] or s[0] != s[1]:
        cands.append((_pool(kind, x, _swap(k), _swap(s)), POOL_PAIR_SWAPPED))
    if kind == "avg":
        area = k[0] * k[1]
        cands += [(good * area, AVG_SUM), (good * area / k[0], AVG_BY_K),
                  (good * area / k[1], AVG_BY_K), (good * area / (s[0] * s[1]), AVG_BY_STRIDE)]
    return cands


# ------------------------------------------------------- global_avg_pool
def global_avg_pool_candidates(x):
    x = _f64(x)
    n, c = x.shape[:2]
    return [
        (x.mean(axis=(2, 3), keepdims=True), GAP_KEEPDIMS),
        (x.mean(axis=(2, 3))[:, :, None], GAP_KEEPDIMS),
        (x.mean(axis=2), GAP_ONE_AXIS),
        (x.mean(axis=3), GAP_ONE_AXIS),
        (x.mean(axis=1), GAP_WRONG_AXES),
        (x.mean(axis=(1, 2, 3)), GAP_WRONG_AXES),
        (x.mean(axis=(0, 2, 3)), GAP_WRONG_AXES),
        (x.reshape(n, c, -1).mean(axis=1), GAP_WRONG_AXES),
        (x.mean(axis=(1, 2)), GAP_WRONG_AXES),
        (x.sum(axis=(2, 3)), GAP_SUM),
        (x.max(axis=(2, 3)), GAP_MAX),
    ]
