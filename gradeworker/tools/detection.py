"""10: the student's ``fc_to_conv`` on seeded window classifiers, and the handed-in detector,
inside the worker.

``window_classifier(spec, seed)`` builds a small classifier (convolutions without padding,
pooling, Flatten, Linear layers) from a JSON-able spec; the trusted process builds the same
one and runs it window by window. ``fc_to_conv_run`` converts it with the student's
function and reports the converted network's outputs in plain arrays. ``detector_grids``
rebuilds the course's TinyDetector from the handed-in checkpoint and returns its raw grids
for scenes the trusted side generated; decoding, NMS and mAP happen there.
"""

import io

import numpy as np
import torch
from torch import nn

from gradeworker.tools.common import student_function

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def _layer(entry):
    kind, *args = entry
    if kind == "conv":
        return nn.Conv2d(*args)
    if kind == "maxpool":
        return nn.MaxPool2d(*args)
    if kind == "avgpool":
        return nn.AvgPool2d(*args)
    if kind == "flatten":
        return nn.Flatten()
    if kind == "linear":
        return nn.Linear(*args)
    return ACTIVATIONS[kind]()


def window_classifier(spec, seed):
    """The seeded nn.Sequential that ``spec["layers"]`` describes, in eval mode."""
    torch.manual_seed(seed)
    return nn.Sequential(*[_layer(entry) for entry in spec["layers"]]).eval()


def _run(network, images):
    """The network's output on ``images`` as a float64 array, or the error in words."""
    try:
        with torch.no_grad():
            out = network(torch.as_tensor(np.asarray(images), dtype=torch.float32))
    except Exception as error:   # the student's network: any failure is reported
        return f"{type(error).__name__}: {str(error)[:200]}"
    if not isinstance(out, torch.Tensor):
        return f"it returned a {type(out).__name__}, not a tensor"
    return out.detach().double().numpy()


def _window_by_window(network, images, window, stride):
    """The network run on every ``window`` x ``window`` crop of ``images``, ``stride`` apart:
    (N, K, rows, cols), or the first error in words."""
    images = np.asarray(images)
    rows = (images.shape[2] - window) // stride + 1
    cols = (images.shape[3] - window) // stride + 1
    grid = np.zeros((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out = _run(network, images[:, :, i * stride:i * stride + window,
                                       j * stride:j * stride + window])
            if isinstance(out, str):
                return out
            grid[i, j] = out.reshape(out.shape[0], -1)
    return np.stack([np.stack(list(row), -1) for row in grid], -2)


def fc_to_conv_run(namespace, spec, seed, window_images, large_images, stride):
    """Build the classifier, convert it with the student's ``fc_to_conv`` and report: what
    came back (``kind``), how many Linear and Flatten modules it holds, its outputs on
    window-sized images, on larger images, and on every window of the larger images
    (``stride`` apart, one window at a time), and the original classifier's output on the
    window-sized images after the call (was it changed?)."""
    fc_to_conv = student_function(namespace, "fc_to_conv")
    model = window_classifier(spec, seed)
    converted = fc_to_conv(model)
    report = {"kind": type(converted).__name__, "linear": 0, "flatten": 0,
              "window": None, "large": None, "large_by_window": None,
              "classifier_after": _run(model, window_images)}
    if not isinstance(converted, nn.Module):
        return report
    converted.eval()
    modules = list(converted.modules())
    report["linear"] = sum(isinstance(m, nn.Linear) for m in modules)
    report["flatten"] = sum(isinstance(m, nn.Flatten) for m in modules)
    report["window"] = _run(converted, window_images)
    report["large"] = _run(converted, large_images)
    report["large_by_window"] = _window_by_window(converted, large_images,
                                                  np.shape(window_images)[-1], stride)
    return report


PREDICT_BATCH = 250


def detector_grids(namespace, file_name, checkpoint, images, sizes):
    """The grids (float32 (N, S, S, 5 + K)) of the TinyDetector in ``checkpoint`` (uint8
    bytes of a save_detector file) for ``images`` (float32 (N, 3, H, W) in [0, 1]), eval
    mode, no gradients. The detector is source_lib's (``load_detector``: weights only),
    whatever the notebook defines; ``sizes``: the grid size, classes and image size it must
    have been built with (a CheckpointError in words otherwise)."""
    from source_lib.detection.model import load_detector
    torch.set_num_threads(1)
    received = io.BytesIO(np.asarray(checkpoint, dtype=np.uint8).tobytes())
    received.name = str(file_name)
    model = load_detector(received, **sizes)
    images = torch.as_tensor(np.asarray(images, dtype=np.float32))
    with torch.no_grad():
        grids = [model(images[start:start + PREDICT_BATCH])
                 for start in range(0, len(images), PREDICT_BATCH)]
    return torch.cat(grids).numpy().astype(np.float32)


TOOLS = {"fc_to_conv_run": fc_to_conv_run, "detector_grids": detector_grids}
