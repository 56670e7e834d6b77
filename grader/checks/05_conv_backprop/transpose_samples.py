"""05_conv_backprop implementations of conv_transpose2d (appended to IMPLEMENTATIONS by
implementations.py; the loops and np.add.at versions sit in its right samples).

Right: on the student's own conv2d pair (dx of a convolution is a transposed convolution),
einsum and torch's index_add_. Wrong: one sample per misconception, each losing points on
conv_transpose2d's part only, with the mistake named; the library's shortcuts
(nn.ConvTranspose2d, torch.nn.grad.conv2d_input) lose every test; limitations (stride 1 only, padding 0
only, square kernels only) lose the test about that feature only; a right conv_transpose2d
built on a wrong conv2d_backward_naive is not charged (its part is re-checked with the
reference's pair).
"""

from grader.authoring.implementations import Implementation, edited_reference

NUMPY = "import numpy as np\n\n"
PART = "test_conv_transpose2d"

# the checks every version starts with (the reference's words)
_CHECKS = '''    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    if x.ndim != 4 or w.ndim != 4 or x.shape[1] != w.shape[0] or stride < 1 or padding < 0:
        raise ValueError("shapes or settings")
    s, p = stride, padding
    (n, c_in, h, wd), (_, c_out, kh, kw) = x.shape, w.shape
    h_out, w_out = (h - 1) * s - 2 * p + kh, (wd - 1) * s - 2 * p + kw
    if h_out < 1 or w_out < 1:
        raise ValueError("empty output")
'''


def _changed(*edits):
    """The reference's conv_transpose2d with one slip."""
    return NUMPY + edited_reference("05_conv_backprop", "conv_transpose2d", *edits)


# A loop over input pixels; {assign} is "+=" (right) or "=" (the slip).
_LOOPS = NUMPY + '''def conv_transpose2d(x, w, stride=1, padding=0):
''' + _CHECKS + '''    full = np.zeros((n, c_out, (h - 1) * s + kh, (wd - 1) * s + kw))
    for b in range(n):
        for c in range(c_in):
            for i in range(h):
                for j in range(wd):
                    full[b, :, i * s:i * s + kh, j * s:j * s + kw] {op} x[b, c, i, j] * w[c]
    return full[:, :, p:p + h_out, p:p + w_out]
'''

LOOPS = _LOOPS.format(op="+=")

ADD_AT = NUMPY + '''def conv_transpose2d(x, w, stride=1, padding=0):
''' + _CHECKS + '''    rows = (np.arange(h) * s)[:, None, None, None] + np.arange(kh)[None, None, :, None]
    cols = (np.arange(wd) * s)[None, :, None, None] + np.arange(kw)[None, None, None, :]
    spread = np.einsum("nchw,cokl->nohwkl", x, w)            # what lands where, per window
    full = np.zeros((n, c_out, (h - 1) * s + kh, (wd - 1) * s + kw))
    np.add.at(full, (slice(None), slice(None), np.broadcast_to(rows, (h, wd, kh, kw)),
                     np.broadcast_to(cols, (h, wd, kh, kw))), spread)
    return full[:, :, p:p + h_out, p:p + w_out]
'''

# dx of conv2d_backward_naive: the convolution with weight w maps (n, C_out, h_out, w_out)
# to (n, C_in, h, wd); its dx at dout = x is the transposed convolution
_VIA_BACKWARD = NUMPY + '''def conv_transpose2d(x, w, stride=1, padding=0):
''' + _CHECKS + '''    _, cache = conv2d_forward_naive(np.zeros((n, c_out, h_out, w_out)), w, None, s, p)
    return conv2d_backward_naive(x, cache)[0]
'''

_EINSUM_TORCH = '''import numpy as np
import torch

def conv_transpose2d(x, w, stride=1, padding=0):
''' + _CHECKS + '''    full_h, full_w = (h - 1) * s + kh, (wd - 1) * s + kw
    spread = torch.einsum("nchw,cokl->nohwkl", torch.from_numpy(x), torch.from_numpy(w))
    ii, jj, uu, vv = torch.meshgrid(torch.arange(h), torch.arange(wd), torch.arange(kh),
                                    torch.arange(kw), indexing="ij")
    target = ((ii * s + uu) * full_w + jj * s + vv).reshape(-1)   # flat index in the output
    full = torch.zeros(n, c_out, full_h * full_w, dtype=torch.float64)
    full.index_add_(2, target, spread.reshape(n, c_out, -1))
    return full.reshape(n, c_out, full_h, full_w)[:, :, p:p + h_out, p:p + w_out]
'''

