"""Deliberately wrong variants of the 03_padding_stride_pooling reference, for diagnosis.

Trusted code (grading process only). Each ``*_candidates`` function returns
``[(candidate_output, message), ...]``: what a student with a given
misconception would return for the same inputs, and the feedback naming that
mistake. Messages never contain expected values. The pooling functions' are in
pooling_misconceptions.py.
"""

import numpy as np

from grader.checking import load_reference, try_candidate

ref = load_reference(__file__)

# ------------------------------------------------------ conv_output_size
SIZE_PLUS_ONE = ("you forgot the + 1: the first window position counts too "
                 "(floor((n + 2p - d(k-1) - 1) / s) + 1).")
SIZE_CEIL = ("you rounded up: a window that does not fit completely is dropped, so the "
             "formula uses floor division, not ceil.")
SIZE_TRUE_DIV = "you returned a non-integer: use floor division // for the stride."
SIZE_PAD_ONCE = ("padding is counted once: p zeros are added on EACH side, so the padded "
                 "size is n + 2p, not n + p.")
SIZE_PAD_IGNORED = "padding is ignored: the padded size is n + 2p."
SIZE_DIL_DK = ("wrong dilation formula: a dilated kernel spans d(k-1) + 1 inputs, not d*k "
               "(k taps have k - 1 gaps between them).")
SIZE_DIL_PLUS_ONE = ("wrong dilation formula: dilation 1 is an ordinary kernel; with (d+1)(k-1) "
                     "you used the slides' 'dilation 0 = no gaps' rate (PyTorch's dilation = rate + 1). "
                     "The span is d(k-1) + 1.")
SIZE_DIL_IGNORED = "dilation is ignored: a dilated kernel spans d(k-1) + 1 inputs."
SIZE_STRIDE_IGNORED = "stride is ignored: divide the number of steps by the stride (floor)."
SIZE_ARG_ORDER = ("padding and stride are swapped: the signature is conv_output_size(n, k, "
                  "padding=0, stride=1, dilation=1), padding BEFORE stride (notebook 01's "
                  "conv1d_output_length had them the other way round).")

# ----------------------------------------------------------------- pad2d
PAD_ONE_SIDE = ("you padded only one side: padding p adds p zeros at the top AND the bottom "
                "(and at the left AND the right).")
PAD_DOUBLE = "you added 2p zeros on each side; padding p means p zeros on each side (2p in total)."
PAD_SWAPPED = ("(ph, pw) are swapped: ph pads the rows (axis -2, height), pw the columns "
               "(axis -1, width).")
PAD_ALL_AXES = ("you padded every axis: only the last two axes (height, width) are padded; "
                "batch and channel axes keep their size.")
PAD_ONE_AXIS = "only one of the two spatial axes is padded: pad both height (axis -2) and width (axis -1)."

# ---------------------------------------------------------- same_padding
SAME_DIL_IGNORED = ("dilation is ignored: a dilated kernel spans d(k-1) + 1 inputs, so it needs "
                    "d(k-1)/2 zeros on each side.")
SAME_DIL_DK = ("wrong dilation formula: the effective kernel is d(k-1) + 1 wide, not d*k; "
               "'same' padding is d(k-1)/2 per side.")
SAME_TOTAL = ("you returned the total padding of both sides; same_padding returns the padding "
              "per side, d(k-1)/2.")
SAME_EVEN = ("for an even effective kernel d(k-1) + 1 no symmetric padding keeps the size "
             "(one side would need one zero more); same_padding must raise ValueError then, "
             "as its docstring says.")

# ----------------------------------------------------------- conv2d_forward
FLIPPED = ("this looks like true convolution: you flipped the kernel. CNN layers compute "
           "cross-correlation, y = sum w[o, c, i, j] x[c, h + i, w + j], without a flip.")
BIAS_IGNORED = "the bias b was not added."
BIAS_PER_POSITION = ("the bias was added per position (along the width axis). b has one value "
                     "per output channel: add b[o] to every position of channel o, "
                     "e.g. out += b[None, :, None, None].")
BIAS_PER_INPUT_CHANNEL = ("the bias was added once per input channel or kernel tap (inside a "
                          "loop); add it once per output value.")
STRIDE_IGNORED = "stride is ignored: you computed the output at every position."
STRIDE_START = ("the output has the strided size, but window (i, j) must start at input "
                "position (i * stride, j * stride), not (i, j).")
