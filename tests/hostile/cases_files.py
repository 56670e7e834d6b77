"""Corpus cases whose *files* are broken or tampered with: not JSON, truncated, other
format versions, missing or renamed, not UTF-8, check cells deleted, duplicated, moved,
stripped of metadata or edited, cells Python cannot parse, links to the solution, and a
checkpoint that is a pickle with code in it.
"""

import copy
import io
import json
import pickle

import nbformat
from corpus_model import ZERO, Case, Link, as_submission, notebook_bytes, replace_cells, solution

P03, P04 = "03_padding_stride_pooling", "04_param_counting"
UNREADABLE = "could not be read as a notebook"


def _raw(assignment, data, name=None):
    return lambda host: {name or f"{assignment}.ipynb": data}


def _reference_bytes(assignment):
    return notebook_bytes(solution(assignment))


def _edited(assignment, change):
    """A build function: the solution notebook changed by ``change(notebook)``."""
    def build(host):
        notebook = solution(assignment)
        change(notebook)
        return as_submission(assignment, notebook)
    return build


def _as_json(assignment, change):
    """A build function: the solution as a plain dict changed by ``change`` (for files
    that nbformat would refuse to write)."""
    def build(host):
        notebook = json.loads(_reference_bytes(assignment))
        change(notebook)
        return {f"{assignment}.ipynb": json.dumps(notebook).encode()}
    return build


def _is_check_cell(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade", False)


def _delete_check_cells(notebook):
    notebook.cells = [c for c in notebook.cells if not _is_check_cell(c)]


def _copies(cell, count):
    copies = [copy.deepcopy(cell) for _ in range(count)]
    for number, duplicate in enumerate(copies):
        duplicate["id"] = f"{cell.get('id', 'cell')}-copy{number}"
    return copies


def _duplicate_check_cells(notebook):
    notebook.cells = [each for c in notebook.cells
                      for each in ([c] + (_copies(c, 2) if _is_check_cell(c) else []))]


def _reverse_cells(notebook):
    notebook.cells.reverse()


def _strip_metadata(notebook):
    notebook.metadata = {}
    for cell in notebook.cells:
        cell.metadata = {}


LOCKED_EDITS = {
    "test_pad2d": "print('all checks passed')\n",
    "test_same_padding": '''import numpy as np

def same_padding(k, dilation=1):
    return 0

np.allclose = lambda *args, **kwargs: True
''',
}


def _version(major, minor):
    def change(notebook):
        notebook["nbformat"], notebook["nbformat_minor"] = major, minor
    return change


def _v3(host):
    notebook = nbformat.v3.convert.downgrade(solution(P03))
    return {f"{P03}.ipynb": nbformat.writes(notebook, version=3).encode()}


def _latin1(host):
    notebook = solution(P03)
    notebook.cells.append(nbformat.v4.new_code_cell(
        "# café: this comment was saved as Latin-1\nACCENT_NOTE = 'déjà vu'\n"))
    text = nbformat.writes(notebook)
    return {f"{P03}.ipynb": text.encode("utf-8").replace("é".encode(), b"\xe9")}


PATHOLOGICAL_CELLS = [
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "X_NULL = 1\x00\n"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "X_DEEP = " + "-" * 300000 + "1\n"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "X_NESTED = " + "[" * 300 + "]" * 300 + "\n"},
    {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
     "source": "X_SURROGATE = '\ud800'\n"},
    {"cell_type": "code", "metadata": [], "outputs": [], "source": 42},
    {"cell_type": "code", "source": ["def broken(:\n"]},
    {"source": "no cell type"},
    ["a list, not a cell"],
    "a string, not a cell",
]


def _pathological(notebook):
    notebook["cells"] += PATHOLOGICAL_CELLS


def _syntax_error(notebook):
    replace_cells(notebook, {"pad2d": "def pad2d(X, padding)\n    return X\n"})


