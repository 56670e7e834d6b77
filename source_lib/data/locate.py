"""Where dataset files are looked for, and checking them once.

Lookup order for every file: the ``data_dir`` argument, then
``source_lib.config.data_dir()`` (``COURSE_DATA_DIR``, possibly read-only),
then ``source_lib.config.cache_dir()`` (``COURSE_CACHE_DIR``).

Hashing a 170 MB archive on every notebook run would be slow, so a verified
file gets a tiny JSON stamp in ``<cache_dir>/verified/`` keyed by its path,
size and modification time; the md5 is recomputed only when one of them changes.
"""

import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path

from source_lib import config
from source_lib.data.errors import FIX_HINT, ChecksumError

_CHUNK = 1 << 20


def labelled_roots(data_dir=None):
    """Return ``(root, where_it_came_from)`` pairs in lookup order, deduplicated."""
    pairs = []
    sources = (
        (data_dir, "data_dir argument"),
        (config.data_dir(), "COURSE_DATA_DIR"),
        (config.cache_dir(), "COURSE_CACHE_DIR"),
    )
    for root, label in sources:
        if root is None:
            continue
        root = Path(root).expanduser()
        if root not in [known for known, _ in pairs]:
            pairs.append((root, label))
    return pairs


def candidate_roots(data_dir=None):
    """Return the data roots in lookup order, without duplicates (list of Path)."""
    return [root for root, _ in labelled_roots(data_dir)]


def is_writable(path):
    """True when files can be created in ``path`` (created later if missing).

    Checks the nearest existing ancestor. Besides ``os.access`` it requires a
    write bit in the mode: root passes ``os.access`` everywhere, and shared
    dataset folders are protected only by ``chmod a-w``, which we honour.
    """
    path = Path(path).expanduser().absolute()
    while not path.exists():
        if path.parent == path:
            return False
        path = path.parent
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return stat.S_ISDIR(mode) and bool(mode & 0o222) and os.access(path, os.W_OK | os.X_OK)


def first_writable(roots):
    """Return the first root of ``roots`` that :func:`is_writable`, else None."""
    for root in roots:
        if is_writable(root):
            return root
    return None


def md5sum(path):
    """Return the md5 hex digest of the file at ``path`` (read in 1 MiB chunks)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp_path(path, expected_md5):
    key = hashlib.sha1(f"{Path(path).resolve()}|{expected_md5}".encode()).hexdigest()
    return config.cache_dir() / "verified" / f"{key[:24]}.json"


def _identity(path):
    info = os.stat(path)
    return {"path": str(Path(path).resolve()), "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _has_stamp(path, expected_md5):
    try:
        stamp = json.loads(_stamp_path(path, expected_md5).read_text())
    except (OSError, ValueError):
        return False
    return stamp == dict(_identity(path), md5=expected_md5)


def remember_verified(path, md5):
    """Write the stamp saying ``path`` (as it is now) has md5 ``md5``.

    Best effort: a read-only or full cache only costs a re-hash next time.
    """
    stamp_file = _stamp_path(path, md5)
    try:
        stamp_file.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_text(stamp_file, json.dumps(dict(_identity(path), md5=md5)))
    except OSError:
        pass


def write_atomic_text(path, text):
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``.

    Readers in other processes (pytest -n 2, two notebooks) never see half a file.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def verify_file(path, md5, size=None):
    """Check ``path`` against ``md5`` (and ``size`` if given); stamp it when good.

    Raises :class:`ChecksumError` explaining the problem and the fix. ``md5``
    None means "nothing to check" and always passes.
    """
    if md5 is None or _has_stamp(path, md5):
        return
    actual = md5sum(path)
    if actual != md5:
        have = os.path.getsize(path)
        if size is not None and have < size:
            problem = f"The file is truncated ({have} of {size} bytes), probably an interrupted copy."
        else:
            problem = "The file is corrupt or is a different version of the data."
        raise ChecksumError(path, md5, actual, f"{problem} {FIX_HINT}")
    remember_verified(path, md5)

