"""Right and wrong implementations of 02_conv2d's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations).

Most wrong ones are the solution's cell with one slip (``_changed``). The ``slips_*``
notebooks each break all six exercises at once (grading is cheap per part, dear per
notebook); there no function calls another graded one (``_corr``, a right correlation of
their own, stands in for corr2d), so each part is judged on its own mistake.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution
from grader.checking import load_reference

# Most samples start with this line, as a student's cell would.
NUMPY = "import numpy as np\n\n"

_changed = partial(edited_solution, "02_conv2d")

# A right corr2d of the sample's own (shifted views), defined beside corr2d_multi_in_out.
_CORR = NUMPY + '''def _corr(X, K):
    (h, w), (kh, kw) = X.shape, K.shape
    if kh > h or kw > w:
        raise ValueError("the kernel does not fit")
    return sum(K[a, b] * X[a:a + h - kh + 1, b:b + w - kw + 1]
               for a in range(kh) for b in range(kw))
'''

# corr2d_multi_in_out without corr2d_multi_in (for samples that break it): {result} ends it.
_MULTI_IN_OUT = _CORR + '''
def corr2d_multi_in_out(X, K, b=None):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 3 or K.ndim != 4 or K.shape[1] != len(X):
        raise ValueError("expected X (C_in, H, W) and K (C_out, C_in, KH, KW)")
    if b is not None and np.shape(b) != (len(K),):
        raise ValueError("b must have one value per output channel")
    maps = [sum(_corr(x, k) for x, k in zip(X, kernel)) for kernel in K]
{result}'''
_PLUS_BIAS = """    out = np.stack(maps{axis})
    return out if b is None else out + {bias}