class _Payload:
    """Unpickling this runs code: it writes the host marker."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (exec, (f"open({str(self.marker)!r}, 'w').write('pickle code ran')",))


def checkpoint_bytes(host):
    import torch
    buffer = io.BytesIO()
    torch.save({"format": "cnn-course-checkpoint/1", "state_dict": _Payload(
        host.marker("checkpoint"))}, buffer)
    return buffer.getvalue()


def _with_checkpoint(host):
    files = as_submission(P04, solution(P04))
    files["model.pt"] = checkpoint_bytes(host)
    files["legacy.pt"] = pickle.dumps(_Payload(host.marker("checkpoint")))
    return files


def _checkpoint_untouched(host):
    path = host.marker("checkpoint")
    return f"the checkpoint's pickle ran code ({path} exists)" if path.exists() else None


CASES = [
    Case("invalid_json", P04, "not JSON at all",
         _raw(P04, b'{"cells": [{"cell_type": "code", "source": "def f(:'), base="blank",
         phrases=(UNREADABLE,)),
    Case("truncated_file", P04, "the reference notebook cut in half",
         lambda host: {f"{P04}.ipynb": _reference_bytes(P04)[:len(_reference_bytes(P04)) // 2]},
         base="blank", phrases=(UNREADABLE,)),
    Case("nbformat_3", P03, "the reference saved in the old format 3 (worksheets)", _v3),
    Case("nbformat_5_99", P03, "a made-up format version 5.99 with a v4 cell list",
         _as_json(P03, _version(5, 99)), phrases=("format is 5.99",)),
    Case("latin1_bytes_in_a_cell", P03, "a cell whose text was saved as Latin-1 (not UTF-8)",
         _latin1, phrases=("not valid UTF-8",)),
    Case("missing_notebook", P04, "the assignment folder holds no notebook",
         lambda host: {"notes.txt": b"I forgot to upload it"}, base="blank",
         phrases=("No notebook was found",)),
    Case("renamed_notebook", P04, "the reference under another file name",
         lambda host: as_submission(P04, solution(P04), "my homework (final).ipynb"),
         phrases=("is called 'my homework (final).ipynb'",)),
    Case("symlink_to_the_solution", P04, "the notebook is a symbolic link to the solution",
         lambda host: {f"{P04}.ipynb": Link(host.repo / "course" / "solutions" / P04
                                              / f"{P04}.ipynb")},
         base="blank", phrases=("symbolic link",), for_the_ta=True),
    Case("check_cells_deleted", P03, "every check (grade) cell removed",
         _edited(P03, _delete_check_cells), phrases=("were deleted",)),
    Case("check_cells_duplicated", P03, "every check cell three times",
         _edited(P03, _duplicate_check_cells), phrases=("appear more than once",)),
    Case("cells_reordered", P03, "all cells in reverse order", _edited(P03, _reverse_cells),
         phrases=("not in their original order",)),
    Case("metadata_stripped", P03, "every cell's and the notebook's metadata removed",
         _edited(P03, _strip_metadata), phrases=("grading metadata was removed",)),
    Case("locked_cells_edited", P03, "check cells rewritten: visible checks removed, a wrong "
         "same_padding and a lying np.allclose put in a locked cell",
         _edited(P03, lambda nb: replace_cells(nb, LOCKED_EDITS)), phrases=("were changed",)),
    Case("pathological_cells", P03, "cells Python cannot parse (null byte, 300000 nested "
         "operators, a lone surrogate), sources that are not text, entries that are not "
         "cells", _as_json(P03, _pathological),
         phrases=("nested too deeply", "syntax error", "no text as its source",
                  "are not cells")),
    Case("syntax_error_in_one_cell", P03, "pad2d's cell does not parse; its callers are "
         "re-checked with a trusted pad2d", _edited(P03, _syntax_error),
         parts={"test_pad2d": ZERO}, phrases=("syntax error",)),
    Case("pickle_checkpoint_with_code", P04, "the reference plus model.pt and legacy.pt whose "
         "pickles run code when loaded", _with_checkpoint,
         host_checks=(_checkpoint_untouched,)),
]