STRIDE_ONE_AXIS = ("the stride is applied on one axis only: window (i, j) starts at row "
                   "i * stride and column j * stride; one of your two indices does not step "
                   "by the stride.")
STRIDE_SWAPPED = "the stride pair is swapped: stride=(sh, sw) steps sh rows and sw columns."
PAD_IGNORED = "padding is ignored: pad the input with zeros (both spatial axes, both sides) first."
PAD_PAIR_SWAPPED = "the padding pair is swapped: padding=(ph, pw) pads ph rows and pw columns."
DIL_IGNORED = "dilation is ignored: with dilation d the kernel taps are d pixels apart."
DIL_WINDOW = ("the output has the dilated size, but the windows ignore dilation: with dilation d "
              "kernel tap (i, j) reads the input d * i rows and d * j columns from the "
              "window's corner, not i and j.")
DIL_PLUS_ONE = ("with dilation d the taps are d pixels apart (dilation 1 = no gaps); yours are "
                "d + 1 apart.")
DIL_PAIR_SWAPPED = "the dilation pair is swapped: dilation=(dh, dw) spaces rows by dh, columns by dw."
CHANNELS_NOT_SUMMED = ("the input channels are not summed: only one input channel contributes "
                       "(= instead of += in the loop over C_in?).")
WEIGHT_AXES = ("the weight axes are mixed up: w has shape (C_out, C_in, KH, KW), so output "
               "channel o uses w[o, c] for input channel c (you used w[c, o]).")
CHANNELS_WRONG_AXIS = ("the sum runs over the wrong axis: sum over the input channels (axis 1 "
                       "of x and of w), not over the batch.")
ONE_SHORT = ("the last window position is missing on an axis: a window fits at "
             "floor((n + 2p - d(k-1) - 1) / s) + 1 positions.")

# ------------------------------------------------------- receptive_field
RF_ADD_K = ("each layer adds (k - 1) * jump to the field, not k (a 3x3 kernel on a 1-pixel "
            "field gives 3 = 1 + (3 - 1)).")
RF_ADD_K_TIMES_JUMP = ("each layer adds (k - 1) * jump, not k * jump: one of the k taps is the "
                       "pixel the field already covers.")
RF_NO_STRIDE = ("strides are ignored: after a stride-s layer, one step of the next layer moves "
                "s input pixels, so later layers add (k - 1) * (product of earlier strides).")
RF_OWN_STRIDE = ("a layer's own stride was applied to its own kernel: the jump of layer l is "
                 "the product of the strides of the layers BEFORE it.")
RF_SUM_STRIDES = "the jump is the product of the earlier strides, not their sum."
RF_NO_DILATION = ("dilation is ignored: a dilated kernel spans d(k - 1) + 1, so it adds "
                  "d (k - 1) * jump.")
RF_DIL_DK = "wrong dilation formula: the span of a dilated kernel is d(k - 1) + 1, not d*k."
RF_DIL_PLUS_ONE = "wrong dilation formula: dilation 1 means no gaps; the span is d(k - 1) + 1."
RF_NO_ONE = "you forgot the 1 you start from: a stack of no layers sees one pixel."
RF_PRODUCT = "receptive fields do not multiply: they grow by (k - 1) * jump per layer."


# ------------------------------------------------------------- helpers
def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _swap(v):
    return _pair(v)[::-1]


def _size_or_none(n, k, p, s, d):
    value = (n + 2 * p - d * (k - 1) - 1) // s + 1 if s >= 1 else None
    return value if value is not None and value >= 1 else None


