"""Deliberately wrong variants of the 01_conv1d reference, for diagnosis.

Trusted code (grading process only). Each ``*_candidates`` function returns
``[(candidate_output, message), ...]``: what a student with a given
misconception would return for the same inputs, and the feedback naming
that mistake. Messages never contain expected values. ``check_cases`` runs
the comparison over several cases at once and prefers a misconception that
explains every wrong case.
"""

import numpy as np

from grader.checking import load_reference, try_candidate

ref = load_reference(__file__)

# ---------------------------------------------------------------- messages
NO_FLIP = ("this looks like cross-correlation: the kernel was not flipped. Convolution "
           "computes sum_m f[m] g[n - m], i.e. it slides the *reversed* kernel.")
CONV_VALID = ("you returned only the positions where the two sequences overlap completely "
              "(valid mode); convolve1d must return the full convolution, "
              "len(f) + len(g) - 1 values.")
CONV_SHORT = ("your output is one element short: the full convolution has "
              "len(f) + len(g) - 1 values (a loop bound stops one step early).")
CONV_SAME = ("you returned only len(f) values ('same' mode); convolve1d must return the full "
             "convolution, len(f) + len(g) - 1 values.")
FLIPPED = ("this looks like convolution: you flipped the kernel. Cross-correlation "
           "(what CNN layers compute) uses y[i] = sum_j x[i + j] w[j], with no flip.")
N_MINUS_K = ("the last window position is missing: a kernel of length k fits at n - k + 1 "
             "positions of an input of length n, not n - k.")
ONE_SHORT = ("your output is one element short (a loop bound stops one step early, or the "
             "right-hand padding is one zero short).")
SAME_SHIFT = ("mode 'same' is misaligned by one position for even-length kernels: pad "
              "(k - 1) // 2 zeros on the left and k // 2 on the right (PyTorch's convention).")
SAME_LENGTH = ("for an even-length kernel, padding the same number of zeros on both sides "
               "cannot give n outputs; 'same' pads (k - 1) // 2 on the left and k // 2 on the right.")
SAME_ONE_SIDE = ("mode 'same' is off-centre: you put all k - 1 padding zeros on one side. Split "
                 "them: (k - 1) // 2 zeros on the left and k // 2 on the right.")
LAST_TAP = ("the last kernel tap is missing: the loop over the kernel must run over all k "
            "taps (range(k)), not range(k - 1).")
FULL_ONE_SIDE = ("mode 'full' must pad k - 1 zeros on *both* sides "
                 "(n + k - 1 outputs); you padded only one side.")
CONV_LONGER_KERNEL = ("convolve1d must accept a kernel longer than the signal: the full "
                      "convolution is defined for any two lengths (and f * g = g * f).")
CORR_LONGER_KERNEL = ("only mode 'valid' rejects a kernel longer than the input: 'same' and "
                      "'full' pad the input with zeros, so a longer kernel still has outputs.")
INT_INPUT = ("wrong values for integer input: convert the inputs to float "
             "(np.zeros_like of an integer array is an integer array and truncates).")

LEN_PLUS_ONE = ("you forgot the + 1 (n - k instead of n - k + 1): the first window position "
                "counts too.")
LEN_ONE_PAD = ("padding adds zeros on *both* sides: the padded length is n + 2 * padding, "
               "not n + padding.")
LEN_PAD_IGNORED = "padding is ignored: the padded length is n + 2 * padding."
LEN_DILATION_K = ("a dilated kernel spans dilation * (k - 1) + 1 inputs, not dilation * k: "
                  "there are k - 1 gaps between k taps.")
LEN_DILATION_ZERO = ("dilation=1 means an ordinary kernel without gaps; you treated it as one "
                     "gap between taps (the slides' 'dilation 0 = no gaps' rate; PyTorch's dilation = rate "
                     "+ 1). The span is dilation * (k - 1) + 1.")
