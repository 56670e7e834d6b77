"""Deliberately wrong variants of the 02_conv2d reference, for diagnosis.

Trusted code (grading process only). Each ``*_candidates`` function returns
``[(candidate_output, message), ...]``: what a student with a given
misconception would return for the same inputs, and the feedback naming that
mistake. Messages never contain expected values. Candidates that cannot be
computed for some shapes are None (skipped).
"""

import itertools

import numpy as np

from grader.checking import load_reference, try_candidate

ref = load_reference(__file__)

# ---------------------------------------------------------------- messages
FLIPPED = ("this looks like convolution: you flipped the kernel (rows and columns). CNN layers "
           "compute cross-correlation, Y[i, j] = sum_ab X[i + a, j + b] K[a, b], with no flip.")
FLIPPED_ONE_AXIS = ("the kernel is flipped along one axis only (rows or columns): "
                    "cross-correlation uses K[a, b] as it is, with no flip.")
KERNEL_TRANSPOSED = ("the kernel is used transposed (K[b, a] instead of K[a, b]): its first "
                     "index runs down the rows (height), its second along the columns (width).")
SQUARE_KERNEL = ("a square kernel was assumed: one of the kernel's sizes is used for both axes. "
                 "Read KH, KW = K.shape[-2:] and slide a KH x KW window over "
                 "H - KH + 1 x W - KW + 1 positions.")
OUTPUT_TRANSPOSED = "the output is transposed: rows and columns are swapped."
SIZE_BOTH = ("the last row and the last column are missing: a KH x KW kernel fits at "
             "H - KH + 1 x W - KW + 1 positions, not H - KH x W - KW (you forgot the + 1).")
SIZE_ROWS = ("the last output row is missing: there are H - KH + 1 window positions "
             "down the image (you forgot the + 1).")
SIZE_COLS = ("the last output column is missing: there are W - KW + 1 window positions "
             "across the image (you forgot the + 1).")
INT_INPUT = ("wrong values for integer input: convert the inputs to float "
             "(np.zeros_like of an integer array is an integer array and truncates).")

NOT_SUMMED = ("the channels are not summed: you returned one map per input channel. "
              "A multi-channel kernel gives ONE output map: add the C per-channel results.")
AVERAGED = ("you averaged over the channels; the per-channel results must be summed "
            "(a multi-channel correlation is one big sum over c, a and b).")
WRONG_AXIS = ("you summed over the wrong axis: the per-channel maps are stacked along axis 0, "
              "so the channel sum is over axis 0, not over rows or columns.")
ONE_CHANNEL = ("only one channel contributes to the result (= instead of += in the loop over "
               "channels?). Sum corr2d(X[c], K[c]) over all channels c.")
CHANNEL_PAIRING = ("the channels are paired wrongly: input channel c must be correlated with "
                   "kernel channel c (K[c]), not with another one.")

BIAS_IGNORED = "the bias b was not added."
BIAS_PER_POSITION = ("the bias was added along the last (width) axis, i.e. per position. b has "
                     "one value per output channel: add b[o] to every pixel of output map o, "
                     "e.g. out += b[:, None, None].")
BIAS_PER_INPUT_CHANNEL = ("the bias was added once per input channel (inside the loop over "
                          "C_in); add b[o] once to each output value.")
BIAS_PER_TAP = ("the bias was added once per kernel tap (inside the loops over the kernel); "
                "add b[o] once to each output value.")
CHANNELS_LAST = ("the output channels are on the last axis; return (C_out, H_out, W_out) "
                 "(channels first, PyTorch's layout).")
K_AXES_SWAPPED = ("the kernel's first two axes are swapped: K has shape (C_out, C_in, KH, KW), "
                  "so K[o] is the (C_in, KH, KW) kernel of output channel o.")
IN_CHANNELS_AVERAGED = ("the input channels were averaged; they must be summed.")
IN_CHANNELS_NOT_SUMMED = ("only one input channel contributes to each output map "
                          "(= instead of += in the loop over C_in?).")

COLUMN_ORDER = ("im2col column order: your patches are flattened in a different order than the "
                "kernel. If the kernel is reshaped from (C_out, C_in, KH, KW) to "
                "(C_out, C_in*KH*KW), each patch must be flattened in the same (c, a, b) order.")
PIXEL_ORDER = ("the output pixels are in the wrong order: the columns of your patch matrix run "
               "over (j, i) but you reshaped the result as (H_out, W_out) (or the reverse).")
RESULT_TRANSPOSED = ("the matrix product's result was reshaped without transposing: a "
                     "(pixels, C_out) result must be transposed to (C_out, pixels) before "
                     "reshaping to (C_out, H_out, W_out).")
BATCH_MIXED = ("the batch and channel axes are mixed up: a (C_out, N*H_out*W_out) product must "
               "be reshaped to (C_out, N, H_out, W_out) and then moved to (N, C_out, ...), "
               "not reshaped directly to (N, C_out, ...).")
UNBATCHED_SHAPE = ("for an unbatched input (C, H, W) return (C_out, H_out, W_out), "
                   "without a batch axis.")