"""

# The solution's loop that builds im2col's columns, for samples that build them otherwise.
_COLUMNS = '''    cols = np.empty((n, c, kh, kw, h_out, w_out))
    for a in range(kh):
        for b_ in range(kw):
            cols[:, :, a, b_] = X[:, :, a:a + h_out, b_:b_ + w_out]
'''

def _im2col(note, body):
    """A conv2d_im2col written from scratch: its own validation, then ``body``, which
    computes ``out`` (N, C_out, H_out, W_out) from X, K, b and the sizes."""
    return NUMPY + f'''def _check_4d(X, K, b):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    unbatched = X.ndim == 3
    if unbatched:
        X = X[None]
    if X.ndim != 4 or K.ndim != 4 or X.shape[1] != K.shape[1] \\
            or K.shape[2] > X.shape[2] or K.shape[3] > X.shape[3]:
        raise ValueError("expected X (N, C, H, W), K (C_out, C, KH, KW) that fits")
    b = np.zeros(K.shape[0]) if b is None else np.asarray(b, dtype=float)
    if b.shape != (K.shape[0],):
        raise ValueError("b must have one value per output channel")
    return X, K, b, unbatched

def conv2d_im2col(X, K, b=None):          # {note}
    X, K, b, unbatched = _check_4d(X, K, b)
    (n, c, h, w), (co, _, kh, kw) = X.shape, K.shape
    ho, wo = h - kh + 1, w - kw + 1
{body}    return out[0] if unbatched else out
'''

_FLIPPED = _changed("corr2d", ("K = np.asarray(K, dtype=np.float64)",
                               "K = np.asarray(K, dtype=np.float64)[::-1, ::-1]"))
_SUMMED = "return sum(corr2d(x, k) for x, k in zip(X, K))"

_LOOPS = {
    "corr2d": NUMPY + '''def corr2d(X, K):
    X, K = np.array(X, dtype=float), np.array(K, dtype=float)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("expected a 2-D image and a 2-D kernel that fits")
    out = np.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for a in range(K.shape[0]):
                for b in range(K.shape[1]):
                    out[i, j] += X[i + a, j + b] * K[a, b]
    return out
''',
    "corr2d_multi_in": NUMPY + '''def corr2d_multi_in(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 3 or K.ndim != 3 or len(X) != len(K):
        raise ValueError("expected X (C, H, W) and K (C, KH, KW)")
    total = corr2d(X[0], K[0])
    for c in range(1, len(X)):
        total += corr2d(X[c], K[c])
    return total
''',
    "corr2d_multi_in_out": NUMPY + '''def corr2d_multi_in_out(X, K, b=None):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 3 or K.ndim != 4:
        raise ValueError("expected X (C_in, H, W) and K (C_out, C_in, KH, KW)")
    if b is not None and np.shape(b) != (len(K),):
        raise ValueError("b must have one value per output channel")
    out = np.array([corr2d_multi_in(X, k) for k in K])
    if b is not None:
        for o in range(len(K)):
            out[o] += b[o]
    return out
''',
    "conv2d_im2col": _im2col("einsum over the kernel offsets", '''\
    out = np.zeros((n, co, ho, wo)) + b[:, None, None]
    for a in range(kh):
        for d in range(kw):
            out += np.einsum("oc,nchw->nohw", K[:, :, a, d], X[:, :, a:a + ho, d:d + wo])
'''),
    "conv1x1": NUMPY + '''def conv1x1(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if K.ndim == 4 and K.shape[2:] == (1, 1):
        K = K.reshape(K.shape[:2])
    if K.ndim != 2 or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("expected X (..., C_in, H, W) and K (C_out, C_in)")
    return np.moveaxis(np.tensordot(K, X, axes=([1], [X.ndim - 3])), 0, -3)
''',
    "learn_kernel": NUMPY + '''def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # hand-derived gradient
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    if Y.shape != (len(X), X.shape[1] - kh + 1, X.shape[2] - kw + 1):
        raise ValueError("X, Y and kernel_shape do not fit together")
    K = np.zeros((kh, kw))
    losses = []
    for _ in range(steps):
        err = np.stack([corr2d(x, K) for x in X]) - Y
        losses.append(np.mean(err ** 2))
        K = K - lr * 2 / err.size * sum(corr2d(x, e) for x, e in zip(X, err))
    return (K, losses) if return_losses else K
''',
}

_VIEWS = {
    "corr2d": NUMPY + '''def corr2d(X, K):                          # a sum of shifted views
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError("expected a 2-D image and a 2-D kernel")
    ho, wo = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    if ho < 1 or wo < 1:
        raise ValueError("the kernel does not fit")
    return sum(K[a, b] * X[a:a + ho, b:b + wo]
               for a in range(K.shape[0]) for b in range(K.shape[1]))
''',
    "corr2d_multi_in": NUMPY + '''def corr2d_multi_in(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 3 or K.ndim != 3 or K.shape[0] != X.shape[0]:
        raise ValueError("expected X (C, H, W) and K (C, KH, KW)")
    return np.sum([corr2d(x, k) for x, k in zip(X, K)], axis=0)
''',
    "corr2d_multi_in_out": NUMPY + '''def corr2d_multi_in_out(X, K, b=None):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 3 or K.ndim != 4 or K.shape[1] != X.shape[0]:
        raise ValueError("expected X (C_in, H, W) and K (C_out, C_in, KH, KW)")
    b = np.zeros(len(K)) if b is None else np.asarray(b, dtype=float)
    if b.shape != (len(K),):
        raise ValueError("b must have one value per output channel")
    return np.stack([sum(corr2d(X[c], K[o, c]) for c in range(len(X))) + b[o]
                     for o in range(len(K))])
''',
    "conv2d_im2col": _im2col("cs231n-style index arrays, one gather", '''\
    rows = np.repeat(np.arange(kh), kw)[:, None] + np.repeat(np.arange(ho), wo)[None, :]
    cols = np.tile(np.arange(kw), kh)[:, None] + np.tile(np.arange(wo), ho)[None, :]
    patches = X[:, :, rows, cols].reshape(n, c * kh * kw, ho * wo)
    out = (K.reshape(co, -1) @ patches + b[:, None]).reshape(n, co, ho, wo)
'''),
    "conv1x1": NUMPY + '''def conv1x1(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if K.ndim == 4:
        if K.shape[2:] != (1, 1):
            raise ValueError("not a 1x1 kernel")
        K = K[:, :, 0, 0]
    if K.ndim != 2 or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("expected X (..., C_in, H, W) and K (C_out, C_in)")
    pixels = np.moveaxis(X, -3, -1)             # (..., H, W, C_in)
    return np.moveaxis(pixels @ K.T, -1, -3)
''',
    "learn_kernel": '''import numpy as np
import torch

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # autograd + SGD
    X, Y = torch.tensor(np.asarray(X, dtype=float)), torch.tensor(np.asarray(Y, dtype=float))
    if X.dim() == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    ho, wo = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    if tuple(Y.shape) != (X.shape[0], ho, wo):
        raise ValueError("X, Y and kernel_shape do not fit together")
    K = torch.zeros((kh, kw), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([K], lr=lr)
    losses = []
    for _ in range(steps):
        pred = torch.stack([K[a, b] * X[:, a:a + ho, b:b + wo]
                            for a in range(kh) for b in range(kw)]).sum(0)
        loss = torch.nn.functional.mse_loss(pred, Y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (K.detach().numpy(), losses) if return_losses else K.detach().numpy()
''',
}

IMPLEMENTATIONS = [
    Implementation("loops", "loops everywhere, im2col as einsum over the kernel offsets, "
                   "conv1x1 with tensordot, learn_kernel with the hand-derived gradient", _LOOPS),
    Implementation("shifted_views", "sums of shifted views, im2col by fancy indexing, conv1x1 "
                   "with moveaxis and @, learn_kernel with autograd and torch.optim.SGD", _VIEWS),
    Implementation("stacked_im2col", "conv2d_im2col stacks shifted views, columns in (kh, kw, c) "
                   "order on both sides",
            {"conv2d_im2col": _im2col("(kh, kw, c) order", '''\
    views = np.stack([X[:, :, a:a + ho, d:d + wo] for a in range(kh) for d in range(kw)], axis=1)
    cols = views.reshape(n, kh * kw * c, ho * wo)
    out = np.einsum("ok,nkp->nop", K.transpose(0, 2, 3, 1).reshape(co, -1), cols)
    out = out.reshape(n, co, ho, wo) + b.reshape(1, co, 1, 1)
''')}),
    Implementation("flipped_kernel", "corr2d flips the kernel (computes a convolution); "
            "corr2d_multi_in and corr2d_multi_in_out are right but call it",
            {"corr2d": _FLIPPED}, {"test_corr2d": "flipped the kernel"}),
    Implementation("channels_averaged",
            "corr2d_multi_in averages the channels instead of summing them",
            {"corr2d_multi_in": _changed("corr2d_multi_in", (
                _SUMMED, "return np.mean([corr2d(x, k) for x, k in zip(X, K)], axis=0)")),
             "corr2d_multi_in_out": _MULTI_IN_OUT.format(result=_PLUS_BIAS.format(
                 axis="", bias="np.asarray(b, dtype=float)[:, None, None]"))},
            {"test_corr2d_multi_in": "averaged"}),
    Implementation("bias_per_input_channel",
            "corr2d_multi_in_out adds the bias inside the loop over C_in",
            {"corr2d_multi_in_out": _MULTI_IN_OUT.format(result='''    if b is not None:
        maps = [sum(_corr(x, k) + bias for x, k in zip(X, kernel))
                for kernel, bias in zip(K, b)]
    return np.stack(maps)
''')}, {"test_corr2d_multi_in_out": "once per input channel"}),
    Implementation("off_by_one", "conv2d_im2col computes H - KH outputs instead of H - KH + 1",
            {"conv2d_im2col": _changed("conv2d_im2col", ("h_out, w_out = h - kh + 1, w - kw + 1",
                                                         "h_out, w_out = h - kh, w - kw"))},
            {"test_conv2d_im2col": "+ 1"}),
    Implementation("column_order", "conv2d_im2col flattens the patches in (kh, kw, c) order, "
            "the kernel in (c, kh, kw) order",
            {"conv2d_im2col": _changed("conv2d_im2col", (_COLUMNS, _COLUMNS.replace(
                "(n, c, kh, kw,", "(n, kh, kw, c,").replace("cols[:, :, a,", "cols[:, a,")))},
            {"test_conv2d_im2col": "column order"}),
    Implementation("pixel_loop",
            "conv2d_im2col gives right values but builds the columns pixel by pixel",
            {"conv2d_im2col": _changed("conv2d_im2col", (_COLUMNS, """\
    cols = np.empty((n, c * kh * kw, h_out * w_out))
    for i in range(h_out):
        for j in range(w_out):
            cols[:, :, i * w_out + j] = X[:, :, i:i + kh, j:j + kw].reshape(n, -1)
