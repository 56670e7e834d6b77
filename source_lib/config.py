"""Course-wide settings read from environment variables.

``COURSE_DATA_DIR``  where prepared or downloaded datasets live (read first).
``COURSE_CACHE_DIR`` a writable place for downloads and derived caches; used
                     when the data directory is read-only (e.g. a shared
                     read-only dataset folder on a lab machine).
``COURSE_QUICK``     "1" makes training notebooks run a short budget (used by
                     CI and by the autograder).
``COURSE_MAX_THREADS`` the most torch threads any course code asks for (unset: no
                     cap); the test suite sets 1 in each of its parallel workers.
"""

import os
from pathlib import Path

DEFAULT_HOME = Path.home() / ".cache" / "cnn-course"


def _env_path(name):
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def data_dir():
    """Directory searched first for datasets (``COURSE_DATA_DIR``)."""
    return _env_path("COURSE_DATA_DIR") or DEFAULT_HOME / "data"


def cache_dir():
    """Writable directory for downloads and derived caches (``COURSE_CACHE_DIR``)."""
    return _env_path("COURSE_CACHE_DIR") or DEFAULT_HOME / "cache"


def quick_mode():
    """True when notebooks should train on a small budget (``COURSE_QUICK=1``)."""
    return os.environ.get("COURSE_QUICK", "").strip().lower() in {"1", "true", "yes"}


def max_threads():
    """``COURSE_MAX_THREADS`` as a positive int, or None when unset or not a number."""
    value = os.environ.get("COURSE_MAX_THREADS", "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else None