# ----------------------------------------------------- conv_output_size
def output_size_candidates(n, k, padding=0, stride=1, dilation=1):
    p, s, d = padding, stride, dilation
    span = d * (k - 1) + 1
    return [
        ((n + 2 * p - span) // s, SIZE_PLUS_ONE),
        (-(-(n + 2 * p - span) // s) + 1, SIZE_CEIL),
        ((n + 2 * p - span) / s + 1, SIZE_TRUE_DIV),
        ((n + p - span) // s + 1, SIZE_PAD_ONCE),
        ((n - span) // s + 1, SIZE_PAD_IGNORED),
        ((n + 2 * p - d * k - 1) // s + 1, SIZE_DIL_DK),
        ((n + 2 * p - d * k) // s + 1, SIZE_DIL_DK),
        ((n + 2 * p - (d + 1) * (k - 1) - 1) // s + 1, SIZE_DIL_PLUS_ONE),
        ((n + 2 * p - k) // s + 1, SIZE_DIL_IGNORED),
        (n + 2 * p - span + 1, SIZE_STRIDE_IGNORED),
        (_size_or_none(n, k, s, p, d), SIZE_ARG_ORDER),
    ]


# ----------------------------------------------------------------- pad2d
def _pad(X, top, bottom, left, right, lead=0):
    X = _f64(X)
    widths = [(lead, lead)] * (X.ndim - 2) + [(top, bottom), (left, right)]
    return np.pad(X, widths)


def pad2d_candidates(X, padding):
    ph, pw = _pair(padding)
    cands = [
        (_pad(X, ph, 0, pw, 0), PAD_ONE_SIDE),
        (_pad(X, 0, ph, 0, pw), PAD_ONE_SIDE),
        (_pad(X, 2 * ph, 2 * ph, 2 * pw, 2 * pw), PAD_DOUBLE),
        (_pad(X, ph, ph, 0, 0), PAD_ONE_AXIS),
        (_pad(X, 0, 0, pw, pw), PAD_ONE_AXIS),
    ]
    if ph != pw:
        cands.append((_pad(X, pw, pw, ph, ph), PAD_SWAPPED))
    if np.ndim(X) > 2 and ph == pw:
        cands.append((_pad(X, ph, ph, pw, pw, lead=ph), PAD_ALL_AXES))
    return cands


# ---------------------------------------------------------- same_padding
def same_padding_candidates(k, dilation=1):
    d = dilation
    return [
        ((k - 1) // 2, SAME_DIL_IGNORED),
        (k // 2, SAME_DIL_IGNORED),
        (d * k // 2, SAME_DIL_DK),
        (d * (k - 1), SAME_TOTAL),
        ((d + 1) * (k - 1) // 2, SAME_DIL_DK),
    ]


# ---------------------------------------------------------- conv2d_forward
def _conv(x, w, b, s, p, d):
    return try_candidate(ref.conv2d_forward, x, w, b, s, p, d)


def _conv_padded(x, w, b, s, top, bottom, left, right, d):
    """Convolution of x padded asymmetrically (no further padding)."""
    return _conv(_pad(x, top, bottom, left, right), w, b, s, 0, d)


def _along_width(b, width):
    """b[o] added at column o (``out[..., o] += b[o]``), as far as the output is wide: the
    shapes broadcast, so nothing raises."""
    along = np.zeros(width)
    along[:min(width, len(b))] = b[:width]
    return along


def conv2d_candidates(x, w, b=None, stride=1, padding=0, dilation=1):
    x, w, b = _f64(x), _f64(w), None if b is None else _f64(b)
    s, p, d = stride, padding, dilation
    (sh, sw), (ph, pw), (dh, dw) = _pair(s), _pair(p), _pair(d)
    good = ref.conv2d_forward(x, w, b, s, p, d)
    plain = ref.conv2d_forward(x, w, None, s, p, d)
    c_out, c_in = w.shape[:2]
    cands = [(_conv(x, w[..., ::-1, ::-1].copy(), b, s, p, d), FLIPPED)]
    if b is not None:
        cands += [(plain, BIAS_IGNORED),
                  (plain + b if plain.shape[-1] == len(b) else None, BIAS_PER_POSITION),
                  (plain + _along_width(b, plain.shape[-1]), BIAS_PER_POSITION),
                  (plain + c_in * b[:, None, None], BIAS_PER_INPUT_CHANNEL),
                  (plain + w.shape[2] * w.shape[3] * b[:, None, None], BIAS_PER_INPUT_CHANNEL),
                  (plain + c_in * w.shape[2] * w.shape[3] * b[:, None, None],
                   BIAS_PER_INPUT_CHANNEL)]
    if max(sh, sw) > 1:
        every = _conv(x, w, b, 1, p, d)
        cands += [(every, STRIDE_IGNORED),
                  (None if every is None else every[..., :good.shape[2], :good.shape[3]],
                   STRIDE_START)]
        for one_axis in ((sh, 1), (1, sw)):
            strided = _conv(x, w, b, one_axis, p, d)
            cands.append((None if strided is None else strided[..., :good.shape[2], :good.shape[3]],
                          STRIDE_ONE_AXIS))
        if sh != sw:
            cands.append((_conv(x, w, b, (sw, sh), p, d), STRIDE_SWAPPED))
    if max(ph, pw) > 0:
        cands += [(_conv(x, w, b, s, 0, d), PAD_IGNORED),
                  (_conv_padded(x, w, b, s, ph, 0, pw, 0, d), PAD_ONE_SIDE),
                  (_conv_padded(x, w, b, s, 0, ph, 0, pw, d), PAD_ONE_SIDE),
                  (_conv(x, w, b, s, (2 * ph, 2 * pw), d), PAD_DOUBLE),
                  (_conv_padded(x, w, b, s, ph, ph, 0, 0, d), PAD_ONE_AXIS),
                  (_conv_padded(x, w, b, s, 0, 0, pw, pw, d), PAD_ONE_AXIS)]
        if ph != pw:
            cands.append((_conv(x, w, b, s, (pw, ph), d), PAD_PAIR_SWAPPED))
    cands.append((_conv(x, w, b, s, p, (dh + 1, dw + 1)), DIL_PLUS_ONE))
    if max(dh, dw) > 1:
        undilated = _conv(x, w, b, s, p, 1)
        cands += [(undilated, DIL_IGNORED),
                  (None if undilated is None else undilated[..., :good.shape[2], :good.shape[3]],
                   DIL_WINDOW)]
        if dh != dw:
            cands.append((_conv(x, w, b, s, p, (dw, dh)), DIL_PAIR_SWAPPED))
    cands += [(good[..., :-1, :], ONE_SHORT), (good[..., :, :-1], ONE_SHORT)]
    if c_in > 1:
        cands += [(_conv(x[:, -1:], w[:, -1:], b, s, p, d), CHANNELS_NOT_SUMMED),
                  (_conv(x[:, :1], w[:, :1], b, s, p, d), CHANNELS_NOT_SUMMED)]
    if c_in == c_out and c_in > 1:
        cands.append((_conv(x, w.transpose(1, 0, 2, 3).copy(), b, s, p, d), WEIGHT_AXES))
    summed = plain.sum(axis=0, keepdims=True)
    bias = 0 if b is None else b[:, None, None]
    if x.shape[0] > 1:
        cands.append((np.broadcast_to(summed, plain.shape) + bias, CHANNELS_WRONG_AXIS))
    return cands


# ------------------------------------------------------- receptive_field
def _rf(layers, add, jump_update=lambda jump, s: jump * s, start=1, before=False):
    size, jump = start, 1
    for k, s, d in layers:
        if before:
            jump = jump_update(jump, s)
        size += add(k, d, jump)
        if not before:
            jump = jump_update(jump, s)
    return size


def receptive_field_candidates(layers):
    layers = [tuple(int(v) for v in layer) for layer in layers]
    correct = lambda k, d, j: d * (k - 1) * j  # noqa: E731
    product = 1
    for k, _, _ in layers:
        product *= k
    return [
        (sum(k for k, _, _ in layers), RF_ADD_K),
        (1 + sum(k for k, _, _ in layers), RF_ADD_K),
        (_rf(layers, lambda k, d, j: k * j, start=0), RF_ADD_K_TIMES_JUMP),
        (_rf(layers, lambda k, d, j: k * j), RF_ADD_K_TIMES_JUMP),
        (_rf(layers, lambda k, d, j: d * k * j, start=0), RF_ADD_K_TIMES_JUMP),
        (_rf(layers, lambda k, d, j: d * (k - 1)), RF_NO_STRIDE),
        (_rf(layers, correct, before=True), RF_OWN_STRIDE),
        (_rf(layers, correct, jump_update=lambda jump, s: jump + s - 1), RF_SUM_STRIDES),
        (_rf(layers, correct, jump_update=lambda jump, s: jump + s), RF_SUM_STRIDES),
        (_rf(layers, lambda k, d, j: (k - 1) * j), RF_NO_DILATION),
        (_rf(layers, lambda k, d, j: (d * k - 1) * j), RF_DIL_DK),
        (_rf(layers, lambda k, d, j: (d + 1) * (k - 1) * j), RF_DIL_PLUS_ONE),
        (_rf(layers, correct, start=0), RF_NO_ONE),
        (product, RF_PRODUCT),
    ]