# zero-stuffing, then a correlation with w as it is (the slip: the kernel must be flipped)
_ZERO_STUFFED = NUMPY + '''def conv_transpose2d(x, w, stride=1, padding=0):
''' + _CHECKS + '''    stuffed = np.zeros((n, c_in, (h - 1) * s + 1 + 2 * (kh - 1), (wd - 1) * s + 1 + 2 * (kw - 1)))
    stuffed[:, :, kh - 1:kh - 1 + (h - 1) * s + 1:s, kw - 1:kw - 1 + (wd - 1) * s + 1:s] = x
    full = np.zeros((n, c_out, (h - 1) * s + kh, (wd - 1) * s + kw))
    for i in range(full.shape[2]):
        for j in range(full.shape[3]):
            full[:, :, i, j] = np.einsum("nckl,cokl->no", stuffed[:, :, i:i + kh, j:j + kw], w)
    return full[:, :, p:p + h_out, p:p + w_out]
'''

# w read as a convolution's (C_out, C_in, KH, KW)
_SWAPPED = NUMPY + '''def conv_transpose2d(x, w, stride=1, padding=0):
''' + _CHECKS.replace("x.shape[1] != w.shape[0]", "x.shape[1] != w.shape[1]").replace(
    "(_, c_out, kh, kw) = x.shape, w.shape", "(c_out, _, kh, kw) = x.shape, w.shape") + '''    full = np.zeros((n, c_out, (h - 1) * s + kh, (wd - 1) * s + kw))
    for i in range(h):
        for j in range(wd):
            full[:, :, i * s:i * s + kh, j * s:j * s + kw] += np.einsum("nc,ocuv->nouv", x[:, :, i, j], w)
    return full[:, :, p:p + h_out, p:p + w_out]
'''

_LIBRARY = '''import numpy as np
import torch

def conv_transpose2d(x, w, stride=1, padding=0):
    x, w = np.asarray(x, dtype=np.float64), np.asarray(w, dtype=np.float64)
    {body}
'''

