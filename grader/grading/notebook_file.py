"""Read a submitted notebook file as far as it can be read, without running anything.

Reading is forgiving but never silent: a file that is not quite a notebook (text that is
not UTF-8, an unknown format version, cells that are not cells) is read as far as it can
be, and each repair becomes a plain-words note for the student.
"""

import json


def cell_source(cell):
    """A cell's source as one string, or None when it is not text."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    return source if isinstance(source, str) else None



def _decode(raw, notes):
    """The file's text: UTF-8, or UTF-16/32 if that is what the bytes are. Bytes that are
    not valid UTF-8 are replaced (a note says so) so that the rest can be graded."""
    encoding = json.detect_encoding(raw)
    try:
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError as error:
        notes.append(f"Some text in the notebook is not valid UTF-8 (byte "
                     f"0x{raw[error.start]:02x} at position {error.start}); it was replaced "
                     "by \ufffd before grading, which may break the cell it is in.")
        return raw.decode("utf-8", errors="replace")


def _usable_cells(notebook, notes):
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise ValueError("not a valid notebook file (no list of cells)")
    kept = [cell for cell in cells if isinstance(cell, dict)]
    if len(kept) < len(cells):
        notes.append(f"{len(cells) - len(kept)} entries of the notebook's cell list are not "
                     "cells; they were skipped.")
    notebook["cells"] = kept
    return notebook


def read_notebook(path, notes=None):
    """The notebook at ``path`` as a dict with a ``cells`` list.

    Plain JSON for nbformat 4 (what Jupyter writes today): importing nbformat costs the
    grader ~1.4 s per notebook (its schema validator loads jsonschema's format checkers).
    Older formats are converted by nbformat; an unknown version with a list of cells is
    read as version 4. Raises ValueError when unreadable. ``notes`` (a list) receives a
    plain-words sentence for each repair made on the way.
    """
    notes = [] if notes is None else notes
    with open(path, "rb") as handle:
        raw = handle.read()
    text = _decode(raw, notes)
    try:
        notebook = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ValueError(f"not a valid notebook file ({error})") from None
    if not isinstance(notebook, dict):
        raise ValueError("not a valid notebook file (the JSON is not an object)")
    version = notebook.get("nbformat")
    if version in (1, 2, 3) and "cells" not in notebook:
        import nbformat  # rare: nbformat 3 notebooks keep their cells in worksheets
        try:
            return nbformat.reads(text, as_version=4)
        except Exception as error:  # nbformat raises many kinds on a damaged old file
            raise ValueError(f"not a valid notebook file (format {version}: {error})") from None
    if version != 4:
        shown = f"{version}.{notebook.get('nbformat_minor', 0)}" if version else "no version"
        notes.append(f"The notebook says its format is {shown}, which the grader does not know;"
                     " it was read as format 4.")
    return _usable_cells(notebook, notes)