K1_TRANSPOSED = ("K is used transposed: K[o, c] is the weight from input channel c to output "
                 "channel o, so out[o] = sum_c K[o, c] X[c] (K @ X, not K.T @ X).")
K1_SUM_OUT = ("you summed over the output channels instead of the input channels: "
              "out[o] = sum_c K[o, c] X[c] sums over c.")
K1_NOT_SUMMED = ("the input channels are not summed: out[o] = sum_c K[o, c] X[c] is one map "
                 "per output channel.")
K1_RESHAPE = ("X was reshaped to (H*W, C) without moving the channel axis first: reshape keeps "
              "the memory order, so this mixes pixels and channels. Use X.reshape(C, H*W) "
              "(channels first), or np.moveaxis before reshaping.")


# --------------------------------------------------------------- helpers
def _f64(a):
    return np.asarray(a, dtype=np.float64)


def corr(X, K):
    """Fast valid correlation of one channel (trusted; via the vectorized reference)."""
    X, K = _f64(X), _f64(K)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("does not fit")  # try_candidate skips this candidate
    return ref.conv2d_im2col(X[None], K[None, None])[0]


def _square_corner(k):
    """The kernel a square-kernel slip reads: its min(KH, KW)-sized top-left corner (None
    for a square kernel: no slip to see)."""
    size = min(k.shape[-2:])
    if k.shape[-1] == k.shape[-2]:
        raise ValueError("square")
    return k[..., :size, :size]


def _spatial_candidates(good, compute):
    """Flip/transpose/off-by-one candidates shared by the correlation parts.

    ``compute(kernel_transform)`` recomputes the result with every kernel transformed."""
    cands = [
        (try_candidate(compute, lambda k: k[..., ::-1, ::-1]), FLIPPED),
        (try_candidate(compute, lambda k: k[..., ::-1, :]), FLIPPED_ONE_AXIS),
        (try_candidate(compute, lambda k: k[..., :, ::-1]), FLIPPED_ONE_AXIS),
        (try_candidate(compute, lambda k: np.swapaxes(k, -1, -2)), KERNEL_TRANSPOSED),
        (np.swapaxes(good, -1, -2), OUTPUT_TRANSPOSED),
        (try_candidate(compute, _square_corner), SQUARE_KERNEL),
        (good[..., :-1, :-1], SIZE_BOTH),
        (good[..., :-1, :], SIZE_ROWS),
        (good[..., :, :-1], SIZE_COLS),
    ]
    return [(c, m) for c, m in cands if c is None or c.size > 0]


def _with_int_input(cands, X, K, good):
    if np.issubdtype(np.asarray(X).dtype, np.integer):
        cands.append((np.trunc(good), INT_INPUT))
    return cands


# ----------------------------------------------------------------- corr2d
def corr2d_candidates(X, K):
    X, K = _f64(X), _f64(K)
    good = ref.corr2d(X, K)

    def compute(transform):
        return corr(X, transform(K))
    cands = _spatial_candidates(good, compute)
    return _with_int_input(cands, X, K, good)


# -------------------------------------------------------- corr2d_multi_in
def _per_channel(X, K):
    return np.stack([corr(x, k) for x, k in zip(X, K)])


def corr2d_multi_in_candidates(X, K):
    X, K = _f64(X), _f64(K)
    good = ref.corr2d_multi_in(X, K)
    per = _per_channel(X, K)
    c = X.shape[0]

    def compute(transform):
        return _per_channel(X, transform(K)).sum(axis=0)
    cands = [(per, NOT_SUMMED), (good / c if c > 1 else None, AVERAGED),
             (per.sum(axis=1), WRONG_AXIS), (per.sum(axis=2), WRONG_AXIS)]
    if c > 1:
        cands += [(per[-1], ONE_CHANNEL), (per[0], ONE_CHANNEL),
                  (_per_channel(X, K[::-1]).sum(axis=0), CHANNEL_PAIRING),
                  (_per_channel(X, np.repeat(K[:1], c, axis=0)).sum(axis=0), CHANNEL_PAIRING)]
    cands += _spatial_candidates(good, compute)
    return _with_int_input(cands, X, K, good)


# ---------------------------------------------------- corr2d_multi_in_out
def _along_width(b, width):
    """b[o] added at column o (``out[..., o] += b[o]``), as far as the output is wide: the
    shapes broadcast, so nothing raises."""
    along = np.zeros(width)
    along[:min(width, len(b))] = b[:width]
    return along


def _bias_candidates(plain, b, c_in, taps):
    b = _f64(b)
    cands = [(plain, BIAS_IGNORED),
             (plain + b if plain.shape[-1] == len(b) else None, BIAS_PER_POSITION),
             (plain + _along_width(b, plain.shape[-1]), BIAS_PER_POSITION)]
    per_out = b[:, None, None]
    if c_in > 1:
        cands.append((plain + c_in * per_out, BIAS_PER_INPUT_CHANNEL))
    if taps > 1:
        cands += [(plain + taps * per_out, BIAS_PER_TAP),
                  (plain + c_in * taps * per_out, BIAS_PER_TAP)]
    return cands


