"""MNIST-1D, generated locally with the ``mnist1d`` package and cached.

``mnist1d.data.get_dataset`` downloads a pickle from the internet (and loads it
with plain ``pickle``), so it is never used: the data is always generated with
``make_dataset`` from the package's default arguments.
"""

import random

import numpy as np

from source_lib.data.cache import cache_key, cache_path, load_arrays, save_arrays

_KEYS = ("x_train", "y_train", "x_test", "y_test", "t")


def load_mnist1d(num_samples=5000, seed=42, train_split=0.8):
    """Return MNIST-1D as a dict of numpy arrays.

    Keys: ``x_train`` float32 (N_train, 40), ``y_train`` int64 (N_train,),
    ``x_test`` float32 (N_test, 40), ``y_test`` int64 (N_test,), and ``t``
    float32 (40,), the sample positions. With the defaults N_train = 4000 and
    N_test = 1000. The same arguments always give the same arrays; the result
    is cached in ``COURSE_CACHE_DIR/mnist1d`` keyed by the arguments.
    """
    if not 0 < train_split < 1:
        raise ValueError(f"train_split must be between 0 and 1, not {train_split}")
    if int(num_samples) < 10:
        raise ValueError(f"num_samples must be at least 10 (one per class), not {num_samples}")
    args = {"num_samples": int(num_samples), "seed": int(seed), "train_split": float(train_split)}
    path = cache_path("mnist1d", "mnist1d", cache_key(_package_version(), args))
    cached = load_arrays(path)
    if cached is not None and set(_KEYS) <= cached.keys():
        return {key: cached[key] for key in _KEYS}
    arrays = _generate(**args)
    save_arrays(path, arrays)
    return arrays


def _package_version():
    """Version of ``mnist1d``; part of the cache key as generation may change with it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mnist1d")
    except PackageNotFoundError:
        return "unknown"


def _generate(num_samples, seed, train_split):
    """Run ``mnist1d.data.make_dataset``; return the arrays with course dtypes.

    ``make_dataset`` reseeds the global ``random`` and ``numpy.random``
    generators; their state is restored so a notebook's own seeding is not
    silently overridden.
    """
    # Imported here: mnist1d pulls in matplotlib and requests, which the
    # image datasets do not need.
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples, args.seed, args.train_split = num_samples, seed, train_split
    python_state, numpy_state = random.getstate(), np.random.get_state()
    try:
        data = make_dataset(args)
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
    return {
        "x_train": np.asarray(data["x"], dtype=np.float32),
        "y_train": np.asarray(data["y"], dtype=np.int64),
        "x_test": np.asarray(data["x_test"], dtype=np.float32),
        "y_test": np.asarray(data["y_test"], dtype=np.int64),
        "t": np.asarray(data["t"], dtype=np.float32),
    }
