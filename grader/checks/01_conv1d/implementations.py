"""Right and wrong implementations of 01_conv1d's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations).

Grading a notebook with working models trains both of them (seconds), so the right
implementations are two whole notebooks, every cell rewritten: ``loops`` (Python loops,
explicit layers under other names) and ``vectorised`` (broadcasting, einsum and window
views, one nn.Sequential each); the reference covers the loops over one axis. A wrong model
fails before training, so ``classic_slips`` costs little.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution
from grader.checking import load_reference

_changed = partial(edited_solution, "01_conv1d")

_LOOPS = {
    "convolve1d": '''import numpy as np

def convolve1d(f, g):
    f, g = [float(v) for v in f], [float(v) for v in g]
    out = []
    for n in range(len(f) + len(g) - 1):          # (f * g)[n] = sum_m f[m] g[n - m]
        out.append(sum(f[m] * g[n - m] for m in range(len(f)) if 0 <= n - m < len(g)))
    return np.array(out)
''',
    "correlate1d": '''import numpy as np

def correlate1d(x, w, mode="valid"):
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"unknown mode {mode!r}")
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    n, k = len(x), len(w)
    if mode == "valid" and k > n:
        raise ValueError("the kernel is longer than the input")
    left = {"valid": 0, "same": (k - 1) // 2, "full": k - 1}[mode]
    y = np.zeros({"valid": n - k + 1, "same": n, "full": n + k - 1}[mode])
    for i in range(len(y)):
        for j in range(k):
            if 0 <= i - left + j < n:             # outside x: a padding zero
                y[i] += x[i - left + j] * w[j]
    return y
''',
    "conv1d_output_length": '''def conv1d_output_length(n, k, stride=1, padding=0, dilation=1):
    if stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("stride and dilation must be >= 1, padding >= 0")
    count, start = 0, 0
    while start + dilation * (k - 1) < n + 2 * padding:   # the window's last tap fits
        count, start = count + 1, start + stride
    if count == 0:
        raise ValueError("the kernel does not fit")
    return count
''',
    "conv1d": '''import numpy as np

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim == 2:
        return conv1d(x[None], w, b, stride, padding, dilation)[0]
    if x.ndim != 3 or w.ndim != 3 or x.shape[1] != w.shape[1]:
        raise ValueError("expected x (N, C_in, L) and w (C_out, C_in, K)")
    n_batch, c_in, length = x.shape
    c_out, _, k = w.shape
    out = np.zeros((n_batch, c_out, conv1d_output_length(length, k, stride, padding, dilation)))
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(out.shape[2]):
                out[n, o, i] = 0.0 if b is None else b[o]
                for c in range(c_in):
                    for j in range(k):
                        position = i * stride + j * dilation - padding
                        if 0 <= position < length:
                            out[n, o, i] += w[o, c, j] * x[n, c, position]
    return out
''',
    "conv1d_matrix": '''import numpy as np

def conv1d_matrix(w, n):
    # column j of M is what correlate1d makes of the unit vector e_j
    return np.stack([correlate1d(e, w) for e in np.eye(n)], axis=1)
''',
    "CNN1D": '''import torch
import torch.nn.functional as F
from torch import nn

class CNN1D(nn.Module):
    def __init__(self, channels=15, kernel_size=3, n_classes=10, length=40):
        super().__init__()
        self.conv1 = nn.Conv1d(1, channels, kernel_size, stride=2)
        self.conv2 = nn.Conv1d(channels, channels, kernel_size, stride=2)
        self.conv3 = nn.Conv1d(channels, channels, kernel_size, stride=2)
        with torch.no_grad():                     # the flattened size, by a trial run
            n_features = self.features(torch.zeros(1, 1, length)).numel()
        self.classifier = nn.Linear(n_features, n_classes)

    def features(self, x):
        return F.relu(self.conv3(F.relu(self.conv2(F.relu(self.conv1(x))))))

    def forward(self, x):
        x = x.reshape(len(x), 1, -1)
        return self.classifier(self.features(x).flatten(1))
''',
    "MLP1D": '''import torch
from torch import nn

class MLP1D(nn.Module):
    def __init__(self, hidden=362, n_inputs=40, n_classes=10):
        super().__init__()
        self.hidden1 = nn.Linear(n_inputs, hidden)
        self.hidden2 = nn.Linear(hidden, hidden)
        self.scores = nn.Linear(hidden, n_classes)

    def forward(self, x):
        x = torch.relu(self.hidden1(x.reshape(len(x), -1)))
        return self.scores(torch.relu(self.hidden2(x)))
''',
}

_VECTORISED = {
    "convolve1d": '''import numpy as np

def convolve1d(f, g):
    f, g = np.asarray(f, dtype=float), np.asarray(g, dtype=float)
    out = np.zeros(len(f) + len(g) - 1)
    # f[i] g[j] lands at i + j; np.add.at adds repeated indices up
    np.add.at(out, np.add.outer(np.arange(len(f)), np.arange(len(g))), np.outer(f, g))
    return out
''',
    "correlate1d": '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def correlate1d(x, w, mode="valid"):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    k = len(w)
    pads = {"valid": (0, 0), "same": ((k - 1) // 2, k // 2), "full": (k - 1, k - 1)}
    if mode not in pads:
        raise ValueError(f"unknown mode {mode!r}")
    if mode == "valid" and k > len(x):
        raise ValueError("the kernel is longer than the input")
    return np.einsum("ij,j->i", sliding_window_view(np.pad(x, pads[mode]), k), w)
''',
    "conv1d_output_length": '''def conv1d_output_length(n, k, stride=1, padding=0, dilation=1):
    if min(stride, dilation) < 1 or padding < 0:
        raise ValueError("stride and dilation must be >= 1, padding >= 0")
    starts = range(0, n + 2 * padding - dilation * (k - 1), stride)   # where a window fits
    if not starts:
        raise ValueError("the kernel does not fit")
    return len(starts)
''',
    "conv1d": '''import numpy as np

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    if x.ndim not in (2, 3) or w.ndim != 3 or x.shape[-2] != w.shape[1]:
        raise ValueError("expected x (N, C_in, L) or (C_in, L) and w (C_out, C_in, K)")
    conv1d_output_length(x.shape[-1], w.shape[2], stride, padding, dilation)  # fits?
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(padding, padding)])
    n_out = (xp.shape[-1] - dilation * (w.shape[2] - 1) - 1) // stride + 1
    taps = np.arange(n_out)[:, None] * stride + np.arange(w.shape[2])[None, :] * dilation
    out = np.einsum("...clk,ock->...ol", xp[..., taps], w)    # batched or not alike
    return out if b is None else out + np.asarray(b, dtype=float)[:, None]
''',
    "conv1d_matrix": '''import numpy as np

def conv1d_matrix(w, n):
    w = np.asarray(w, dtype=float)
    k = len(w)
    if k > n:
        raise ValueError("the kernel is longer than the input")
    offset = np.arange(n)[None, :] - np.arange(n - k + 1)[:, None]    # column - row
    return np.where((offset >= 0) & (offset < k), w[np.clip(offset, 0, k - 1)], 0.0)
''',
    "CNN1D": '''from torch import nn

class CNN1D(nn.Module):
    def __init__(self, channels=15, kernel_size=3, n_classes=10, length=40):
        super().__init__()
        size = length
        for _ in range(3):
            size = conv1d_output_length(size, kernel_size, stride=2)
        self.layers = nn.Sequential(
            nn.Unflatten(1, (1, length)),
            nn.Conv1d(1, channels, kernel_size, stride=2), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size, stride=2), nn.ReLU(),
            nn.Conv1d(channels, channels, kernel_size, stride=2), nn.ReLU(),
            nn.Flatten(), nn.Linear(channels * size, n_classes))

    def forward(self, x):
        return self.layers(x.reshape(len(x), -1))
''',
    "MLP1D": '''from torch import nn

class MLP1D(nn.Module):
    def __init__(self, hidden=362, n_inputs=40, n_classes=10):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(n_inputs, hidden), nn.ReLU(),
                                    nn.Linear(hidden, hidden), nn.ReLU(),
                                    nn.Linear(hidden, n_classes))

    def forward(self, x):
        return self.layers(x)
''',
}

IMPLEMENTATIONS = [
    Implementation("loops", "every exercise with Python loops; models with explicit layers "
                   "under other names", _LOOPS),
    Implementation("vectorised", "every exercise vectorised (np.add.at, einsum over window "
                   "views, index arithmetic); models as one nn.Sequential", _VECTORISED),
    Implementation("classic_slips", "correlate1d flips the kernel, conv1d_matrix returns M.T, "
                   "CNN1D sizes its Linear layer as if each stride-2 convolution halved the length",
            {"correlate1d": _changed("correlate1d", ("w = np.asarray(w, dtype=np.float64)",
                                                     "w = np.asarray(w, dtype=np.float64)[::-1]")),
             "conv1d_matrix": _changed("conv1d_matrix", ("return matrix", "return matrix.T")),
             "CNN1D": _changed("CNN1D", ("conv1d_output_length(out_len, kernel_size, stride=2)",
                                         "out_len // 2"))},
            {"test_correlate1d": "this looks like convolution",
             "test_conv1d_matrix": "transposed",
             "test_mnist1d_models":
                 "the Linear layer's input size matches the flattened features"}),
    Implementation("flipped_kernel", "convolve1d forgets to flip the kernel (computes correlation)",
            {"convolve1d": '''import numpy as np

def convolve1d(f, g):
    f = np.asarray(f, dtype=float)
    g = np.asarray(g, dtype=float)
    n, k = len(f), len(g)
    fp = np.concatenate([np.zeros(k - 1), f, np.zeros(k - 1)])
    return np.array([sum(fp[i + j] * g[j] for j in range(k)) for i in range(n + k - 1)])
'''}, {"test_convolve1d": "correlation"}),
    Implementation("conv1d_window_view", "conv1d reads its windows with sliding_window_view, "
            "which the notebook rules out", {"conv1d": '''import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

def conv1d(x, w, b=None, stride=1, padding=0, dilation=1):
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    xp = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(padding, padding)])
    span = dilation * (w.shape[2] - 1) + 1
    windows = sliding_window_view(xp, span, axis=-1)[..., ::stride, ::dilation]
    out = np.einsum("...clk,ock->...ol", windows, w)
    return out if b is None else out + np.asarray(b, dtype=float)[:, None]
'''}, {"test_conv1d": "stride_tricks"}),
    Implementation("matrix_no_check", "conv1d_matrix builds a wrong-shaped matrix instead of "
            "raising ValueError for k > n",
            {"conv1d_matrix": _changed("conv1d_matrix", ("    if k > n:\n", "    if False:\n"))},
            {"test_conv1d_matrix": "instead of raising ValueError"},
            only={"test_conv1d_matrix": ("Edge cases",)}),
    Implementation("off_by_one", "conv1d_output_length uses n - k instead of n - k + 1",
            {"conv1d_output_length": _changed("conv1d_output_length",
                                              ("// stride + 1", "// stride"))},
            {"test_conv1d_output_length": "+ 1"}),
    Implementation("padding_once", "conv1d_output_length adds the padding once instead of twice",
            {"conv1d_output_length": _changed("conv1d_output_length",
                                              ("n + 2 * padding", "n + padding"))},
            {"test_conv1d_output_length": "padding"}),
    Implementation("bias_per_position",
            "conv1d adds the bias along the length axis, not per channel",
            {"conv1d": _changed("conv1d", (".reshape(1, c_out, 1)  # per channel, not per position",
                                           ""))},
            {"test_conv1d": "per position"}),
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

# One limitation, charged once: each loses the one test about it (the others check the same
# property in a form the function handles, and say so in a note).
IMPLEMENTATIONS += [
    Implementation("longer_kernels_rejected", "convolve1d and correlate1d (in every mode) reject "
                   "a kernel longer than the input, conv1d_output_length ignores dilation, "
                   "MLP1D is not written",
            {"convolve1d": _changed("convolve1d", (
                "out = np.zeros(len(f) + len(g) - 1)",
                "if len(g) > len(f):\n        raise ValueError('the kernel is longer than the "
                "signal')\n    out = np.zeros(len(f) + len(g) - 1)")),
             "correlate1d": _changed("correlate1d", ('if mode == "valid" and k > n:', "if k > n:")),
             "conv1d_output_length": _changed("conv1d_output_length",
                                              ("dilation * (k - 1)", "(k - 1)")),
             "MLP1D": '''class MLP1D(nn.Module):
    def __init__(self, hidden=362, n_inputs=40, n_classes=10):
        super().__init__()
        raise NotImplementedError()
'''},
            {"test_convolve1d": "must accept a kernel longer than the signal",
             "test_correlate1d": "only mode 'valid' rejects",
             "test_conv1d_output_length": "dilation is ignored",
             "test_mnist1d_models": "MLP1D"},
            notes={"test_convolve1d": "f * g = g * f",
                   "test_correlate1d": "(a kernel longer than the input)",
                   "test_conv1d_output_length": "does not use dilation",
                   "test_mnist1d_models": "graded alone"}),
    Implementation("unbatched_rejected", "conv1d rejects an unbatched x (C_in, L); correlate1d's "
                   "'same' mode puts the extra zero of an even kernel on the left",
            {"conv1d": _changed("conv1d", ("x = x[None]",
                                           "raise ValueError('x must be (N, C_in, L)')")),
             "correlate1d": _changed("correlate1d", ('"same": ((k - 1) // 2, k // 2)',
                                                     '"same": (k // 2, (k - 1) // 2)'))},
            {"test_conv1d": "unbatched x of shape (C_in, L)", "test_correlate1d": "misaligned"},
            notes={"test_conv1d": "as a batch of one",
                   "test_correlate1d": "edge cases in mode 'same' were not checked"}),
    Implementation("unbatched_only", "conv1d rejects a batched x (N, C_in, L)",
            {"conv1d": _changed("conv1d", ("unbatched = x.ndim == 2", "if x.ndim == 3:\n"
                                           "        raise ValueError('x must be (C_in, L)')\n"
                                           "    unbatched = x.ndim == 2"))},
            {"test_conv1d": "batch x of shape (N, C_in, L)"},
            notes={"test_conv1d": "one sample at a time"}),
    Implementation("bias_and_dilation_ignored", "conv1d never adds b and ignores dilation",
            {"conv1d": _changed("conv1d", ("l_out = conv1d_output_length(length, k, stride, "
                                           "padding, dilation)",
                                           "l_out = conv1d_output_length(length, k, stride, "
                                           "padding)"),
                                ("start = j * dilation", "start = j"),
                                ("        out += np.asarray(b, dtype=np.float64).reshape(1, c_out, "
                                 "1)  # per channel, not per position\n", "        pass\n"))},
            {"test_conv1d": "dilation is ignored"},
            notes={"test_conv1d": "Checked without bias, dilation"}),
]

IMPLEMENTATIONS += load_reference(__file__, "named_slips").IMPLEMENTATIONS

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("flipped_kernel", "off_by_one", "bias_per_position", "cheater_and_hang")
