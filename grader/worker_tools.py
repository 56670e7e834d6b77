"""Helpers that run inside the untrusted worker, on the student's objects.

Each tool is ``tool(namespace, *args, **kwargs)`` where ``namespace`` is the
dict of the student's executed definitions. Checks reach them through
``student.tool(name, ...)``. Tools only ever receive inputs the student's code
may see (never test labels): accuracy and thresholds are computed in the
trusted grading process. Self-contained on purpose (numpy and torch only).
"""

import sys
import time

import numpy as np
import torch


def _instantiate(namespace, class_name):
    try:
        cls = namespace[class_name]
    except KeyError:
        raise LookupError(f"`{class_name}` is not defined in your notebook.") from None
    if not isinstance(cls, type) or not issubclass(cls, torch.nn.Module):
        raise TypeError(f"`{class_name}` must be a torch.nn.Module subclass.")
    model = cls()
    return model


def _as_output_tensor(output, class_name):
    if not isinstance(output, torch.Tensor):
        raise TypeError(f"`{class_name}.forward` returned {type(output).__name__}, "
                        "expected a torch.Tensor of class scores.")
    return output


def module_summary(namespace, class_name, input_shape):
    """Instantiate ``namespace[class_name]()`` and describe it.

    Returns dict(n_params, n_trainable, layer_counts ({"Conv1d": 3, ...}, over
    leaf modules), output_shape (list), output_finite) where the output comes
    from one eval-mode forward pass on a seeded random float32 input.
    """
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = _instantiate(namespace, class_name)
    n_params = sum(p.numel() for p in model.parameters())
    n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    layer_counts = {}
    for module in model.modules():
        if next(module.children(), None) is None:
            name = type(module).__name__
            layer_counts[name] = layer_counts.get(name, 0) + 1
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(*tuple(int(s) for s in input_shape), generator=generator)
    model.eval()
    with torch.no_grad():
        out = _as_output_tensor(model(x), class_name)
    return {"n_params": int(n_params), "n_trainable": int(n_trainable),
            "layer_counts": layer_counts, "output_shape": [int(s) for s in out.shape],
            "output_finite": bool(torch.isfinite(out).all())}


def train_and_predict(namespace, class_name, x_train, y_train, x_test,
                      epochs=10, lr=1e-2, batch_size=100, seed=0):
    """Train a fresh ``namespace[class_name]()`` (Adam, cross-entropy, shuffled
    minibatches, all seeded) and return int64 predicted labels for ``x_test``."""
    torch.set_num_threads(1)
    torch.manual_seed(int(seed))
    model = _instantiate(namespace, class_name)
    x_train = torch.as_tensor(np.asarray(x_train, dtype=np.float32))
    y_train = torch.as_tensor(np.asarray(y_train, dtype=np.int64))
    x_test = torch.as_tensor(np.asarray(x_test, dtype=np.float32))
    if len(x_train) != len(y_train):
        raise ValueError("x_train and y_train differ in length")
    optimizer = torch.optim.Adam(model.parameters(), lr=float(lr))
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(int(seed))
    batch_size = int(batch_size)
    n_classes = int(y_train.max()) + 1 if len(y_train) else 0
    model.train()
    for _ in range(int(epochs)):
        order = torch.randperm(len(x_train), generator=generator)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            logits = _as_output_tensor(model(x_train[idx]), class_name)
            if logits.ndim != 2 or logits.shape[0] != len(idx) or logits.shape[1] < n_classes:
                raise ValueError(f"`{class_name}` returned scores of shape {tuple(logits.shape)} "
                                 f"for a batch of {len(idx)} signals; expected ({len(idx)}, "
                                 f"{n_classes}): one score per class.")
            loss = loss_fn(logits, y_train[idx])
            loss.backward()
            optimizer.step()
    model.eval()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(x_test), 1000):
            logits = _as_output_tensor(model(x_test[start:start + 1000]), class_name)
            predictions.append(logits.argmax(dim=1))
    return torch.cat(predictions).numpy().astype(np.int64)


# ------------------------------------------------- speed of a vectorized exercise
def _student_function(namespace, name):
    function = namespace.get(name)
    if not callable(function):
        raise LookupError(f"`{name}` is not defined in your notebook.")
    return function