IMPLEMENTATIONS = [
    Implementation("transpose_via_conv2d_backward", "conv_transpose2d as dx of the notebook's "
            "own conv2d_backward_naive (cache made by conv2d_forward_naive on zeros)",
            {"conv_transpose2d": _VIA_BACKWARD}),
    Implementation("transpose_einsum_index_add", "conv_transpose2d with torch.einsum and "
            "index_add_ on flat output indices (returns a torch tensor)",
            {"conv_transpose2d": _EINSUM_TORCH}),
    Implementation("transpose_via_wrong_backward", "conv_transpose2d, right, on a "
            "conv2d_backward_naive that keeps the padding in dx: only the backward is charged",
            {"conv_transpose2d": _VIA_BACKWARD,
             "conv2d_backward_naive": NUMPY + edited_reference(
                 "05_conv_backprop", "conv2d_backward_naive",
                 ("return dxp[:, :, ph:ph + h, pw:pw + wd], dw", "return dxp, dw")).replace(
                 "h_out, w_out = _size(h, kh, ph, sh), _size(wd, kw, pw, sw)",
                 "h_out, w_out = (h + 2 * ph - kh) // sh + 1, (wd + 2 * pw - kw) // sw + 1")},
            {"test_conv2d_backward_naive": "still contains the padding"},
            notes={PART: "which is wrong"}),
    Implementation("transpose_swapped_channels", "conv_transpose2d reads w as (C_out, C_in, "
            "KH, KW), a convolution's layout", {"conv_transpose2d": _SWAPPED},
            {PART: "wrong layout"}),
    Implementation("transpose_padding_added", "conv_transpose2d pads the full output with p "
            "zeros instead of cropping it", {"conv_transpose2d": _changed(
                ("return full[:, :, p:full_h - p, p:full_w - p]",
                 "return np.pad(full, ((0, 0), (0, 0), (p, p), (p, p)))"))},
            {PART: "added instead of cropped"}, only={PART: ("Padding 1 and 2",)}),
    Implementation("transpose_output_size", "conv_transpose2d allocates H*s - 2p + K - 1 rows "
            "(and likewise columns): one stride too many", {"conv_transpose2d": _changed(
                ("full_h, full_w = (h - 1) * s + kh, (wd - 1) * s + kw",
                 "full_h, full_w = h * s + kh - 1, wd * s + kw - 1"))},
            {PART: "output size is wrong"}, only={PART: ("Stride 2 and 3",)}),
    Implementation("transpose_empty_crop", "conv_transpose2d crops with p:-p (empty for p = 0)",
            {"conv_transpose2d": _changed(("return full[:, :, p:full_h - p, p:full_w - p]",
                                           "return full[:, :, p:-p, p:-p]"))},
            {PART: "p:-p"}),
    Implementation("transpose_assign", "conv_transpose2d overwrites (=) where windows overlap",
            {"conv_transpose2d": _LOOPS.format(op="=")}, {PART: "accumulate with +="}),
    Implementation("transpose_ignores_stride", "conv_transpose2d places window (i, j) at "
            "(i, j) in an output of the right size", {"conv_transpose2d": _changed(
                ("full[:, :, u:u + s * (h - 1) + 1:s, v:v + s * (wd - 1) + 1:s]",
                 "full[:, :, u:u + h, v:v + wd]"))},
            {PART: "stride is ignored"}, only={PART: ("Stride 2 and 3",)}),
    Implementation("transpose_zero_stuffed_unflipped", "conv_transpose2d correlates the "
            "zero-stuffed input with w unflipped", {"conv_transpose2d": _ZERO_STUFFED},
            {PART: "the kernel is flipped"}),
    # library shortcuts: the module (caught when it runs) and the gradient it is
    Implementation("transpose_library_module", "conv_transpose2d runs nn.ConvTranspose2d",
            {"conv_transpose2d": _LIBRARY.format(body="layer = torch.nn.ConvTranspose2d("
                "w.shape[0], w.shape[1], w.shape[2:], stride, padding, bias=False).double()\n"
                "    layer.weight.data = torch.tensor(w, dtype=torch.float64)\n"
                "    return layer(torch.tensor(x, dtype=torch.float64)).detach().numpy()")},
            {PART: "implement yourself"}),
    Implementation("transpose_library_gradient", "conv_transpose2d as torch.nn.grad.conv2d_input",
            {"conv_transpose2d": _LIBRARY.format(body="size = (x.shape[0], w.shape[1], "
                "(x.shape[2] - 1) * stride - 2 * padding + w.shape[2], "
                "(x.shape[3] - 1) * stride - 2 * padding + w.shape[3])\n"
                "    return torch.nn.grad.conv2d_input(size, torch.tensor(w), torch.tensor(x), "
                "stride, padding).numpy()")},
            {PART: "implement yourself"}),
    # one limitation: the test about that feature alone fails
    Implementation("transpose_stride_one_only", "conv_transpose2d rejects stride > 1",
            {"conv_transpose2d": _changed(("if s < 1 or p < 0:", "if s != 1 or p < 0:"))},
            {PART: "raised ValueError"}, only={PART: ("Stride 2 and 3",)}),
    Implementation("transpose_padding_zero_only", "conv_transpose2d rejects padding > 0",
            {"conv_transpose2d": _changed(("if s < 1 or p < 0:", "if s < 1 or p != 0:"))},
            {PART: "raised ValueError"}, only={PART: ("Padding 1 and 2",)}),
    Implementation("transpose_square_kernels", "conv_transpose2d reads the kernel's height "
            "for both axes", {"conv_transpose2d": _changed(
                ("_, c_out, kh, kw = w.shape", "_, c_out, kh, _ = w.shape\n    kw = kh"))},
            {PART: "output size is wrong"}, only={PART: ("Stride 1, no padding: batch",)}),
]
