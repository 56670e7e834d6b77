"""Detect library operations that a "by hand" exercise forbids (worker side).

Before any student code runs, the library functions below are replaced by
wrappers. While a call is *armed* with some groups, touching a function of
those groups records its use and raises ``ForbiddenOperationUsed``; otherwise
the wrapper just forwards (so ``nn.Conv1d`` still works in model exercises).
Installing before the student's imports matters: ``from numpy import
convolve`` then binds the wrapper, not the original.

This is a detector for honest mistakes, not a security boundary: a
determined student could undo it. The trusted side adds a static scan of the
source (``grader.checking.source_scan``), and the hardening work sandboxes the worker.
"""

import functools
import importlib
import sys

GROUPS = {
    "numpy.convolve": [("numpy", "convolve")],
    "numpy.correlate": [("numpy", "correlate"), ("numpy._core.multiarray", "correlate"),
                        ("numpy._core.multiarray", "correlate2")],
    "scipy.signal": [("scipy.signal", name) for name in (
        "convolve", "correlate", "fftconvolve", "oaconvolve", "convolve2d", "correlate2d",
        "lfilter", "filtfilt", "sosfilt")],
    "scipy.ndimage": [("scipy.ndimage", name) for name in (
        "convolve", "correlate", "convolve1d", "correlate1d", "uniform_filter1d",
        "uniform_filter", "maximum_filter", "minimum_filter", "generic_filter",
        "maximum_filter1d")],
    "torch.conv": [("torch", name) for name in (
        "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
        "conv_transpose3d", "convolution", "_convolution", "conv_tbc")]
    + [("torch.nn.functional", name) for name in (
        "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")],
    "unfold": [("torch.nn.functional", "unfold"), ("torch.Tensor", "unfold")],
    "fold": [("torch.nn.functional", "fold")],
    # Only the public modules: numpy's own internals keep their private references.
    "stride_tricks": [("numpy.lib.stride_tricks", "as_strided"),
                      ("numpy.lib.stride_tricks", "sliding_window_view"),
                      ("torch", "as_strided"), ("torch.Tensor", "as_strided")],
    "torch.pool": [("torch.nn.functional", name) for name in (
        "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
        "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d",
        "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
        "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
        "lp_pool1d", "lp_pool2d", "fractional_max_pool2d")]
    + [("torch", name) for name in (
        "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "adaptive_avg_pool1d",
        "adaptive_max_pool1d")],
    "numpy.pad": [("numpy", "pad")],
    "torch.pad": [("torch.nn.functional", "pad"), ("torch", "constant_pad_nd")],
    # Hand-written gradients (05): no autograd and no library conv gradients.
    "autograd": [("torch.autograd", "grad"), ("torch.autograd", "backward"),
                 ("torch.Tensor", "backward")]
    + [("torch.nn.grad", name) for name in (
        "conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight")],
    # 06: train_epoch/evaluate are the exercise; the course helpers that run an epoch are not.
    "course.epoch_loops": [("source_lib.training.loops", "fit"),
                           ("source_lib.training.loops", "_sweep"),
                           ("source_lib.training.recipes", "train_model")],
}
# Modules that are patched lazily, right after the student's code imports them.
_LAZY_MODULES = {"scipy.signal", "scipy.ndimage", "source_lib.training.loops",
                 "source_lib.training.recipes"}


class ForbiddenOperationUsed(Exception):
    """Raised inside the worker when an armed forbidden operation is called."""


class _State:
    armed = frozenset()
    used = set()


def arm(groups):
    _State.armed = frozenset(groups)
    _State.used = set()


def disarm():
    """Stop detecting; return the groups used while armed."""
    used = sorted(_State.used)
    _State.armed = frozenset()
    return used


def _wrap(original, group, label):
    @functools.wraps(original)
    def tripwire(*args, **kwargs):
        if group in _State.armed:
            _State.used.add(label)
            raise ForbiddenOperationUsed(f"{label} is not allowed in this exercise")
        return original(*args, **kwargs)
    tripwire.__tripwire__ = True
    return tripwire


def _resolve(dotted):
    """Return the object for 'pkg.mod' or 'pkg.mod.Class' if already importable."""
    if dotted in sys.modules:
        return sys.modules[dotted]
    parent, _, attr = dotted.rpartition(".")
    if parent in sys.modules:
        return getattr(sys.modules[parent], attr, None)
    return None


def _patch(owner_name):
    owner = _resolve(owner_name)
    if owner is None:
        return
    for group, targets in GROUPS.items():
        for target_owner, attr in targets:
            if target_owner != owner_name:
                continue
            original = getattr(owner, attr, None)
            if original is None or getattr(original, "__tripwire__", False):
                continue
            setattr(owner, attr, _wrap(original, group, f"{owner_name}.{attr}"))


class _PatchAfterImport:
    """A meta-path finder that patches scipy.signal/ndimage as soon as they load."""

    def find_spec(self, name, path=None, target=None):
        if name not in _LAZY_MODULES:
            return None
        sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            sys.meta_path.insert(0, self)
        if spec is None or spec.loader is None:
            return spec
        original_exec = spec.loader.exec_module

        def exec_and_patch(module):
            original_exec(module)
            _patch(name)
        spec.loader.exec_module = exec_and_patch
        return spec


def install():
    """Wrap every forbidden operation that is loaded, and hook the rest."""
    for module_name in ("numpy", "numpy._core.multiarray", "numpy.lib.stride_tricks", "torch",
                        "torch.nn.functional", "torch.autograd", "torch.nn.grad"):
        try:
            importlib.import_module(module_name)
        except ImportError:
            continue
    owners = {owner for targets in GROUPS.values() for owner, _ in targets}
    for owner in sorted(owners):
        _patch(owner)
    if not any(isinstance(f, _PatchAfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _PatchAfterImport())
