"""02_conv2d: wrong implementations written independently of the course (another course's
style: other names, loops or vectorised), each a classic slip that the feedback must name
instead of numpy's error or "right shape but wrong values" (appended to IMPLEMENTATIONS by
implementations.py).
"""

from grader.authoring.implementations import Implementation

_SQUARE_LOOP = '''import numpy as np

def corr2d(X, K):
    img = np.array(X, dtype=float)
    ker = np.array(K, dtype=float)
    if img.ndim != 2 or ker.ndim != 2:
        raise ValueError("corr2d takes 2-D arrays")
    size = ker.shape[0]                          # the kernel is size x size
    if ker.shape[0] > img.shape[0] or ker.shape[1] > img.shape[1]:
        raise ValueError("kernel larger than image")
    rows, cols = img.shape[0] - size + 1, img.shape[1] - size + 1
    out = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            out[r, c] = (img[r:r + size, c:c + size] * ker).sum()
    return out
'''

_SQUARE_WIDTH_TAPS = '''import numpy as np

def corr2d(X, K):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("bad shapes")
    k = K.shape[1]                               # taps along both axes
    Y = np.zeros((X.shape[0] - k + 1, X.shape[1] - k + 1))
    for a in range(k):
        for b in range(k):
            Y += K[a, b] * X[a:a + Y.shape[0], b:b + Y.shape[1]]
    return Y
'''

# A pixel loop made "fast" by remembering results by the shapes of the inputs.
_CACHED_PIXEL_LOOP = '''import numpy as np

_memo = {}

def conv2d_im2col(X, K, b=None):
    img = np.asarray(X, dtype=float)
    ker = np.asarray(K, dtype=float)
    if img.ndim not in (3, 4) or ker.ndim != 4 or img.shape[-3] != ker.shape[1]:
        raise ValueError("shapes do not match")
    if b is not None and np.shape(b) != (ker.shape[0],):
        raise ValueError("one bias per output channel")
    key = (img.shape, ker.shape, b is None)
    if key in _memo:
        return _memo[key].copy()
    single = img.ndim == 3
    batch = img[None] if single else img
    fo, ci, kh, kw = ker.shape
    ho, wo = batch.shape[2] - kh + 1, batch.shape[3] - kw + 1
    if ho < 1 or wo < 1:
        raise ValueError("kernel too large")
    flat = ker.reshape(fo, -1)
    res = np.zeros((batch.shape[0], fo, ho, wo))
    for i in range(ho):
        for j in range(wo):
            patch = batch[:, :, i:i + kh, j:j + kw].reshape(batch.shape[0], -1)
            res[:, :, i, j] = patch @ flat.T
    if b is not None:
        res += np.asarray(b, dtype=float)[None, :, None, None]
    res = res[0] if single else res
    _memo[key] = res
    return res.copy()
'''

# Vectorised over the kernel taps; the bias loop indexes the width axis with the channel.
_BIAS_ON_WIDTH = '''import numpy as np

def corr2d_multi_in_out(X, K, b=None):
    img = np.asarray(X, dtype=np.float64)
    ker = np.asarray(K, dtype=np.float64)
    if img.ndim != 3 or ker.ndim != 4 or img.shape[0] != ker.shape[1]:
        raise ValueError("expected X (C_in, H, W) and K (C_out, C_in, KH, KW)")
    if b is not None and np.shape(b) != (ker.shape[0],):
        raise ValueError("b must have one value per output channel")
    n_out, _, kh, kw = ker.shape
    oh, ow = img.shape[1] - kh + 1, img.shape[2] - kw + 1
    if oh < 1 or ow < 1:
        raise ValueError("the kernel does not fit")
    out = np.zeros((n_out, oh, ow))
    for a in range(kh):
        for c in range(kw):
            out += np.einsum("oc,chw->ohw", ker[:, :, a, c], img[:, a:a + oh, c:c + ow])
    if b is not None:
        for o in range(n_out):
            out[..., o] += b[o]
    return out
'''

IMPLEMENTATIONS = [
    Implementation("multi_out_bias_on_width", "corr2d_multi_in_out adds b[o] with out[..., o] "
                   "(column o, not channel o)", {"corr2d_multi_in_out": _BIAS_ON_WIDTH},
                   {"test_corr2d_multi_in_out": "bias was added along the last (width) axis"}),
    Implementation("im2col_pixel_loop_shape_memo", "conv2d_im2col loops over output pixels "
                   "and remembers its results by the inputs' shapes",
                   {"conv2d_im2col": _CACHED_PIXEL_LOOP},
                   {"test_conv2d_im2col": "reuse results of earlier calls"}),
    Implementation("corr2d_square_assumed", "corr2d (loops) uses the kernel's height for both "
                   "axes: numpy cannot broadcast on a non-square kernel",
                   {"corr2d": _SQUARE_LOOP}, {"test_corr2d": "square kernel was assumed"},
                   only={"test_corr2d": ("Random images and asymmetric kernels",)}),
    Implementation("corr2d_square_by_width", "corr2d (a loop over kernel taps) uses the "
                   "kernel's width for both axes",
                   {"corr2d": _SQUARE_WIDTH_TAPS}, {"test_corr2d": "square kernel was assumed"},
                   only={"test_corr2d": ("Random images and asymmetric kernels",)}),
]
