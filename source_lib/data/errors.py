"""Exceptions raised by :mod:`source_lib.data`.

Every message is written for a student reading it in a notebook: it says which
file or dataset is involved, what is wrong, and what to do about it.
"""

FIX_HINT = (
    "To fix it: delete the file and run the cell again to re-download it, or set "
    "the environment variable COURSE_DATA_DIR to a folder that holds a good copy "
    "(for example: export COURSE_DATA_DIR=/path/to/data before starting Jupyter)."
)


class DataError(Exception):
    """Base class of every data-loading error in this package."""


class DataUnavailableError(DataError):
    """The dataset is not on disk and could not be downloaded.

    Raised when ``download=False`` and nothing was found, when there is no
    network, or when the server refused the request.
    """


class ChecksumError(DataError):
    """A file's md5 (or sha256) does not match the registry.

    Attributes ``path``, ``expected`` and ``actual`` hold the file and both
    hex digests (``expected`` may be a prefix, as torchvision's sha256 in file
    names), ``algorithm`` the hash's name, so callers can report or log them.
    """

    def __init__(self, path, expected, actual, detail="", algorithm="md5"):
        self.path = str(path)
        self.expected = expected
        self.actual = actual
        self.algorithm = algorithm
        wanted = (f"a {algorithm} starting with {expected}" if len(expected) < len(actual)
                  else f"{algorithm} {expected}")
        message = (
            f"Checksum mismatch for {self.path}: expected {wanted}, "
            f"got {actual}. {detail}".rstrip()
        )
        super().__init__(message)


class CorruptDataError(DataError):
    """A file is present but cannot be parsed (truncated, wrong format or shape)."""


class UnsafePickleError(CorruptDataError):
    """A pickle asked for a Python object outside the small allow-list.

    Loading such a file with the standard :mod:`pickle` module could run
    arbitrary code, so it is refused before anything is executed.
    """


def corrupt(path, problem):
    """Build a :class:`CorruptDataError` for ``path`` with the standard fix hint."""
    return CorruptDataError(f"{path} is unusable: {problem}. {FIX_HINT}")
