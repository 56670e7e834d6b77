"""The hidden checks of 03_padding_stride_pooling, graded through the real worker.

Several right implementations written differently (loops, vectorized, stride
tricks where allowed) must get full marks; wrong ones must lose points on
their own part with a message naming the mistake. Each variant set is one
notebook (the solution with some solution cells replaced), graded once.
"""

import pytest
from variant_grading import (assert_full_marks, assert_mistakes_named, assert_no_expected_values,
                             grade_variant, wrong_cells)

ASSIGNMENT = "03_padding_stride_pooling"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("checks03")]

RIGHT_LOOPS = {
    "conv_output_size": '''
def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    if min(n, k, stride, dilation) < 1 or padding < 0:
        raise ValueError("bad arguments")
    count, start = 0, 0
    while start + dilation * (k - 1) <= n + 2 * padding - 1:
        count, start = count + 1, start + stride
    if count == 0:
        raise ValueError("does not fit")
    return count
''',
    "pad2d": '''
import numpy as np

def pad2d(X, padding):
    X = np.array(X, dtype=float)
    ph, pw = (padding, padding) if isinstance(padding, int) else tuple(padding)
    if X.ndim < 2 or ph < 0 or pw < 0:
        raise ValueError("bad padding")
    lead = X.shape[:-2]
    rows = np.zeros(lead + (ph, X.shape[-1]))
    X = np.concatenate([rows, X, rows], axis=-2)
    cols = np.zeros(lead + (X.shape[-2], pw))
    return np.concatenate([cols, X, cols], axis=-1)
''',
    "same_padding": '''
def same_padding(k, dilation=1):
    if k < 1 or dilation < 1 or (dilation * (k - 1)) % 2:
        raise ValueError("no symmetric same padding")
    return dilation * (k - 1) // 2
''',
    "conv2d_forward": '''
import numpy as np

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and len(np.ravel(b)) != w.shape[0] or (b is not None and np.ndim(b) != 1):
        raise ValueError("bias")
    sh, sw = as_pair(stride); ph, pw = as_pair(padding); dh, dw = as_pair(dilation)
    ho = conv_output_size(x.shape[2], w.shape[2], ph, sh, dh)
    wo = conv_output_size(x.shape[3], w.shape[3], pw, sw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out = np.zeros((x.shape[0], w.shape[0], ho, wo))
    for n in range(x.shape[0]):
        for o in range(w.shape[0]):
            for i in range(ho):
                for j in range(wo):
                    patch = xp[n, :, i * sh:i * sh + dh * (w.shape[2] - 1) + 1:dh,
                               j * sw:j * sw + dw * (w.shape[3] - 1) + 1:dw]
                    out[n, o, i, j] = np.sum(patch * w[o]) + (0.0 if b is None else b[o])
    return out
''',
    "maxpool2d_forward": '''
import numpy as np

def maxpool2d_forward(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride if stride is not None else kernel_size)
    ho, wo = conv_output_size(x.shape[2], kh, 0, sh), conv_output_size(x.shape[3], kw, 0, sw)
    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].max(axis=(2, 3))
    return out
''',
    "avgpool2d_forward": '''
import numpy as np

def avgpool2d_forward(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    kh, kw = as_pair(kernel_size)
    sh, sw = as_pair(stride if stride is not None else kernel_size)
    ho, wo = conv_output_size(x.shape[2], kh, 0, sh), conv_output_size(x.shape[3], kw, 0, sw)
    out = np.empty(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].mean(axis=(2, 3))
    return out
''',
    "global_avg_pool": '''
import numpy as np

def global_avg_pool(x):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    return avgpool2d_forward(x, x.shape[2:]).reshape(x.shape[:2])
''',
    "receptive_field": '''
def receptive_field(layers):
    size = 1
    for k, s, d in reversed(list(layers)):      # from the output back to the input
        if k < 1 or s < 1 or d < 1:
            raise ValueError("bad layer")
        size = (size - 1) * s + d * (k - 1) + 1
    return size
''',
}

