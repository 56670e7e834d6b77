"""The files a student hands in beside the notebook (trained checkpoints), as the checks
see them: the ``submitted_files`` fixture.

Only regular files directly beside the notebook count (the batch hashes the same files into
a submission's content key, ``grader.batch.submissions``); a symbolic link is never followed, since
it could point at a classmate's work. Files are read as bytes here and shipped to the
sandboxed worker, which alone interprets them.
"""

from pathlib import Path

from grader.checking import CheckFailed
from grader.course.layout import CHECKPOINT_SUFFIXES

MAX_CHECKPOINT_BYTES = 64 << 20


class SubmittedFiles:
    def __init__(self, folder):
        self.folder = Path(folder) if folder is not None else None

    def names(self):
        """The checkpoint-like files beside the notebook, sorted."""
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(p.name for p in self.folder.iterdir()
                      if p.suffix.lower() in CHECKPOINT_SUFFIXES and not p.is_symlink()
                      and p.is_file())

    def _find(self, name):
        names = self.names()
        if name in names:
            return name
        # a file saved as "SmallCNN.pt" on a case-insensitive laptop is the same file there
        matches = [n for n in names if n.lower() == name.lower()]
        return matches[0] if len(matches) == 1 else None

    def read(self, name, how_to_save):
        """The bytes of the checkpoint ``name``, or CheckFailed saying, in words, what is
        wrong and ``how_to_save`` it."""
        found = self._find(name)
        if found is None:
            others = self.names()
            seen = (f" (beside it: {', '.join(others)})" if others
                    else " (no checkpoint files were submitted)")
            raise CheckFailed(f"No `{name}` was submitted beside your notebook{seen}. "
                              f"{how_to_save}")
        path = self.folder / found
        size = path.stat().st_size
        if size > MAX_CHECKPOINT_BYTES:
            raise CheckFailed(f"`{found}` is {size >> 20} MB, larger than the "
                              f"{MAX_CHECKPOINT_BYTES >> 20} MB a checkpoint may have.")
        if size == 0:
            raise CheckFailed(f"`{found}` is empty: the save did not finish. {how_to_save}")
        return found, path.read_bytes()
