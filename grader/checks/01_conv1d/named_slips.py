"""01_conv1d: wrong implementations written independently of the course (another course's
style: other names, loops or vectorised), each a classic slip that the feedback must name
instead of "right shape but wrong values" (appended to IMPLEMENTATIONS by implementations.py).
"""

from grader.authoring.implementations import Implementation

_BIAS_BY_POSITION = '''import numpy as np

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    signal = np.array(x, dtype=float)
    kernel = np.array(w, dtype=float)
    single = signal.ndim == 2
    if single:
        signal = signal[np.newaxis]
    if signal.ndim != 3 or kernel.ndim != 3 or signal.shape[1] != kernel.shape[1]:
        raise ValueError("shapes do not match")
    batch, chans, size = signal.shape
    filters, _, taps = kernel.shape
    size_out = (size + 2 * padding - dilation * (taps - 1) - 1) // stride + 1
    if size_out < 1 or stride < 1 or dilation < 1:
        raise ValueError("kernel does not fit")
    padded = np.zeros((batch, chans, size + 2 * padding))
    padded[:, :, padding:padding + size] = signal
    result = np.zeros((batch, filters, size_out))
    for t in range(size_out):
        for f in range(filters):
            acc = np.zeros(batch)
            for c in range(chans):
                for tap in range(taps):
                    acc += kernel[f, c, tap] * padded[:, c, t * stride + tap * dilation]
            result[:, f, t] = acc if b is None else acc + b[t]
    return result[0] if single else result
'''

_SAME_ONE_SIDE = '''import numpy as np

def correlate1d(x, w, mode="valid"):
    sig = np.asarray(x, dtype=np.float64).ravel()
    ker = np.asarray(w, dtype=np.float64).ravel()
    m, r = sig.size, ker.size
    if mode == "valid":
        if r > m:
            raise ValueError("kernel longer than signal")
        padded = sig
    elif mode == "same":
        padded = np.concatenate([sig, np.zeros(r - 1)])      # all the zeros at the end
    elif mode == "full":
        padded = np.concatenate([np.zeros(r - 1), sig, np.zeros(r - 1)])
    else:
        raise ValueError("bad mode")
    starts = np.arange(padded.size - r + 1)
    return padded[starts[:, None] + np.arange(r)] @ ker
'''

_BIAS_ON_LENGTH_AXIS = '''import numpy as np

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    if x.ndim not in (2, 3) or w.ndim != 3 or x.shape[-2] != w.shape[1]:
        raise ValueError("channel mismatch")
    if stride < 1 or dilation < 1:
        raise ValueError("stride and dilation must be positive")
    k = w.shape[-1]
    padded = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(padding, padding)])
    n_out = (padded.shape[-1] - dilation * (k - 1) - 1) // stride + 1
    if n_out < 1:
        raise ValueError("the kernel does not fit")
    idx = np.arange(n_out)[:, None] * stride + np.arange(k)[None, :] * dilation
    windows = padded[..., idx]                       # (..., C_in, L_out, K)
    out = np.einsum("...clk,ock->...ol", windows, w)
    if b is not None:
        for o in range(w.shape[0]):
            out[..., o] += b[o]                      # meant: channel o
    return out
'''

# Loops with the tap loop one short.
_LAST_TAP_MISSING = _BIAS_BY_POSITION.replace("for tap in range(taps):",
                                              "for tap in range(taps - 1):").replace(
    "acc if b is None else acc + b[t]", "acc if b is None else acc + b[f]")

IMPLEMENTATIONS = [
    Implementation("last_tap_missing", "conv1d (loops) runs its loop over the kernel taps to "
                   "range(k - 1)", {"conv1d": _LAST_TAP_MISSING},
                   {"test_conv1d": "the last kernel tap is missing"}),
    Implementation("bias_on_length_axis", "conv1d (vectorised) adds b[o] with out[..., o], "
                   "i.e. at position o of the length axis (the shapes broadcast)",
                   {"conv1d": _BIAS_ON_LENGTH_AXIS}, {"test_conv1d": "per position"}),
    Implementation("bias_by_position_loop", "conv1d (loops over positions) adds b[t], the bias "
                   "indexed by the output position instead of the channel",
                   {"conv1d": _BIAS_BY_POSITION}, {"test_conv1d": "per position"}),
    Implementation("same_one_side", "correlate1d's 'same' mode pads all k - 1 zeros on the "
                   "right (off-centre output)",
                   {"correlate1d": _SAME_ONE_SIDE}, {"test_correlate1d": "one side"}),
]