LEN_DILATION_IGNORED = "dilation is ignored: a dilated kernel spans dilation * (k - 1) + 1 inputs."
LEN_STRIDE_IGNORED = "stride is ignored: divide the number of steps by the stride (floor division)."
LEN_CEIL = ("you rounded up: a window that does not fit completely is dropped, so the "
            "formula uses floor division.")
LEN_TRUE_DIV = "you returned a non-integer: use floor division // for the stride."

BIAS_IGNORED = "the bias b was not added."
BIAS_PER_POSITION = ("the bias was added per position (along the length axis). b has one value "
                     "per output channel: add b[o] to every position of output channel o, "
                     "e.g. out += b[:, None].")
BIAS_PER_INPUT_CHANNEL = ("the bias was added once per input channel (inside the loop over "
                          "C_in); add it once per output value.")
BIAS_PER_TAP = ("the bias was added once per kernel tap (inside the loop over k); add it once "
                "per output value.")
STRIDE_IGNORED = "stride is ignored: you computed the output at every position."
STRIDE_START = ("the output has the strided length, but window i must start at input position "
                "i * stride, not i.")
PAD_IGNORED = "padding is ignored: add `padding` zeros at both ends of the length axis first."
PAD_ONE_SIDE = ("you padded only one side: padding p adds p zeros at *each* end "
                "(2p in total).")
PAD_DOUBLE = ("you padded 2 * padding zeros at each end; padding p means p zeros at each end "
              "(2p in total).")
DIL_IGNORED = "dilation is ignored: with dilation d the kernel taps are d positions apart."
DIL_PLUS_ONE = ("with dilation d the taps are d positions apart (dilation=1 = no gaps); yours "
                "are d + 1 apart (the slides' 'dilation 0 = no gaps' rate; PyTorch's dilation = "
                "rate + 1).")
DIL_LENGTH = ("the output is too short: a dilated kernel spans dilation * (k - 1) + 1 inputs, "
              "not dilation * k.")
CHANNELS_NOT_SUMMED = ("the input channels are not summed: only one input channel contributes "
                       "(= instead of += in the loop over C_in?).")
UNBATCHED_SHAPE = ("for an unbatched input (C_in, L) return (C_out, L_out), "
                   "without a batch axis.")
UNBATCHED_REJECTED = ("conv1d must also accept an unbatched x of shape (C_in, L) and return "
                      "(C_out, L_out), e.g. by adding a batch axis and removing it again.")
BATCHED_REJECTED = ("conv1d must accept a batch x of shape (N, C_in, L) and return "
                    "(N, C_out, L_out).")

MATRIX_FLIPPED = ("the rows hold the flipped kernel, which gives convolution; M @ x must equal "
                  "correlate1d(x, w) (no flip).")
MATRIX_TRANSPOSED = "your matrix is transposed: it must have shape (n - k + 1, n)."
MATRIX_SHORT = "one row is missing: there are n - k + 1 window positions, so n - k + 1 rows."
MATRIX_FULL = ("you built the matrix of the full-mode operation (n + k - 1 rows); M must "
               "give the valid cross-correlation (n - k + 1 rows).")


# --------------------------------------------------------------- helpers
def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _correlate_padded(x, w, left, right):
    """Valid correlation of x padded with ``left``/``right`` zeros (None if it does not fit)."""
    x, w = _f64(x), _f64(w)
    k = len(w)
    xp = np.concatenate([np.zeros(left), x, np.zeros(right)])
    n_out = len(xp) - k + 1
    if n_out < 0:
        return None
    return np.array([xp[i:i + k] @ w for i in range(n_out)], dtype=np.float64)


