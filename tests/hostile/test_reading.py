"""Reading broken and tampered notebooks without running anything (fast; the graded
corpus in test_corpus.py shows the same cases end to end)."""

import json

import nbformat
import pytest

from grader.course.layout import released_notebook
from grader.grading.definitions import extract_definitions
from grader.grading.locked_cells import restore_locked_cells
from grader.grading.notebook_file import read_notebook
from grader.grading.submission import read_submission

ASSIGNMENT = "03_padding_stride_pooling"


def _plain(notebook):
    return json.loads(nbformat.writes(notebook))


def _write(path, notebook):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(nbformat.writes(notebook))
    return path


def _code(source):
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}


def test_text_that_is_not_utf8_is_replaced_with_a_note(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "# café\ndef f():\n    return 1\n")])
    path = tmp_path / "latin1.ipynb"
    path.write_bytes(nbformat.writes(notebook).encode().replace("é".encode(), b"\xe9"))
    notes = []
    assert extract_definitions(read_notebook(path, notes)).units[0].names == ["f"]
    assert "not valid UTF-8 (byte 0xe9" in notes[0]


def test_utf16_and_unknown_versions_are_read(tmp_path):
    notebook = _plain(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("X = 1")]))
    notebook["nbformat"], notebook["nbformat_minor"] = 5, 99
    path = tmp_path / "future.ipynb"
    path.write_bytes(json.dumps(notebook).encode("utf-16"))
    notes = []
    assert read_notebook(path, notes)["cells"][0]["source"] in ("X = 1", ["X = 1"])
    assert notes == ["The notebook says its format is 5.99, which the grader does not know; "
                     "it was read as format 4."]


@pytest.mark.parametrize("source, problem", [
    ("X = 1\x00", "cannot be read as Python code"),
    ("X = " + "-" * 300000 + "1", "nested too deeply"),
    ("X = '\ud800'", "cannot be read as Python code"),
    (42, "no text as its source"),
    (["def f(:\n"], "syntax error on line 1"),
])
def test_a_cell_python_cannot_parse_is_one_problem_not_a_crash(source, problem):
    extraction = extract_definitions({"cells": [_code(source), _code("def g():\n    return 2")]})
    assert [u.names for u in extraction.units] == [["g"]]
    assert problem in extraction.problems[0][1]


def test_entries_that_are_not_cells_are_skipped_with_a_note(tmp_path):
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": [_code("def g():\n    return 2"), [1], "x"]}))
    notes = []
    assert len(read_notebook(path, notes)["cells"]) == 1
    assert notes == ["2 entries of the notebook's cell list are not cells; they were skipped."]


def test_locked_cells_are_restored_and_every_tampering_is_named():
    release = _plain(nbformat.read(str(released_notebook(ASSIGNMENT)), as_version=4))
    checks = [c for c in release["cells"] if c["metadata"].get("nbgrader", {}).get("locked")]
    student = json.loads(json.dumps(release))
    cells = [c for c in student["cells"] if c not in checks[:2]]          # two deleted
    edited = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id")
                  == checks[2]["metadata"]["nbgrader"]["grade_id"])
    edited["source"] = "def same_padding(k, dilation=1):\n    return 0\n"
    cells.insert(0, json.loads(json.dumps(checks[-1])))                 # a copy, moved up
    student["cells"] = cells
    notes = restore_locked_cells(student, release)
    assert "".join(edited["source"]) not in [c["source"] for c in student["cells"]]
    assert [n.split(" ")[1] for n in notes] == ["check", "check", "check", "check"]
    assert "were changed" in notes[0] and "were deleted" in notes[1]
    assert "appear more than once" in notes[2] and "original order" in notes[3]


def test_a_renamed_or_missing_notebook_is_named_in_a_note(tmp_path):
    release = released_notebook(ASSIGNMENT)
    folder = tmp_path / "student" / ASSIGNMENT
    renamed = _write(folder / "homework.ipynb", nbformat.read(str(release), as_version=4))
    _, notes = read_submission(renamed, release)
    assert notes == [f"Your notebook is called 'homework.ipynb' instead of '{release.name}'; "
                     "it was graded anyway."]
    extraction, notes = read_submission(folder / release.name, release)
    assert extraction.units == []
    assert notes == [f"No notebook was found: there is no {release.name} (the folder has: "
                     "homework.ipynb)."]
