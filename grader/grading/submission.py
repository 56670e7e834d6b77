"""A submitted notebook file -> the student's definitions and plain-words notes."""

from pathlib import Path

from grader.grading.definitions import Extraction, extract_definitions
from grader.grading.locked_cells import listed, restore_locked_cells
from grader.grading.notebook_file import read_notebook


def _other_files(folder):
    try:
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return ""
    return f" (the folder has: {listed(names)})" if names else " (the folder is empty)"


def read_submission(path, release=None):
    """(Extraction, notes) for a submitted notebook file. ``release``: the released
    notebook's path, to restore its check cells and to notice a renamed file. Every
    problem is a plain-words note; an unreadable file gives an empty Extraction."""
    path, notes = Path(path), []
    expected = release is not None and path.parent.name == release.parent.name
    if expected and path.name != release.name and path.is_file():
        notes.append(f"Your notebook is called {path.name!r} instead of {release.name!r}; "
                     "it was graded anyway.")
    try:
        notebook = read_notebook(path, notes)
    except FileNotFoundError:
        notes.append(f"No notebook was found: there is no {path.name}"
                     f"{_other_files(path.parent)}.")
        return Extraction([], []), notes
    except Exception as error:  # any unreadable file still gets a result (all zero)
        notes.append(f"The file {path.name} could not be read as a notebook: {error}")
        return Extraction([], []), notes
    if release is not None and release.is_file():
        notes += restore_locked_cells(notebook, read_notebook(release))
    return extract_definitions(notebook), notes