"""))}, {"test_conv2d_im2col": "loop"}),
    Implementation("library_unfold", "conv2d_im2col calls F.unfold instead of building the columns",
            {"conv2d_im2col": _changed("conv2d_im2col", (
                _COLUMNS, "    cols = F.unfold(torch.as_tensor(X), (kh, kw)).numpy()\n"))},
            {"test_conv2d_im2col": "implement yourself"}),
    Implementation("conv1x1_transposed", "conv1x1 multiplies by K.T (K read as (C_in, C_out))",
            {"conv1x1": _changed("conv1x1", ("K @ pixels", "K.T @ pixels"))},
            {"test_conv1x1": "transposed"}),
    Implementation("learn_sum_loss",
            "learn_kernel uses the sum of squared errors: gradient descent diverges",
            {"learn_kernel": _changed("learn_kernel", (".mean()", ".sum()"))},
            {"test_learn_kernel": "diverged"}),
    Implementation("learn_flipped", "learn_kernel's forward pass convolves (flips the kernel), "
            "so it learns the flipped kernel",
            {"learn_kernel": _changed("learn_kernel",
                                      ("sum(K[a, b] *", "sum(K[kh - 1 - a, kw - 1 - b] *"))},
            {"test_learn_kernel": "flipped"}),
    Implementation("slips_1", "corr2d gives H - KH outputs, corr2d_multi_in stacks the channels, "
            "corr2d_multi_in_out drops b, im2col reshapes (pixels, C_out) untransposed, conv1x1 "
            "reshapes instead of moving the channel axis, learn_kernel climbs the gradient",
            {"corr2d": _changed("corr2d", ("np.zeros((h - kh + 1, w - kw + 1))",
                                           "np.zeros((h - kh, w - kw))")),
             "corr2d_multi_in": _changed("corr2d_multi_in", (
                 _SUMMED, "return np.stack([_corr(x, k) for x, k in zip(X, K)])")),
             "corr2d_multi_in_out": _MULTI_IN_OUT.format(result="    return np.stack(maps)\n"),
             "conv2d_im2col": _changed("conv2d_im2col", (
                 "K.reshape(c_out, -1) @ cols.reshape(n, c * kh * kw, h_out * w_out)",
                 "np.swapaxes(cols.reshape(n, c * kh * kw, -1), 1, 2) @ K.reshape(c_out, -1).T"),
                 ("(out + b[:, None])", "(out + b)")),
             "conv1x1": _changed("conv1x1", ("X.reshape(*X.shape[:-2], h * w)",
                                             "X.reshape(*X.shape[:-3], h * w, K.shape[1])"),
                                 ("(..., C_in, H*W): channels stay first", "(..., H*W, C_in)"),
                                 ("K @ pixels", "pixels @ K.T")),
             "learn_kernel": _changed("learn_kernel", ("K -= lr * K.grad", "K += lr * K.grad"))},
            {"test_corr2d": "+ 1", "test_corr2d_multi_in": "not summed",
             "test_corr2d_multi_in_out": "bias b was not added",
             "test_conv2d_im2col": "without transposing", "test_conv1x1": "reshape",
             "test_learn_kernel": "diverged"}),
    Implementation("slips_2", "corr2d uses sliding_window_view, corr2d_multi_in keeps the last "
            "channel only, corr2d_multi_in_out adds b per position, im2col mixes batch and "
            "channels, conv1x1 calls F.conv2d, learn_kernel never updates K",
            {"corr2d": """import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def corr2d(X, K):
    X, K = np.asarray(X, dtype=float), np.asarray(K, dtype=float)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("expected a 2-D image and a 2-D kernel that fits")
    return np.einsum("ijab,ab->ij", sliding_window_view(X, K.shape), K)
