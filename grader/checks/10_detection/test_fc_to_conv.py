"""fc_to_conv(model): a window classifier (convolutions, Flatten, Linear layers) as a fully
convolutional network. Random classifiers are built in the worker
(``gradeworker/tools/detection.py``) and here from the same seed; the converted network must
give the classifier's outputs on a window and, on a larger image, one output per window
position equal to the classifier run on that window."""

import numpy as np
import torch

from grader.checking import fail, points
from grader.errors import MissingDefinition, StudentCodeError
from gradeworker.tools.detection import window_classifier

GRADES = ("fc_to_conv",)
ATOL = 1e-4

# Architectures as functions of random widths (c: input channels, a, b: convolution
# channels, h: hidden units, k: classes) -> (layers, window side, convolutional stride)
ARCHITECTURES = [
    lambda c, a, b, h, k: ([["conv", c, a, 3], ["relu"], ["maxpool", 2], ["flatten"],
                            ["linear", a * 9, h], ["relu"], ["linear", h, k]], 8, 2),
    lambda c, a, b, h, k: ([["conv", c, a, 5], ["relu"], ["conv", a, b, 3], ["tanh"],
                            ["maxpool", 2], ["flatten"], ["linear", b * 9, k]], 12, 2),
    lambda c, a, b, h, k: ([["conv", c, a, 3], ["relu"], ["maxpool", 2], ["conv", a, b, 3],
                            ["relu"], ["maxpool", 2], ["flatten"], ["linear", b * 4, h], ["relu"],
                            ["linear", h, h], ["relu"], ["linear", h, k]], 14, 4),
    lambda c, a, b, h, k: ([["conv", c, a, 4], ["relu"], ["flatten"], ["linear", a, k]], 4, 1),
    lambda c, a, b, h, k: ([["conv", c, a, 2], ["relu"], ["avgpool", 3], ["flatten"],
                            ["linear", a * 4, h], ["sigmoid"], ["linear", h, k]], 7, 3),
]


def _model(index, seed):
    """Architecture ``index`` with widths drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    c, a, b = (int(v) for v in rng.integers(1, 7, size=3))
    h, k = int(rng.integers(2, 10)), int(rng.integers(2, 6))
    return ARCHITECTURES[index](c, a, b, h, k)


def _describe(layers):
    return " -> ".join(entry[0] for entry in layers)


def _run(student, index, batch=2):
    """The report of the student's conversion of architecture ``index`` (random widths), the
    images it saw and the classifier's expected outputs: on the windows (N, K) and on every
    window position of the larger images (N, K, rows, cols)."""
    seed = 1050 + index
    layers, window, stride = _model(index, seed)
    rng = np.random.default_rng(seed)
    channels = layers[0][1]
    windows = rng.normal(size=(batch, channels, window, window)).astype(np.float32)
    rows, cols = 3, 4
    large = rng.normal(size=(batch, channels, window + (rows - 1) * stride,
                             window + (cols - 1) * stride)).astype(np.float32)
    try:
        report = student.tool("fc_to_conv_run", {"layers": layers}, seed, windows, large,
                              stride, timeout=30)
    except StudentCodeError as error:
        if error.exc_type == "LookupError":
            raise MissingDefinition("fc_to_conv") from None
        raise StudentCodeError("fc_to_conv", error.exc_type, error.message) from None
    model = window_classifier({"layers": layers}, seed)
    with torch.no_grad():
        on_windows = model(torch.from_numpy(windows)).double().numpy()
        x = torch.from_numpy(large)
        grid = [[model(x[:, :, i * stride:i * stride + window, j * stride:j * stride + window])
                 for j in range(cols)] for i in range(rows)]
    on_large = torch.stack([torch.stack(row, -1) for row in grid], -2).double().numpy()
    return report, on_windows, on_large, f"a classifier {_describe(layers)} on {window} x " \
        f"{window} windows"


def _module(report, what):
    if report["kind"] == "NoneType" or report["window"] is None:
        fail(f"For {what}, fc_to_conv returned a {report['kind']}, not a network "
             "(an nn.Module such as nn.Sequential).")


@points(2)
def test_same_outputs_on_a_window(student):
    """On a window-sized input: the classifier's outputs, as an (N, classes, 1, 1) map.

    Random classifiers (five architectures, random widths): on a window-sized input the
    converted network gives the classifier's outputs, as an (N, classes, 1, 1) map."""
    for index in range(len(ARCHITECTURES)):
        report, expected, _, what = _run(student, index)
        _module(report, what)
        got = report["window"]
        if isinstance(got, str):
            fail(f"For {what}, your network failed on a window-sized input: {got}")
        got = np.asarray(got)
        if got.shape != expected.shape + (1, 1):
            fail(f"For {what}, your network's output on a batch of windows has shape "
                 f"{got.shape}: a fully convolutional network gives (N, classes, 1, 1).")
        if not np.allclose(got.reshape(expected.shape), expected, atol=ATOL, rtol=ATOL):
            fail(f"For {what}, your network's outputs on a window differ from the "
                 "classifier's: each Linear layer's weights, reshaped to (out, channels, k, k) "
                 "for the first one and (out, in, 1, 1) for the others, become a convolution's "
                 "kernels, with the same biases.")


@points(2)
def test_every_window_of_a_larger_image(student):
    """On a larger image: one output per window position, equal to the classifier on that window.

    Random classifiers on a larger image: one output per window position (the windows a
    step of the convolutional part's stride apart), each equal to the classifier on that
    window (or, if your network is wrong on a window, which the test on windows charges,
    to your network on that window)."""
    for index in range(len(ARCHITECTURES)):
        report, _, expected, what = _run(student, index)
        _module(report, what)
        got = report["large"]
        if isinstance(got, str):
            fail(f"For {what}, your network cannot take an image larger than a window "
                 f"({got}): no Flatten or Linear layer may remain.")
        got = np.asarray(got)
        if got.shape != expected.shape:
            fail(f"For {what}, on a larger image your network's output has shape "
                 f"{got.shape}: it should hold one output per window position.")
        if np.allclose(got, expected, atol=ATOL, rtol=ATOL):
            continue
        own = report["large_by_window"]
        if not isinstance(own, str) and np.shape(own) == got.shape and \
                np.allclose(got, own, atol=ATOL, rtol=ATOL):
            continue    # your network is wrong on a window: charged by the test on windows
        fail(f"For {what}, on a larger image your network's outputs differ from the "
             "classifier's run window by window.")


@points(1)
def test_the_classifier_is_left_unchanged(student):
    """The classifier given to fc_to_conv still works as before.

    The classifier given to fc_to_conv still works as before: its weights are copied or
    reshaped into new layers, not changed in place."""
    for index in range(len(ARCHITECTURES)):
        report, expected, _, what = _run(student, index)
        after = report["classifier_after"]
        if isinstance(after, str) or np.shape(after) != expected.shape or \
                not np.allclose(np.asarray(after), expected, atol=ATOL, rtol=ATOL):
            fail(f"For {what}, the classifier itself no longer gives its outputs after your "
                 "fc_to_conv: build new layers (or reshaped copies of the weights) instead "
                 "of changing the classifier's layers in place.")