def multi_out_candidates(X, K, b=None, engine=None):
    """Candidates for the (C_out, C_in, KH, KW) parts; ``engine(X, K, b)`` is the reference."""
    X, K = _f64(X), _f64(K)
    engine = engine or ref.conv2d_im2col
    good = engine(X, K, b)
    plain = engine(X, K, None)
    c_out, c_in, kh, kw = K.shape

    def compute(transform):
        return engine(X, transform(K), b)
    cands = [(np.moveaxis(good, -3, -1), CHANNELS_LAST)]
    if b is not None:
        cands += _bias_candidates(plain, b, c_in, kh * kw)
    if c_in == c_out and c_in > 1:
        cands.append((engine(X, K.transpose(1, 0, 2, 3), b), K_AXES_SWAPPED))
    if c_in > 1:
        bias = 0 if b is None else _f64(b)[:, None, None]
        cands += [(plain / c_in + bias, IN_CHANNELS_AVERAGED),
                  (try_candidate(engine, X[..., -1:, :, :], K[:, -1:], b), IN_CHANNELS_NOT_SUMMED),
                  (try_candidate(engine, X[..., :1, :, :], K[:, :1], b), IN_CHANNELS_NOT_SUMMED)]
    cands += _spatial_candidates(good, compute)
    return cands


def corr2d_multi_in_out_candidates(X, K, b=None):
    cands = multi_out_candidates(X, K, b)
    good = ref.conv2d_im2col(X, K, b)
    return _with_int_input(cands, X, K, good)


# ---------------------------------------------------------- conv2d_im2col
def _column_order_kernels(K):
    """Effective kernels of an im2col whose patch order differs from the kernel's order."""
    c_out, c, kh, kw = K.shape
    dims = (c, kh, kw)
    kernels = []
    for perm in itertools.permutations(range(3)):
        if perm == (0, 1, 2):
            continue
        # patches flattened in order `perm`, kernel in (c, a, b): weight j meets element j
        shaped = K.reshape(c_out, *[dims[p] for p in perm])
        kernels.append(shaped.transpose(0, *[1 + perm.index(i) for i in range(3)]))
        # kernel flattened in order `perm`, patches in (c, a, b)
        kernels.append(K.transpose(0, *[1 + p for p in perm]).reshape(c_out, c, kh, kw))
    return kernels


def conv2d_im2col_candidates(X, K, b=None):
    X, K = _f64(X), _f64(K)
    good = ref.conv2d_im2col(X, K, b)
    cands = []
    for kernel in _column_order_kernels(K):
        if not np.array_equal(kernel, K):
            cands.append((ref.conv2d_im2col(X, kernel, b), COLUMN_ORDER))
    c_out, h_out, w_out = good.shape[-3:]
    if h_out != w_out:
        cands.append((np.swapaxes(good, -1, -2).reshape(good.shape), PIXEL_ORDER))
    flat = good.reshape(*good.shape[:-3], c_out, h_out * w_out)
    cands.append((np.swapaxes(flat, -1, -2).reshape(good.shape), RESULT_TRANSPOSED))
    if good.ndim == 4 and good.shape[0] > 1:
        cands.append((np.swapaxes(good, 0, 1).reshape(good.shape), BATCH_MIXED))
    if good.ndim == 3:
        cands.append((good[None], UNBATCHED_SHAPE))
    cands += multi_out_candidates(X, K, b)
    return _with_int_input(cands, X, K, good)


# ---------------------------------------------------------------- conv1x1
def conv1x1_candidates(X, K):
    X = _f64(X)
    W = ref.conv1x1_weight(K)
    good = ref.conv1x1(X, K)
    c_out, c_in = W.shape
    h, w = X.shape[-2:]
    cands = [(np.moveaxis(good, -3, -1), CHANNELS_LAST),
             (np.einsum("oc,...chw->...chw", W, X), K1_SUM_OUT),
             (np.einsum("oc,...chw->...ochw", W, X), K1_NOT_SUMMED)]
    if c_in == c_out:
        cands.append((np.einsum("co,...chw->...ohw", W, X), K1_TRANSPOSED))
    pixels_first = X.reshape(*X.shape[:-3], h * w, c_in) @ W.T      # (..., H*W, C_out)
    cands += [(pixels_first.reshape(good.shape), K1_RESHAPE),
              (np.swapaxes(pixels_first, -1, -2).reshape(good.shape), K1_RESHAPE)]
    if X.ndim == 3:
        cands.append((good[None], UNBATCHED_SHAPE))
    return cands


# ------------------------------------------- diagnosis that needs a second call
def describe(**arrays):
    """'X of shape (3, 7, 9), K of shape (2, 3, 3, 2)' (shapes only, never values)."""
    parts = []
    for name, value in arrays.items():
        if value is None:
            continue
        kind = "a list" if isinstance(value, list) else (
            "an integer array" if np.issubdtype(np.asarray(value).dtype, np.integer) else "")
        text = f"{name} of shape {tuple(np.shape(value))}"
        parts.append(f"{text} ({kind})" if kind else text)
    return ", ".join(parts)