""",
             "corr2d_multi_in": _changed("corr2d_multi_in", (
                 _SUMMED, "for x, k in zip(X, K):\n        total = _corr(x, k)\n    return total")),
             "corr2d_multi_in_out": _MULTI_IN_OUT.format(result=_PLUS_BIAS.format(
                 axis="", bias="np.asarray(b, dtype=float)")),
             "conv2d_im2col": _changed("conv2d_im2col", (_COLUMNS, """\
    cols = np.empty((c, kh, kw, n, h_out, w_out))
    for a in range(kh):
        for b_ in range(kw):
            cols[:, a, b_] = np.moveaxis(X[:, :, a:a + h_out, b_:b_ + w_out], 0, 1)
"""), ("cols.reshape(n, c * kh * kw, h_out * w_out)", "cols.reshape(c * kh * kw, -1)")),
             "conv1x1": _changed("conv1x1", (
                 "(K @ pixels)", ("F.conv2d(torch.as_tensor(X.reshape(-1, *X.shape[-3:])), "
                                  "torch.as_tensor(K[:, :, None, None])).numpy()"))),
             "learn_kernel": _changed("learn_kernel",
                                      ("K -= lr * K.grad", "new_K = K - lr * K.grad"))},
            {"test_corr2d": "implement yourself", "test_corr2d_multi_in": "only one channel",
             "test_corr2d_multi_in_out": "per position", "test_conv2d_im2col": "batch and channel",
             "test_conv1x1": "implement yourself", "test_learn_kernel": "starting kernel"}),
    Implementation("slips_3", "corr2d flips the kernel, corr2d_multi_in uses K[0] for every "
            "channel, corr2d_multi_in_out puts the channels last, im2col loops over output rows, "
            "conv1x1 sums over the output channels, learn_kernel calls F.conv2d",
            {"corr2d": _FLIPPED,
             "corr2d_multi_in": _changed("corr2d_multi_in", (
                 _SUMMED, "return sum(_corr(x, K[0]) for x in X)")),
             "corr2d_multi_in_out": _MULTI_IN_OUT.format(result=_PLUS_BIAS.format(
                 axis=", axis=-1", bias="np.asarray(b, dtype=float)")),
             "conv2d_im2col": _im2col("a loop over output rows", """\
    out = np.empty((n, co, ho, wo))
    for i in range(ho):
        band = np.stack([X[:, :, i:i + kh, d:d + wo] for d in range(kw)], axis=-2)
        out[:, :, i, :] = np.einsum("ocab,ncabw->now", K, band) + b[:, None]
"""),
             "conv1x1": _changed("conv1x1", (
                 "(K @ pixels).reshape(*X.shape[:-3], K.shape[0], h, w)",
                 "(K.sum(axis=0)[:, None] * pixels).reshape(X.shape)")),
             "learn_kernel": _changed("learn_kernel", (
                 "correlate(K) - Y", "F.conv2d(X[:, None], K[None, None])[:, 0] - Y"))},
            {"test_corr2d": "flipped the kernel", "test_corr2d_multi_in": "paired wrongly",
             "test_corr2d_multi_in_out": "last axis", "test_conv2d_im2col": "more Python lines",
             "test_conv1x1": "output channels instead", "test_learn_kernel": "implement yourself"}),
]

# One limitation charged once; caching cannot fool the loop and speed checks.
IMPLEMENTATIONS += load_reference(__file__, "limits").IMPLEMENTATIONS
IMPLEMENTATIONS += load_reference(__file__, "named_slips").IMPLEMENTATIONS

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("flipped_kernel", "column_order", "pixel_loop")