# ---------------------------------------------------------- convolve1d
def convolve1d_candidates(f, g):
    f, g = _f64(f), _f64(g)
    n, k = len(f), len(g)
    full = ref.convolve1d(f, g)
    lo, hi = min(n, k), max(n, k)
    return [
        (_correlate_padded(f, g, k - 1, k - 1), NO_FLIP),
        (_correlate_padded(g, f, n - 1, n - 1), NO_FLIP),
        (full[lo - 1:hi], CONV_VALID),
        (_correlate_padded(f, g, 0, 0) if k <= n else _correlate_padded(g, f, 0, 0),
         CONV_VALID + " It is also not flipped (that is cross-correlation)."),
        (full[:-1], CONV_SHORT),
        (full[(k - 1) // 2:(k - 1) // 2 + n] if k > 1 else None, CONV_SAME),
    ]


# --------------------------------------------------------- correlate1d
def correlate1d_candidates(x, w, mode):
    x, w = _f64(x), _f64(w)
    k = len(w)
    candidates = [(try_candidate(ref.correlate1d, x, w[::-1], mode), FLIPPED)]
    if mode == "valid":
        good = try_candidate(ref.correlate1d, x, w, "valid")
        if good is not None:
            candidates.append((good[:-1], N_MINUS_K))
            candidates.append((try_candidate(ref.correlate1d, x, w[::-1], "valid")[:-1],
                               FLIPPED + " Also " + N_MINUS_K))
    elif mode == "same":
        candidates += [
            (ref.correlate1d(x, w, mode)[:-1], ONE_SHORT),
            (_correlate_padded(x, w, k // 2, (k - 1) // 2), SAME_SHIFT),
            (_correlate_padded(x, w, k // 2, k // 2), SAME_LENGTH),
            (_correlate_padded(x, w, (k - 1) // 2, (k - 1) // 2), SAME_LENGTH),
            (_correlate_padded(x, w, 0, k - 1), SAME_ONE_SIDE),
            (_correlate_padded(x, w, k - 1, 0), SAME_ONE_SIDE),
        ]
    elif mode == "full":
        candidates += [
            (ref.correlate1d(x, w, mode)[:-1], ONE_SHORT),
            (_correlate_padded(x, w, k - 1, 0), FULL_ONE_SIDE),
            (_correlate_padded(x, w, 0, k - 1), FULL_ONE_SIDE),
        ]
    return candidates


# ------------------------------------------------ conv1d_output_length
def output_length_candidates(n, k, stride=1, padding=0, dilation=1):
    s, p, d = stride, padding, dilation
    span = d * (k - 1) + 1
    return [
        ((n + 2 * p - span) // s, LEN_PLUS_ONE),
        ((n + p - span) // s + 1, LEN_ONE_PAD),
        ((n - span) // s + 1, LEN_PAD_IGNORED),
        ((n + 2 * p - d * k - 1) // s + 1, LEN_DILATION_K),
        ((n + 2 * p - d * k) // s + 1, LEN_DILATION_K),
        ((n + 2 * p - (d + 1) * (k - 1) - 1) // s + 1, LEN_DILATION_ZERO),
        ((n + 2 * p - k) // s + 1, LEN_DILATION_IGNORED),
        (n + 2 * p - span + 1, LEN_STRIDE_IGNORED),
        (-(-(n + 2 * p - span) // s) + 1, LEN_CEIL),
        ((n + 2 * p - span) / s + 1, LEN_TRUE_DIV),
    ]


# -------------------------------------------------------------- conv1d
def _pad_length(x, left, right):
    x = _f64(x)
    widths = [(0, 0)] * (x.ndim - 1) + [(left, right)]
    return np.pad(x, widths)


def _along_length(b, length):
    """b[o] added at position o of the length axis (``out[..., o] += b[o]``), as far as the
    output is long: the shapes broadcast, so nothing raises."""
    along = np.zeros(length)
    along[:min(length, len(b))] = b[:length]
    return along


def conv1d_candidates(x, w, b=None, stride=1, padding=0, dilation=1):
    x, w = _f64(x), _f64(w)
    b = None if b is None else _f64(b)
    s, p, d = stride, padding, dilation
    c_in, k = w.shape[1], w.shape[2]
    good = ref.conv1d(x, w, b, s, p, d)
    plain = ref.conv1d(x, w, None, s, p, d)
    L = x.shape[-1]
    cands = [(try_candidate(ref.conv1d, x, w[..., ::-1].copy(), b, s, p, d), FLIPPED)]
    if b is not None:
        cands += [
            (plain, BIAS_IGNORED),
            (plain + b if plain.shape[-1] == len(b) else None, BIAS_PER_POSITION),
            (plain + _along_length(b, plain.shape[-1]), BIAS_PER_POSITION),
            (plain + np.resize(b, plain.shape[-1]), BIAS_PER_POSITION),
            (plain + c_in * b[:, None], BIAS_PER_INPUT_CHANNEL),
            (plain + k * b[:, None], BIAS_PER_TAP),
            (plain + c_in * k * b[:, None], BIAS_PER_INPUT_CHANNEL),
        ]
    if s > 1:
        every = try_candidate(ref.conv1d, x, w, b, 1, p, d)
        cands += [(every, STRIDE_IGNORED),
                  (None if every is None else every[..., :good.shape[-1]], STRIDE_START)]
    if p > 0:
        cands += [
            (try_candidate(ref.conv1d, x, w, b, s, 0, d), PAD_IGNORED),
            (try_candidate(ref.conv1d, _pad_length(x, p, 0), w, b, s, 0, d), PAD_ONE_SIDE),
            (try_candidate(ref.conv1d, _pad_length(x, 0, p), w, b, s, 0, d), PAD_ONE_SIDE),
            (try_candidate(ref.conv1d, x, w, b, s, 2 * p, d), PAD_DOUBLE),
        ]
    cands.append((try_candidate(ref.conv1d, x, w, b, s, p, d + 1), DIL_PLUS_ONE))
    if d > 1:
        cands.append((try_candidate(ref.conv1d, x, w, b, s, p, 1), DIL_IGNORED))
        short = (L + 2 * p - d * k - 1) // s + 1
        if 1 <= short < good.shape[-1]:
            cands.append((good[..., :short], DIL_LENGTH))
    cands.append((good[..., :-1], N_MINUS_K))
    if k > 1:
        fewer = try_candidate(ref.conv1d, x, w[..., :-1].copy(), b, s, p, d)
        cands.append((None if fewer is None else fewer[..., :good.shape[-1]], LAST_TAP))
    else:                                   # range(k - 1) is empty: no tap, only the bias
        cands.append((good - plain, LAST_TAP))
    if c_in > 1:
        cands += [(try_candidate(ref.conv1d, x[..., -1:, :], w[:, -1:], b, s, p, d), CHANNELS_NOT_SUMMED),
                  (try_candidate(ref.conv1d, x[..., :1, :], w[:, :1], b, s, p, d), CHANNELS_NOT_SUMMED)]
    if x.ndim == 2:
        cands.append((good[None], UNBATCHED_SHAPE))
    return cands


# --------------------------------------------------------- conv1d_matrix
def _full_matrix(w, n):
    w = _f64(w)
    k = len(w)
    matrix = np.zeros((n + k - 1, n))
    for row in range(n + k - 1):
        for j in range(k):
            col = row - (k - 1) + j
            if 0 <= col < n:
                matrix[row, col] = w[j]
    return matrix


def conv1d_matrix_candidates(w, n):
    w = _f64(w)
    good = ref.conv1d_matrix(w, n)
    return [
        (ref.conv1d_matrix(w[::-1], n), FLIPPED),
        (good.T, MATRIX_TRANSPOSED),
        (good[:-1], MATRIX_SHORT),
        (_full_matrix(w, n), MATRIX_FULL),
        (_full_matrix(w[::-1], n), MATRIX_FULL),
    ]
