"""05_conv_backprop implementations that pin "a forward limitation is charged to the forward
only" (appended to IMPLEMENTATIONS by implementations.py).

The backward checks run the student's own forward to make the cache. Each sample here has a
forward with one limitation and a right backward: only the forward's part may lose points,
and the backward's part says which cases could not be checked and why.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution

_changed = partial(edited_solution, "05_conv_backprop")
_NOT_CHECKED = "could not be checked"

IMPLEMENTATIONS = [
    Implementation("forward_asserts_divisible", "conv2d_forward_naive asserts that the stride "
            "divides the padded size (no row or column dropped); the backward is right",
            {"conv2d_forward_naive": _changed("conv2d_forward_naive", (
                "    out = np.zeros((x.shape[0], w.shape[0], h_out, w_out))\n",
                "    assert (xp.shape[2] - kh) % sh == 0 and (xp.shape[3] - kw) % sw == 0, \\\n"
                "        'the stride must divide the padded size'\n"
                "    out = np.zeros((x.shape[0], w.shape[0], h_out, w_out))\n"))},
            {"test_conv2d_forward_naive": "raised AssertionError"},
            notes={"test_conv2d_backward_naive": _NOT_CHECKED}),
    Implementation("forward_needs_bias", "conv2d_forward_naive fails for b=None; the backward "
            "is right", {"conv2d_forward_naive": _changed("conv2d_forward_naive", (
                "    if b is not None:\n        out += np.asarray(b, dtype=np.float64)",
                "    if True:\n        out += np.asarray(b, dtype=np.float64)"))},
            {"test_conv2d_forward_naive": "conv2d_forward_naive"},
            only={"test_conv2d_forward_naive": ("Stride 1, no padding",)},
            notes={"test_conv2d_backward_naive": _NOT_CHECKED}),
    Implementation("forward_ignores_padding", "conv2d_forward_naive never pads (and caches "
            "padding 0); the backward, right, reads that cache",
            {"conv2d_forward_naive": _changed("conv2d_forward_naive", (
                "    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))", "    xp = x"),
                ("return out, (x, w, b, (sh, sw), (ph, pw))", "return out, (x, w, b, (sh, sw), (0, 0))"))},
            {"test_conv2d_forward_naive": "wrong shape"},
            only={"test_conv2d_forward_naive": ("Stride 2 and 3, padding",)},
            notes={"test_conv2d_backward_naive": "wrong shape"}),
    Implementation("pool_forward_no_overlap", "maxpool_forward_naive rejects overlapping "
            "windows (stride < kernel); the backward is right",
            {"maxpool_forward_naive": _changed("maxpool_forward_naive", (
                "    h_out, w_out = (x.shape[2] - kh) // sh + 1,",
                "    if sh < kh or sw < kw:\n"
                "        raise ValueError('windows must not overlap')\n"
                "    h_out, w_out = (x.shape[2] - kh) // sh + 1,"))},
            {"test_maxpool_forward_naive": "raised ValueError"},
            only={"test_maxpool_forward_naive": ("Kernel 3 stride 2",)},
            notes={"test_maxpool_backward_naive": _NOT_CHECKED}),
    Implementation("backward_square_kernels", "conv2d_backward_naive reads the kernel's height "
            "for both axes (right for square kernels only)",
            {"conv2d_backward_naive": _changed("conv2d_backward_naive", (
                "    kh, kw = w.shape[2:]\n", "    kh = kw = w.shape[2]\n"))},
            {"test_conv2d_backward_naive": "conv2d_backward_naive"},
            only={"test_conv2d_backward_naive": ("Stride 1, no padding",)}),
    Implementation("numerical_gradient_2d_only", "numerical_gradient loops over two indices "
            "(right for a 2-D x only)", {"numerical_gradient": """import numpy as np

def numerical_gradient(f, x, dout, h=1e-5):
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            old = x[i, j]
            x[i, j] = old + h
            plus = np.sum(f(x) * dout)
            x[i, j] = old - h
            minus = np.sum(f(x) * dout)
            x[i, j] = old
            grad[i, j] = (plus - minus) / (2 * h)
    return grad
"""}, {"test_numerical_gradient": "numerical_gradient"},
            only={"test_numerical_gradient": ("An elementwise cubic",)}),
]
