"""02_conv2d implementations that pin "one limitation, charged once" and speed checks that
caching cannot fool (appended to IMPLEMENTATIONS by implementations.py).

Each limited implementation is right except for one missing feature; ``only`` names the one
test of its part that may charge it. The caching cheats get right values from a loop (or a
stale result) and must lose exactly the loop and speed tests.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution

_changed = partial(edited_solution, "02_conv2d")

_BATCH_LINES = """    unbatched = X.ndim == 3
    if unbatched:
        X = X[None]
"""

# The solution's conv2d_im2col renamed, for wrappers that cache its results.
_PIXEL_LOOP_IM2COL = _changed("conv2d_im2col", ("def conv2d_im2col(X, K, b=None):",
                                                "def _conv2d(X, K, b=None):"), (
    """    cols = np.empty((n, c, kh, kw, h_out, w_out))
    for a in range(kh):
        for b_ in range(kw):
            cols[:, :, a, b_] = X[:, :, a:a + h_out, b_:b_ + w_out]
""", """    cols = np.empty((n, c, kh, kw, h_out, w_out))
    for i in range(h_out):
        for j in range(w_out):
            cols[:, :, :, :, i, j] = X[:, :, i:i + kh, j:j + kw]
"""))
_VECTORIZED_IM2COL = _changed("conv2d_im2col", ("def conv2d_im2col(X, K, b=None):",
                                                "def _conv2d(X, K, b=None):"))

# Results remembered by the inputs' bytes: a repeated call is free, a new input is not.
_BY_BYTES = '''

def conv2d_im2col(X, K, b=None, _cache={}):
    key = tuple((np.shape(a), np.asarray(a, dtype=float).tobytes())
                for a in (X, K, 0.0 if b is None else b))
    if key not in _cache:
        _cache[key] = _conv2d(X, K, b)
    return _cache[key].copy()
'''

# Large results remembered by shape only: stale (wrong) for new values of the same shape.
_BY_SHAPE = '''

def conv2d_im2col(X, K, b=None, _cache={}):
    key = (np.shape(X), np.shape(K), b is None)
    if np.size(X) < 2000:
        return _conv2d(X, K, b)
    if key not in _cache:
        _cache[key] = _conv2d(X, K, b)
    return _cache[key]
'''

# The loop hidden from the line counter by switching tracing off around it.
_UNTRACED = '''

def conv2d_im2col(X, K, b=None):
    import sys
    tracer = sys.gettrace()
    sys.settrace(None)
    try:
        return _conv2d(X, K, b)
    finally:
        sys.settrace(tracer)
'''

_NO_LOOP_OR_SPEED = ("No Python loop over output pixels", "At least 20x faster")

IMPLEMENTATIONS = [
    Implementation("im2col_unbatched_only", "conv2d_im2col is right for one image (C, H, W) "
            "but rejects a batch", {"conv2d_im2col": _changed("conv2d_im2col", (
                _BATCH_LINES, """    if X.ndim != 3:
        raise ValueError("give one image (C, H, W)")
    unbatched, X = True, X[None]
"""))}, {"test_conv2d_im2col": "raised ValueError"},
            only={"test_conv2d_im2col": ("Batched X",)}),
    Implementation("im2col_batched_only", "conv2d_im2col is right for a batch (N, C, H, W) "
            "but rejects one image", {"conv2d_im2col": _changed("conv2d_im2col", (
                _BATCH_LINES, """    unbatched = False
    if X.ndim != 4:
        raise ValueError("give a batch (N, C, H, W)")
"""))}, {"test_conv2d_im2col": "raised ValueError"},
            only={"test_conv2d_im2col": ("Unbatched X",)}),
    Implementation("im2col_cached_pixel_loop", "conv2d_im2col loops over output pixels and "
            "remembers each result by the inputs' bytes (repeated calls are free)",
            {"conv2d_im2col": _PIXEL_LOOP_IM2COL + _BY_BYTES},
            {"test_conv2d_im2col": "loops over output pixels"},
            only={"test_conv2d_im2col": _NO_LOOP_OR_SPEED}),
    Implementation("im2col_untraced_loop", "conv2d_im2col loops over output pixels with "
            "sys.settrace switched off (hidden from a line counter)",
            {"conv2d_im2col": _PIXEL_LOOP_IM2COL + _UNTRACED},
            {"test_conv2d_im2col": "switches off the counter"},
            only={"test_conv2d_im2col": _NO_LOOP_OR_SPEED}),
    Implementation("im2col_stale_cache", "conv2d_im2col is vectorized but returns a remembered "
            "result for a large input of a shape it has seen",
            {"conv2d_im2col": _VECTORIZED_IM2COL + _BY_SHAPE},
            {"test_conv2d_im2col": "reuse results of earlier calls"},
            only={"test_conv2d_im2col": _NO_LOOP_OR_SPEED}),
    Implementation("im2col_square_kernels", "conv2d_im2col reads the kernel's height for both "
            "axes (right for square kernels only)", {"conv2d_im2col": _changed("conv2d_im2col", (
                "    c_out, c_in, kh, kw = K.shape\n", "    c_out, c_in, kh = K.shape[:3]\n"
                "    kw = kh\n"))}, {"test_conv2d_im2col": "square kernel was assumed"},
            only={"test_conv2d_im2col": ("Unbatched X",)}),
    Implementation("corr2d_square_kernel", "corr2d reads the kernel's height for both axes "
            "(right for square kernels only)", {"corr2d": _changed("corr2d", (
                "(h, w), (kh, kw) = X.shape, K.shape", "(h, w), kh = X.shape, K.shape[0]\n"
                "    kw = kh"))}, {"test_corr2d": "square kernel was assumed"},
            only={"test_corr2d": ("Random images and asymmetric kernels",)}),
    Implementation("multi_in_out_ignores_bias", "corr2d_multi_in_out checks b but never adds it",
            {"corr2d_multi_in_out": _changed("corr2d_multi_in_out", (
                "return out + b[:, None, None]", "return out"))},
            {"test_corr2d_multi_in_out": "bias"},
            only={"test_corr2d_multi_in_out": ("Lecture example", "Random inputs with a bias")}),
    Implementation("conv1x1_unbatched_only", "conv1x1 rejects a batched X (N, C_in, H, W)",
            {"conv1x1": _changed("conv1x1", ("X.ndim not in (3, 4)", "X.ndim != 3"))},
            {"test_conv1x1": "raised ValueError"},
            only={"test_conv1x1": ("K given as a conv weight",)}),
]