RIGHT_VECTORIZED = {
    "conv_output_size": '''
import math

def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    if n < 1 or k < 1 or padding < 0 or stride < 1 or dilation < 1:
        raise ValueError("bad arguments")
    size = math.floor((n + 2 * padding - dilation * (k - 1) - 1) / stride) + 1
    if size <= 0:
        raise ValueError("does not fit")
    return size
''',
    "conv2d_forward": '''
import numpy as np

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bias")
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    o, c, kh, kw = w.shape
    ho = conv_output_size(x.shape[2], kh, ph, sh, dh)
    wo = conv_output_size(x.shape[3], kw, pw, sw, dw)
    xp = pad2d(x, (ph, pw))
    rows = (np.arange(ho) * sh)[:, None] + (np.arange(kh) * dh)[None, :]      # (ho, kh)
    cols = (np.arange(wo) * sw)[:, None] + (np.arange(kw) * dw)[None, :]      # (wo, kw)
    patches = xp[:, :, rows[:, None, :, None], cols[None, :, None, :]]        # (N, C, ho, wo, kh, kw)
    columns = patches.transpose(0, 2, 3, 1, 4, 5).reshape(x.shape[0], ho, wo, c * kh * kw)
    out = (columns @ w.reshape(o, -1).T).transpose(0, 3, 1, 2)
    return out if b is None else out + np.asarray(b, float)[:, None, None]
''',
    "maxpool2d_forward": '''
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def maxpool2d_forward(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    conv_output_size(x.shape[2], kh, 0, sh)
    conv_output_size(x.shape[3], kw, 0, sw)
    return sliding_window_view(x, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw].max(axis=(4, 5))
''',
    "avgpool2d_forward": '''
import numpy as np

def avgpool2d_forward(x, kernel_size, stride=None):
    x = np.ascontiguousarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    ho, wo = conv_output_size(x.shape[2], kh, 0, sh), conv_output_size(x.shape[3], kw, 0, sw)
    n, c, hs, ws = x.strides
    view = np.lib.stride_tricks.as_strided(x, (x.shape[0], x.shape[1], ho, wo, kh, kw),
                                           (n, c, hs * sh, ws * sw, hs, ws), writeable=False)
    return view.mean(axis=(4, 5))
''',
    "global_avg_pool": '''
import numpy as np

def global_avg_pool(x):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    return x.sum(axis=(2, 3)) / (x.shape[2] * x.shape[3])
''',
    "receptive_field": '''
from functools import reduce

def _grow(state, layer):
    size, jump = state
    k, s, d = layer
    if min(k, s, d) < 1:
        raise ValueError("bad layer")
    return size + d * (k - 1) * jump, jump * s

def receptive_field(layers):
    return reduce(_grow, layers, (1, 1))[0]
''',
}

# part -> (replacement source, phrase the feedback must contain)
WRONG_A = {
    "test_conv_output_size": ('''
def conv_output_size(n, k, stride=1, padding=0, dilation=1):
    size = (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1
    if stride < 1 or padding < 0 or dilation < 1 or size < 1:
        raise ValueError("bad")
    return size
''', "padding and stride are swapped"),
    "test_pad2d": ('''
import numpy as np

def pad2d(X, padding):
    X = np.asarray(X, dtype=float)
    ph, pw = as_pair(padding)
    if X.ndim < 2 or min(ph, pw) < 0:
        raise ValueError("bad")
    out = np.zeros(X.shape[:-2] + (X.shape[-2] + 2 * pw, X.shape[-1] + 2 * ph))
    out[..., pw:pw + X.shape[-2], ph:ph + X.shape[-1]] = X
    return out
''', "swapped"),
    "test_same_padding": ('''
def same_padding(k, dilation=1):
    if k < 1 or dilation < 1:
        raise ValueError("bad")
    return dilation * (k - 1) // 2
''', "even effective kernel"),
    "test_conv2d_forward": ('''
import numpy as np
import torch
import torch.nn.functional as F

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    bias = None if b is None else torch.as_tensor(np.asarray(b, float))
    return F.conv2d(torch.as_tensor(np.asarray(x, float)), torch.as_tensor(np.asarray(w, float)),
                    bias, stride=stride, padding=padding, dilation=dilation).numpy()
''', "implement yourself"),
    "test_maxpool2d_forward": ('''
import torch
import torch.nn.functional as F

def maxpool2d_forward(x, kernel_size, stride=None):
    return F.max_pool2d(torch.as_tensor(x), kernel_size, stride).numpy()
''', "implement yourself"),
    "test_avgpool2d_forward": ('''
import numpy as np

def avgpool2d_forward(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    ho, wo = (x.shape[2] - kh) // sh + 1, (x.shape[3] - kw) // sw + 1
    if min(kh, kw, sh, sw, ho, wo) < 1:
        raise ValueError("bad window")
    out = np.zeros(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            out[:, :, i, j] = x[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].sum(axis=(2, 3))
    return out / (sh * sw)
''', "stride * stride"),
    "test_global_avg_pool": ('''
import numpy as np

def global_avg_pool(x):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError("rank")
    return x.mean(axis=(1, 2, 3))
''', "wrong axes"),
    "test_receptive_field": ('''
def receptive_field(layers):
    size, jump = 1, 1
    for k, s, d in layers:
        if min(k, s, d) < 1:
            raise ValueError("bad")
        jump *= s
        size += d * (k - 1) * jump
    return size
''', "BEFORE"),
    "test_diagram_answers": ('''
def diagram_answers():
    return {"A": {"kernel_size": 3, "stride": 1, "padding": 0, "dilation": 1},
            "B": {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1},
            "C": {"kernel_size": 3, "stride": 1, "padding": 0, "dilation": 3},
            "D": {"kernel_size": 2, "stride": 2, "padding": 2, "dilation": 3},
            "E": {"kernel_size": 3, "stride": 3, "padding": 1, "dilation": 2, "output_size": 5}}
''', "Diagram A: (1) 'stride' is wrong"),
}

