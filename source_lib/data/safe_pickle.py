"""Unpickling the official CIFAR-10 batches without trusting the file.

``pickle.load`` calls whatever callable a file names, so a tampered batch
could run ``os.system``. The official batches only need plain containers
(built by opcodes, no globals) plus numpy's array reconstruction, so every
other global is refused before it is ever called.
"""

import io
import pickle

import numpy as np

from source_lib.data.errors import CorruptDataError, UnsafePickleError

try:  # numpy >= 2 moved the implementation; old pickles still name numpy.core
    from numpy._core import multiarray as _multiarray
    from numpy._core import numeric as _numeric
except ImportError:  # pragma: no cover - numpy 1.x
    from numpy.core import multiarray as _multiarray
    from numpy.core import numeric as _numeric


def _safe_dtype(*args, **kwargs):
    """``numpy.dtype`` that refuses object dtypes (they could hold any object)."""
    dtype = np.dtype(*args, **kwargs)
    if dtype.hasobject:
        raise UnsafePickleError("the pickle asks for an object-dtype array, which is not allowed")
    return dtype


def _safe_encode(text, encoding="utf-8", errors="strict"):
    """``_codecs.encode`` restricted to str -> bytes (protocol-2 pickles of bytes use it)."""
    if not isinstance(text, str):
        raise UnsafePickleError("the pickle calls _codecs.encode on a non-string")
    return text.encode(encoding, errors)


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _multiarray._reconstruct,
    ("numpy.core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy._core.numeric", "_frombuffer"): _numeric._frombuffer,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _safe_dtype,
    ("_codecs", "encode"): _safe_encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that only resolves the globals in ``_ALLOWED``."""

    def find_class(self, module, name):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"refusing to load {module}.{name}: the file is not a genuine CIFAR-10 "
                "batch (it asks to run code). Delete it and download the official data.") from None

    def persistent_load(self, pid):
        raise UnsafePickleError("the pickle uses persistent ids, which CIFAR-10 batches never do")


def safe_loads(data, source="pickle data"):
    """Unpickle ``data`` (bytes) with :class:`RestrictedUnpickler`.

    Byte strings of Python 2 pickles stay ``bytes`` (``encoding="bytes"``), as
    the official CIFAR-10 batches need. ``source`` names the file in errors.
    Raises :class:`UnsafePickleError` for forbidden content and
    :class:`CorruptDataError` for damaged data.
    """
    try:
        return RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
    except UnsafePickleError as exc:
        raise UnsafePickleError(f"{source}: {exc}") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError,
            AttributeError, KeyError) as exc:
        raise CorruptDataError(f"{source} is not a readable CIFAR-10 batch ({exc}); "
                               "it is damaged or truncated. Delete it and download it again.") from None