def _loop_baseline(X, K):
    """Multi-channel correlation with a Python loop over output values, one small dot
    product (patch . kernel) each: what an honest loop version costs."""
    n, c, h, w = X.shape
    c_out, _, kh, kw = K.shape
    weights = K.reshape(c_out, -1)
    out = np.empty((n, c_out, h - kh + 1, w - kw + 1))
    for image in range(n):
        for o in range(c_out):
            for i in range(h - kh + 1):
                for j in range(w - kw + 1):
                    out[image, o, i, j] = weights[o] @ X[image, :, i:i + kh, j:j + kw].ravel()
    return out


def _seconds(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def time_against_loops(namespace, name, X, K, repeats=5):
    """Median run time of the student's ``name(X, K)`` and of a loop over output pixels
    on the same (N, C, H, W) input, measured alternately in this process.

    Returns {"student": seconds, "loops": seconds}; the trusted side judges the ratio.
    """
    function = _student_function(namespace, name)
    X = np.ascontiguousarray(X, dtype=np.float64)
    K = np.ascontiguousarray(K, dtype=np.float64)
    function(X.copy(), K.copy())                      # warm-up (imports, caches)
    student, loops = [], []
    for _ in range(int(repeats)):                     # alternate: shared machine noise hits both
        student.append(_seconds(lambda: function(X.copy(), K.copy())))
        loops.append(_seconds(lambda: _loop_baseline(X, K)))
    return {"student": float(np.median(student)), "loops": float(np.median(loops))}


def count_student_lines(namespace, name, calls):
    """Python line events executed in the student's own code (the notebook cells) during
    ``name(*args)`` for each ``args`` in ``calls``: a list of counts.

    Independent of machine speed: a loop over output pixels runs more lines for a larger
    image, a vectorized version runs the same lines. Library code is not counted.
    """
    function = _student_function(namespace, name)
    counts = []
    for args in calls:
        count = [0]

        def local(frame, event, arg):
            if event == "line":
                count[0] += 1
            return local

        def global_trace(frame, event, arg):
            # trace only frames of the student's cells; library frames are not entered
            return local if frame.f_code.co_filename.startswith("<cell ") else None

        previous = sys.gettrace()
        sys.settrace(global_trace)
        try:
            function(*args)
        finally:
            sys.settrace(previous)
        counts.append(count[0])
    return counts


TOOLS = {"module_summary": module_summary, "train_and_predict": train_and_predict,
         "time_against_loops": time_against_loops, "count_student_lines": count_student_lines}


# ------------------------------------------------- models built from a JSON-able spec
class SpecBlock(torch.nn.Module):
    """A residual block (ResNet BasicBlock layout): one ReLU module called twice and a
    1x1 shortcut registered after the main path, so hooks see a non-Sequential module."""

    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        nn = torch.nn
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.downsample = None
        if stride != 1 or c_in != c_out:
            self.downsample = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


_SPEC_LAYERS = ("Conv2d", "Linear", "BatchNorm2d", "ReLU", "Tanh", "MaxPool2d", "AvgPool2d",
                "AdaptiveAvgPool2d", "Flatten", "Dropout")


def build_model(spec):
    """A torch model from a JSON-able spec: a list of [type, kwargs] items, where type is a
    torch.nn layer from _SPEC_LAYERS, "Sequential" (kwargs: a nested spec list) or "Block"
    (kwargs of SpecBlock). The whole list is an nn.Sequential. Also used by the trusted side."""
    layers = []
    for kind, kwargs in spec:
        if kind == "Sequential":
            layers.append(build_model(kwargs))
        elif kind == "Block":
            layers.append(SpecBlock(**kwargs))
        elif kind in _SPEC_LAYERS:
            layers.append(getattr(torch.nn, kind)(**kwargs))
        else:
            raise ValueError(f"unknown layer type {kind!r}")
    return torch.nn.Sequential(*layers)


def _plain(value):
    """Shapes (torch.Size), numpy/torch scalars and nested tuples -> lists and Python numbers."""
    if isinstance(value, (tuple, list, torch.Size)):
        return [_plain(item) for item in value]
    if isinstance(value, torch.Tensor) and value.ndim == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def call_on_model(namespace, name, spec, input_shape):
    """Build ``build_model(spec)`` (seeded, train mode) and return the student's
    ``name(model, input_shape)``, with shapes and scalars made plain (lists, ints)."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    function = _student_function(namespace, name)
    model = build_model(spec)
    return _plain(function(model, tuple(int(s) for s in input_shape)))


TOOLS["call_on_model"] = call_on_model

# 05_conv_backprop: forward/backward chains, numerical_gradient, autograd.Function checks
from grader.worker_tools_backprop import TOOLS as _BACKPROP_TOOLS  # noqa: E402

TOOLS.update(_BACKPROP_TOOLS)
