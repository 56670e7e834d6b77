import json

import nbformat
import pytest

from grader.grading.definitions import extract_definitions
from grader.grading.notebook_file import read_notebook


def notebook(*sources):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def names(extraction):
    return [n for unit in extraction.units for n in unit.names]


def test_keeps_definitions_imports_and_constants_only():
    result = extract_definitions(notebook(
        "%matplotlib inline\nimport numpy as np\nfrom math import pi as PI_",
        "SIZE = np.ones(3)\nscale = 2.5\nmodel = train_for_hours()\nprint('hi')\n",
        "@staticmethod\ndef f(x):\n    return x\nclass Net:\n    pass\nf(3)\n",
        "try:\n    import scipy\nexcept ImportError:\n    scipy = None\n",
    ))
    assert names(result) == ["np", "PI_", "SIZE", "scale", "f", "Net", "scipy"]
    decorated = [u for u in result.units if u.names == ["f"]][0]
    assert decorated.source.startswith("@staticmethod") and decorated.cell == 3
    assert decorated.line == 1


def test_keeps_constants_unpacked_from_a_tuple():
    result = extract_definitions(notebook(
        "MEAN, STD = 0.286, 0.353\nlow, (mid, high) = 1, (2, 3)\n"
        "a, b = train(), 2\nfirst, *rest = 1, 2, 3\nself.x, y = 1, 2\n"))
    assert names(result) == ["MEAN", "STD", "low", "mid", "high"]


def test_syntax_error_spoils_only_its_cell():
    result = extract_definitions(notebook("def good():\n    return 1", "def bad(:\n    pass"))
    assert names(result) == ["good"]
    assert len(result.problems) == 1 and "cell 2 has a syntax error" in result.problems[0][1]


def test_shell_and_magic_lines_do_not_break_parsing():
    result = extract_definitions(notebook("!pip install nothing\n%time x = 1\ndef g():\n    return 2"))
    assert names(result) == ["g"]


def test_lowercase_assignment_of_call_result_is_not_run():
    result = extract_definitions(notebook("history = fit(model)\nLR = 0.01\nalias = g\n"))
    assert names(result) == ["LR", "alias"]


def test_read_notebook_plain_json_old_formats_and_garbage(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def f():\n    return 1\n")]
    path = tmp_path / "v4.ipynb"
    nbformat.write(nb, str(path))
    assert extract_definitions(read_notebook(path)).units[0].names == ["f"]
    old = tmp_path / "v3.ipynb"
    nbformat.write(nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[
        nbformat.v3.new_code_cell(input="def g():\n    return 2\n")])]), str(old), version=3)
    assert extract_definitions(read_notebook(old)).units[0].names == ["g"]
    for text, problem in [("{ not json", "valid notebook"), ("[1, 2]", "not an object"),
                          (json.dumps({"nbformat": 4, "cells": "x"}), "no list of cells"),
                          (b"\xff\xfe\x00", "valid notebook")]:
        bad = tmp_path / "bad.ipynb"
        bad.write_bytes(text if isinstance(text, bytes) else text.encode())
        with pytest.raises(ValueError, match=problem):
            read_notebook(bad)
