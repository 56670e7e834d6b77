"""Downloading dataset files and finding verified copies on disk.

``download`` streams one URL to ``dest + ".part"`` and renames it only once the
md5 (or sha256 prefix) is right, so an interrupted download never leaves a file
that looks complete. ``fetch`` finds (or downloads) all files of a registered dataset.
"""

import hashlib
import http.client
import os
import re
import socket
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from source_lib.data.errors import ChecksumError, DataUnavailableError
from source_lib.data.locate import (
    first_writable,
    labelled_roots,
    remember_verified,
    verify_file,
)
from source_lib.data.registry import get_spec

_CHUNK = 1 << 16
# Everything that means "the network let us down" (URLError covers DNS and
# refused connections, HTTPException a connection dropped mid-body).
_NETWORK_ERRORS = (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError,
                   http.client.HTTPException)


def download(url, dest, md5=None, progress=True, timeout=30, sha256_prefix=None):
    """Download ``url`` to ``dest`` and return ``dest`` as a Path.

    Streams into ``dest + ".part"`` with a tqdm progress bar, checks ``md5``
    (hex digest) and/or ``sha256_prefix`` (the leading hex digits of the sha256,
    at least 8, as torchvision names its files; None = unchecked) and renames
    atomically. On a mismatch the part file is deleted and :class:`ChecksumError`
    is raised; network failures raise :class:`DataUnavailableError`.
    """
    dest = Path(dest)
    wanted = _wanted_digests(md5, sha256_prefix)
    part = Path(str(dest) + ".part")
    try:
        actual = _stream(url, part, progress, timeout, dest.name, wanted)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    for algorithm, expected in wanted.items():
        got = actual[algorithm]
        if got != expected and not (algorithm == "sha256" and got.startswith(expected)):
            part.unlink(missing_ok=True)
            raise ChecksumError(dest, expected, got, (
                "The downloaded data is damaged or the server sent a different file; "
                "nothing was saved. Try again later, or set COURSE_DATA_DIR to a folder "
                "with a good copy."), algorithm=algorithm)
    os.replace(part, dest)
    if md5 is not None:
        remember_verified(dest, md5)
    return dest


def _wanted_digests(md5, sha256_prefix):
    """{algorithm: expected hex} for the checks asked for (lower case)."""
    if sha256_prefix is not None and not re.fullmatch(r"[0-9a-fA-F]{8,64}", sha256_prefix):
        # a short prefix (or "") would accept almost any file
        raise ValueError(f"sha256_prefix must be 8 to 64 hex digits, got {sha256_prefix!r}")
    wanted = {"md5": md5, "sha256": sha256_prefix}
    return {name: value.lower() for name, value in wanted.items() if value is not None}


def _stream(url, part, progress, timeout, label, wanted):
    """Copy the body of ``url`` into ``part``; return {algorithm: hex digest} for ``wanted``."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            return _copy(response, part, total, progress, label, url, wanted)
    except urllib.error.HTTPError as exc:
        raise DataUnavailableError(
            f"the server answered HTTP {exc.code} ({exc.reason}) for {url}") from None
    except _NETWORK_ERRORS as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DataUnavailableError(
            f"could not download {url}: {reason} (no network connection, a "
            f"firewall, or the server is down)") from None


def _copy(response, part, total, progress, label, url, wanted):
    # FIPS builds refuse md5 unless told it is not used for security (it only detects damage here)
    digests = {name: hashlib.new(name, usedforsecurity=name != "md5") for name in wanted}
    received = 0
    # Created only once the server answered, so a failed attempt leaves no empty folders.
    part.parent.mkdir(parents=True, exist_ok=True)
    bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
               desc=f"Downloading {label}", disable=not progress)
    with bar, open(part, "wb") as out:
        while chunk := response.read(_CHUNK):
            out.write(chunk)
            for digest in digests.values():
                digest.update(chunk)
            received += len(chunk)
            bar.update(len(chunk))
    if total is not None and received != total:
        raise DataUnavailableError(
            f"the download of {url} was cut short ({received} of {total} bytes)")
    return {name: digest.hexdigest() for name, digest in digests.items()}


def spec_dirs(spec, roots):
    """Folders that may hold ``spec``'s files: ``root/subdir``, then ``root`` itself."""
    dirs = []
    for root in roots:
        for folder in (Path(root) / spec.subdir, Path(root)):
            if folder not in dirs:
                dirs.append(folder)
    return dirs


