"""One process at a time fills a cache folder; the others wait for it and then reuse it.

    with one_at_a_time(folder, "pretraining this backbone"):
        ...   # check the cache again, then fill it

Used for the course backbone (``source_lib.pretrain``) and for reference models built on
demand. The kernel frees the lock of a killed process. Without ``fcntl`` (Windows) there is
no lock: a second run then repeats the work, resuming from whatever the first one saved.
"""

import contextlib
from pathlib import Path

__all__ = ["one_at_a_time"]


@contextlib.contextmanager
def one_at_a_time(folder, doing="filling this cache"):
    """Hold ``folder/.lock`` (the folder must exist); say who waits for what."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(Path(folder) / ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            print(f"Another process is {doing} ({folder}): waiting for it.", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
