"""Datasets for the course: Fashion-MNIST, CIFAR-10 and MNIST-1D.

Typical use in a notebook::

    from source_lib import data
    x_train, y_train = data.load_fashion_mnist("train")   # uint8 (60000, 28, 28), int64
    x_test, y_test = data.load_cifar10("test")            # uint8 (10000, 3, 32, 32), int64
    d = data.load_mnist1d()                               # dict of float32 / int64 arrays

Files are looked for in the ``data_dir`` argument, then ``COURSE_DATA_DIR``,
then ``COURSE_CACHE_DIR``, md5-checked once, and downloaded when missing.
Errors are :class:`DataError` subclasses whose messages say what to do.
"""

from source_lib.data.cifar import load_cifar10
from source_lib.data.remote import download, fetch
from source_lib.data.errors import (
    ChecksumError,
    CorruptDataError,
    DataError,
    DataUnavailableError,
    UnsafePickleError,
)
from source_lib.data.idx import load_fashion_mnist, read_idx
from source_lib.data.locate import md5sum, verify_file
from source_lib.data.mnist1d import load_mnist1d
from source_lib.data.registry import (
    CIFAR10_CLASSES,
    CLASS_NAMES,
    DATASETS,
    FASHION_MNIST_CLASSES,
    MNIST1D_CLASSES,
    DatasetSpec,
    RemoteFile,
    get_spec,
)
from source_lib.data.standin import StandInArrays, StandInDict, load_or_standin, standin

__all__ = [
    "CIFAR10_CLASSES",
    "CLASS_NAMES",
    "DATASETS",
    "FASHION_MNIST_CLASSES",
    "MNIST1D_CLASSES",
    "ChecksumError",
    "CorruptDataError",
    "DataError",
    "DataUnavailableError",
    "DatasetSpec",
    "RemoteFile",
    "StandInArrays",
    "StandInDict",
    "UnsafePickleError",
    "download",
    "fetch",
    "get_spec",
    "load_cifar10",
    "load_fashion_mnist",
    "load_mnist1d",
    "load_or_standin",
    "md5sum",
    "read_idx",
    "standin",
    "verify_file",
]