WRONG_B = {
    "test_conv_output_size": ('''
def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    size = (n + 2 * padding - dilation * k) // stride + 1
    if stride < 1 or padding < 0 or dilation < 1 or k < 1 or n < 1 or size < 1:
        raise ValueError("bad")
    return size
''', "not d*k"),
    "test_pad2d": ('''
import numpy as np

def pad2d(X, padding):
    ph, pw = as_pair(padding)
    if np.ndim(X) < 2 or min(ph, pw) < 0:
        raise ValueError("bad")
    return np.pad(np.asarray(X, float), [(0, 0)] * (np.ndim(X) - 2) + [(ph, ph), (pw, pw)])
''', "implement yourself"),
    "test_conv2d_forward": ('''
import numpy as np

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[1]:
        raise ValueError("shapes")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ValueError("bias")
    w = w[:, :, ::-1, ::-1]                       # a true convolution
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    ho = conv_output_size(x.shape[2], w.shape[2], ph, sh, dh)
    wo = conv_output_size(x.shape[3], w.shape[3], pw, sw, dw)
    xp = pad2d(x, (ph, pw))
    out = np.zeros((x.shape[0], w.shape[0], ho, wo))
    for u in range(w.shape[2]):
        for v in range(w.shape[3]):
            out += np.einsum("nchw,oc->nohw", xp[:, :, u * dh:u * dh + sh * (ho - 1) + 1:sh,
                                                    v * dw:v * dw + sw * (wo - 1) + 1:sw], w[:, :, u, v])
    return out if b is None else out + np.asarray(b)[:, None, None]
''', "flipped the kernel"),
    "test_maxpool2d_forward": ('''
import numpy as np
from scipy import ndimage

def maxpool2d_forward(x, kernel_size, stride=None):
    x = np.asarray(x, dtype=float)
    kh, kw = as_pair(kernel_size)
    sh, sw = (kh, kw) if stride is None else as_pair(stride)
    ho, wo = conv_output_size(x.shape[2], kh, 0, sh), conv_output_size(x.shape[3], kw, 0, sw)
    filtered = ndimage.maximum_filter(x, size=(1, 1, kh, kw), origin=(0, 0, -(kh // 2), -(kw // 2)))
    return filtered[:, :, :sh * (ho - 1) + 1:sh, :sw * (wo - 1) + 1:sw]
''', "implement yourself"),
    "test_global_avg_pool": ('''
import torch
import torch.nn.functional as F

def global_avg_pool(x):
    return F.adaptive_avg_pool2d(torch.as_tensor(x), 1).flatten(1).numpy()
''', "implement yourself"),
    "test_receptive_field": ('''
def receptive_field(layers):
    size, jump = 1, 1
    for k, s, d in layers:
        if min(k, s, d) < 1:
            raise ValueError("bad")
        size += (k - 1) * jump
        jump *= s
    return size
''', "dilation is ignored"),
}

WRONG_C = {
    "test_conv2d_forward": ('''
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, float), np.asarray(w, float)
    (sh, sw), (ph, pw), (dh, dw) = as_pair(stride), as_pair(padding), as_pair(dilation)
    kh, kw = w.shape[2:]
    views = sliding_window_view(pad2d(x, (ph, pw)), ((kh - 1) * dh + 1, (kw - 1) * dw + 1),
                                axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.einsum("nchwuv,ocuv->nohw", views, w)
    return out if b is None else out + np.asarray(b)[:, None, None]
''', "implement yourself"),
    "test_receptive_field": ('''
import torch

def receptive_field(layers):
    x = torch.zeros(1, 1, 64, 64, requires_grad=True)
    y = x
    for k, s, d in layers:
        y = torch.nn.functional.avg_pool2d(y, 1) if k == 1 else torch.nn.Conv2d(1, 1, k, s, dilation=d)(y)
    y[0, 0, 0, 0].backward()
    return int((x.grad[0, 0].abs().sum(0) > 0).sum())
''', "pure arithmetic"),
}


def _grade(tmp_path_factory, name, replacements):
    return grade_variant(tmp_path_factory, ASSIGNMENT, name, replacements)


def _wrong(variants):
    return wrong_cells(variants)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return {name: _grade(tmp_path_factory, name, replacements)
            for name, replacements in [("loops", RIGHT_LOOPS), ("vectorized", RIGHT_VECTORIZED),
                                       ("wrong_a", _wrong(WRONG_A)), ("wrong_b", _wrong(WRONG_B)),
                                       ("wrong_c", _wrong(WRONG_C))]}


@pytest.mark.parametrize("variant", ["loops", "vectorized"])
def test_right_implementations_get_full_marks(graded, variant):
    assert_full_marks(graded[variant])


@pytest.mark.parametrize("variant, variants", [("wrong_a", WRONG_A), ("wrong_b", WRONG_B),
                                               ("wrong_c", WRONG_C)])
def test_wrong_implementations_lose_points_with_the_mistake_named(graded, variant, variants):
    assert_mistakes_named(graded[variant], variants)


def test_messages_never_show_expected_values(graded):
    assert_no_expected_values(graded[v] for v in ("wrong_a", "wrong_b", "wrong_c"))
