"""Right and wrong implementations of 01_conv1d's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations)."""

from grader.authoring.implementations import Implementation

IMPLEMENTATIONS = [
    Implementation("flipped_kernel", "convolve1d forgets to flip the kernel (computes correlation)",
            {"convolve1d": '''import numpy as np

def convolve1d(f, g):
    f = np.asarray(f, dtype=float)
    g = np.asarray(g, dtype=float)
    n, k = len(f), len(g)
    fp = np.concatenate([np.zeros(k - 1), f, np.zeros(k - 1)])
    return np.array([sum(fp[i + j] * g[j] for j in range(k)) for i in range(n + k - 1)])
'''}, {"test_convolve1d": "correlation"}),
    Implementation("off_by_one", "conv1d_output_length uses n - k instead of n - k + 1",
            {"conv1d_output_length": '''def conv1d_output_length(n, k, stride=1, padding=0, dilation=1):
    if stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("bad arguments")
    length = (n + 2 * padding - dilation * (k - 1) - 1) // stride
    if length < 1:
        raise ValueError("kernel does not fit")
    return length
'''}, {"test_conv1d_output_length": "+ 1"}),
    Implementation("padding_once", "conv1d_output_length adds the padding once instead of twice",
            {"conv1d_output_length": '''def conv1d_output_length(n, k, stride=1, padding=0, dilation=1):
    if stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("bad arguments")
    length = (n + padding - dilation * (k - 1) - 1) // stride + 1
    if length < 1:
        raise ValueError("kernel does not fit")
    return length
'''}, {"test_conv1d_output_length": "padding"}),
    Implementation("bias_per_position", "conv1d adds the bias along the length axis, not per channel",
            {"conv1d": '''import numpy as np

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    unbatched = x.ndim == 2
    if unbatched:
        x = x[None]
    if x.shape[1] != w.shape[1]:
        raise ValueError("channel mismatch")
    n_batch, _, length = x.shape
    c_out, _, k = w.shape
    l_out = conv1d_output_length(length, k, stride, padding, dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    out = np.zeros((n_batch, c_out, l_out))
    for j in range(k):
        start = j * dilation
        out += np.matmul(w[:, :, j], xp[:, :, start:start + stride * (l_out - 1) + 1:stride])
    if b is not None:
        out += np.asarray(b, dtype=np.float64)
    return out[0] if unbatched else out
'''}, {"test_conv1d": "per position"}),
    Implementation("library_call", "convolve1d calls np.convolve instead of loops",
            {"convolve1d": '''import numpy as np

def convolve1d(f, g):
    return np.convolve(np.asarray(f, float), np.asarray(g, float))
'''}, {"test_convolve1d": "implement yourself"}),
    Implementation("crash", "convolve1d kills its own Python process",
            {"convolve1d": '''import os

def convolve1d(f, g):
    os._exit(1)
'''}, {"test_convolve1d": "crashed"}),
    Implementation("cheater_and_hang", "overrides np.allclose in its process, returns zeros; "
            "conv1d_matrix loops forever",
            {"correlate1d": '''import numpy as np

def _always_close(*args, **kwargs):
    return True

def _install():
    np.allclose = _always_close
    np.testing.assert_allclose = lambda *a, **k: None
    return True

PATCHED = _install()

def correlate1d(x, w, mode="valid"):
    return np.zeros(len(x) - len(w) + 1)
''', "conv1d_matrix": '''def conv1d_matrix(w, n):
    while True:
        pass
'''}, {"test_correlate1d": "", "test_conv1d_matrix": "did not finish"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("flipped_kernel", "off_by_one", "bias_per_position", "cheater_and_hang")