def fetch(name, data_dir=None, download=True, spec=None, progress=True):
    """Return the folder (Path) holding all of dataset ``name``'s verified files.

    Looks in ``data_dir``, ``COURSE_DATA_DIR`` then ``COURSE_CACHE_DIR``; a
    folder counts only when it holds every file. Otherwise downloads into the
    first writable of those roots (unless ``download`` is False). ``spec``
    overrides the registry entry (used by tests and for custom mirrors).
    """
    spec = spec or get_spec(name)
    if spec.generated:
        raise ValueError(f"{spec.title or spec.name} is generated locally; it has no files to fetch")
    pairs = labelled_roots(data_dir)
    for folder in spec_dirs(spec, [root for root, _ in pairs]):
        if all((folder / remote.filename).is_file() for remote in spec.files):
            for remote in spec.files:
                verify_file(folder / remote.filename, remote.md5, remote.size)
            return folder
    if not download:
        raise DataUnavailableError(unavailable_message([spec], pairs, "not found and download=False"))
    return _download_all(spec, pairs, progress)


def _download_all(spec, pairs, progress):
    missing_url = [remote.filename for remote in spec.files if not remote.url]
    if missing_url:
        reason = f"not found, and {', '.join(missing_url)} has no public download"
        raise DataUnavailableError(unavailable_message([spec], pairs, reason))
    root = first_writable([root for root, _ in pairs])
    if root is None:
        raise DataUnavailableError(unavailable_message([spec], pairs, "no writable folder to download into"))
    folder = Path(root) / spec.subdir
    for remote in spec.files:
        dest = folder / remote.filename
        if dest.is_file():
            verify_file(dest, remote.md5, remote.size)
            continue
        try:
            download(remote.url, dest, remote.md5, progress=progress)
        except DataUnavailableError as exc:
            raise DataUnavailableError(unavailable_message([spec], pairs, str(exc))) from None
    return folder


def unavailable_message(specs, pairs, reason):
    """Explain what was looked for, where, the official URLs, and how to fix it."""
    title = " or ".join(spec.title or spec.name for spec in specs)
    lines = [f"{title} is not available: {reason}.", "Looked for:"]
    for spec in specs:
        names = [remote.filename for remote in spec.files]
        if spec.extracted_dir:
            names.append(spec.extracted_dir + "/ (extracted)")
        lines.append("  " + ", ".join(names))
    lines.append("in these folders, in this order:")
    for root, label in pairs:
        lines.append(f"  {root}  ({_describe(label)})")
    lines.append("Official download:")
    for spec in specs:
        for remote in spec.files:
            where = remote.url or f"none (course-prepared file; see {spec.homepage or 'the course page'})"
            lines.append(f"  {remote.filename}: {where}")
    lines.append(
        "To fix it: connect to the internet and call again with download=True; or put "
        "the files into one of the folders above; or set the environment variable "
        "COURSE_DATA_DIR to the folder holding the course data (e.g. "
        "`export COURSE_DATA_DIR=/path/to/shared/data` before starting Jupyter, or "
        "os.environ['COURSE_DATA_DIR'] = '/path/to/shared/data' in the notebook).")
    return "\n".join(lines)


def _describe(label):
    if label == "COURSE_DATA_DIR" and not os.environ.get("COURSE_DATA_DIR", "").strip():
        return "default; COURSE_DATA_DIR is not set"
    return label
