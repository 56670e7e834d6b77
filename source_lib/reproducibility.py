"""Seeds, devices and thread counts, so that a notebook gives the same numbers every run.

Typical first cell of a training notebook::

    from source_lib.reproducibility import seed_everything, get_device, set_num_threads
    seed_everything(0)
    set_num_threads()
    device = get_device()

``COURSE_DEVICE`` (e.g. ``cpu``, ``cuda``, ``cuda:1``) forces the device, so the
autograder and CI can pin everything to the CPU without editing notebooks.
"""

import os
import random
import warnings

import numpy as np
import torch

from source_lib import config

DEVICE_ENV = "COURSE_DEVICE"
MAX_DEFAULT_THREADS = 4


def seed_everything(seed=0):
    """Seed Python's ``random``, NumPy's global generator and PyTorch (CPU and CUDA).

    Returns ``seed`` so a notebook can write ``SEED = seed_everything(0)``.
    Seeding does not make every GPU kernel deterministic; on the CPU it does.
    """
    seed = int(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)  # numpy rejects seeds outside [0, 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    # cuDNN autotuning picks algorithms by timing, which changes results run to run.
    torch.backends.cudnn.benchmark = False
    torch.backends.cudnn.deterministic = True
    return seed


def _available(device):
    if device.type == "cuda":
        return torch.cuda.is_available() and (device.index is None
                                               or device.index < torch.cuda.device_count())
    if device.type == "mps":
        return torch.backends.mps.is_available()
    return True


def _parse_device(spec, source):
    try:
        return torch.device(spec)
    except (RuntimeError, TypeError, ValueError) as error:
        raise ValueError(f"{source} = {spec!r} is not a device; use e.g. 'cpu', 'cuda' "
                         f"or 'cuda:0' ({error})") from None


def get_device(prefer=None):
    """Return the ``torch.device`` to train on.

    Order: the ``COURSE_DEVICE`` environment variable, then ``prefer``
    (``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or a ``torch.device``), then
    CUDA when available, else the CPU. ``"auto"`` means "detect". A requested
    accelerator that is not available falls back to the CPU with a warning, so a
    notebook written on a GPU machine still runs on a laptop.
    """
    env_value = os.environ.get(DEVICE_ENV, "").strip()
    if env_value and env_value.lower() != "auto":
        spec, source = env_value, f"the environment variable {DEVICE_ENV}"
    elif prefer is not None and str(prefer).lower() != "auto":
        spec, source = prefer, "prefer"
    else:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = _parse_device(spec, source)
    if not _available(device):
        warnings.warn(f"{device} was requested ({source}) but is not available here; "
                      "using the CPU instead.", RuntimeWarning, stacklevel=2)
        return torch.device("cpu")
    return device


def _cpu_count():
    # sched_getaffinity honours container/cgroup CPU pinning; cpu_count does not.
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def set_num_threads(n=None):
    """Set PyTorch's intra-op thread count and return it.

    ``n=None`` keeps the current setting (which already honours
    ``OMP_NUM_THREADS``) but never more than the usable CPUs or 4: small course
    models get slower, not faster, with many threads, and shared lab machines
    stay responsive. Any ``n`` is capped by ``COURSE_MAX_THREADS`` when set
    (:func:`source_lib.config.max_threads`): where several processes share the cores
    (a test run, a grading machine), two threads waiting for a core held by another
    process run many times slower than one.
    """
    if n is None:
        n = min(torch.get_num_threads(), _cpu_count(), MAX_DEFAULT_THREADS)
    n = int(n)
    if n < 1:
        raise ValueError(f"the number of threads must be >= 1, got {n}")
    cap = config.max_threads()
    n = min(n, cap) if cap else n
    torch.set_num_threads(n)
    return n
