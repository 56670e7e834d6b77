"""Diagram questions: deterministic SVGs rendered from the trusted parameters, one source of truth."""

import re
import xml.etree.ElementTree as ET

import nbformat
import pytest

from grader.authoring import diagrams
from grader.cli import main
from grader.course.layout import NOTEBOOKS_DIR, solution_notebooks

ASSIGNMENT = "03_padding_stride_pooling"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def params():
    return diagrams.load_diagrams(ASSIGNMENT)


def _read(path):
    return nbformat.read(str(path), as_version=4)


def _rendered(params):
    return {letter: diagrams.render_svg(letter, p) for letter, p in params.items()}


def _diagram_cells(notebook):
    return [cell for cell in notebook.cells
            if cell.cell_type == "markdown" and 'alt="Diagram ' in cell.source]


def test_rendering_is_deterministic_and_valid_svg(params):
    for letter, p in params.items():
        text = diagrams.render_svg(letter, p)
        assert text == diagrams.render_svg(letter, dict(p))
        root = ET.fromstring(text)
        assert root.tag == f"{SVG}svg"


def test_picture_shows_the_layer_without_giving_numbers_away(params):
    for letter, p in params.items():
        root = ET.fromstring(diagrams.render_svg(letter, p))
        cells = {css: len(root.findall(f".//{SVG}rect[@class='{css}']")) for css in ("in", "pad")}
        assert cells["in"] == p["n"] + 1                       # + the legend swatch
        assert cells["pad"] == 2 * p["padding"] + 1
        windows = diagrams._windows(p)
        shown = windows[:p.get("shown_outputs", len(windows))]
        hatch = set(root.find(f".//{SVG}pattern").iter(f"{SVG}line"))
        tap_lines = [line for line in root.iter(f"{SVG}line") if line not in hatch]
        assert len(tap_lines) == len(shown) * p["kernel_size"]
        texts = " ".join(t.text for t in root.iter(f"{SVG}text"))
        assert not re.search(r"\d", texts), texts               # no numeric labels at all
        assert "stride" not in text_of(root) and "dilation" not in text_of(root)


def text_of(root):
    return ET.tostring(root, encoding="unicode").lower()


def test_every_diagram_has_a_window_pattern_its_answer_predicts(params):
    from grader.checking import load_reference
    answers = load_reference(str(diagrams.CHECKS_ROOT / ASSIGNMENT / "x.py"),
                             "diagram_params").answers()
    for letter, p in params.items():
        windows = diagrams._windows(p)
        assert len(windows[0]) == answers[letter]["kernel_size"]
        if len(windows) > 1:
            assert windows[1][0] - windows[0][0] == answers[letter]["stride"]
        if p["kernel_size"] > 1:
            assert windows[0][1] - windows[0][0] == answers[letter]["dilation"]
        if "output_size" in answers[letter]:
            assert len(windows) == answers[letter]["output_size"] > p["shown_outputs"]


def test_solution_notebook_images_decode_to_the_svgs_of_the_parameters(params):
    for path in solution_notebooks(ASSIGNMENT):
        notebook = _read(path)
        assert diagrams.shown_svgs(notebook) == _rendered(params), \
            "run `python -m grader diagrams " + ASSIGNMENT + "`"
        assert all("attachments" not in cell for cell in _diagram_cells(notebook))
        assert "attachment:diagram_" not in path.read_text()


def test_released_notebook_carries_the_diagrams(params):
    released = NOTEBOOKS_DIR / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = _read(released)
    assert diagrams.shown_svgs(notebook) == _rendered(params)
    for letter in params:                     # one <img> line per diagram, in the asking cell
        lines = [line for cell in _diagram_cells(notebook) for line in cell.source.splitlines()
                 if f'alt="Diagram {letter}"' in line]
        assert lines == [diagrams.image_tag(letter, diagrams.render_svg(letter, params[letter]))]
    assert all("attachments" not in cell for cell in notebook.cells)


def test_embed_migrates_attachment_references_and_drops_the_attachments(params):
    notebook = nbformat.v4.new_notebook()
    old = "\n\n".join(f"![Diagram {letter}](attachment:diagram_{letter}.svg)" for letter in params)
    cell = nbformat.v4.new_markdown_cell("Intro\n\n" + old + "\n\nOutro")
    cell["attachments"] = {f"diagram_{letter}.svg": {diagrams.MIME: "eA=="} for letter in params}
    cell["attachments"]["other.png"] = {"image/png": "eA=="}
    notebook.cells = [cell]
    assert diagrams.embed(notebook, ASSIGNMENT) == list(params)
    assert diagrams.shown_svgs(notebook) == _rendered(params)
    assert cell.source.startswith("Intro\n\n<img alt=") and cell.source.endswith("\n\nOutro")
    assert "attachment:" not in cell.source and list(cell.attachments) == ["other.png"]
    before = nbformat.writes(notebook)
    diagrams.embed(notebook, ASSIGNMENT)                # idempotent on the new form
    assert nbformat.writes(notebook) == before


def test_embed_rejects_unknown_and_missing_diagrams():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("![x](attachment:diagram_Z.svg)")]
    with pytest.raises(ValueError, match="unknown"):
        diagrams.embed(notebook, ASSIGNMENT)
    notebook.cells = [nbformat.v4.new_markdown_cell(diagrams.image_tag("Z", "<svg/>"))]
    with pytest.raises(ValueError, match="unknown"):
        diagrams.embed(notebook, ASSIGNMENT)
    notebook.cells = [nbformat.v4.new_markdown_cell(diagrams.image_tag("A", "<svg/>"))]
    with pytest.raises(ValueError, match="missing"):
        diagrams.embed(notebook, ASSIGNMENT)


def test_cli_check_detects_a_stale_picture(tmp_path, monkeypatch, capsys, params):
    source = next(iter(solution_notebooks(ASSIGNMENT)))
    copy = tmp_path / source.name
    notebook = _read(source)
    cell = _diagram_cells(notebook)[0]
    letter = next(iter(params))
    current = diagrams.image_tag(letter, diagrams.render_svg(letter, params[letter]))
    cell.source = cell.source.replace(current, diagrams.image_tag(letter, "<svg>old</svg>"))
    nbformat.write(notebook, str(copy))
    monkeypatch.setattr(diagrams, "solution_notebooks", lambda assignment: [copy])
    assert main(["diagrams", ASSIGNMENT, "--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert diagrams.shown_svgs(_read(copy))[letter] == "<svg>old</svg>"   # --check writes nothing
    assert main(["diagrams", ASSIGNMENT]) == 0
    assert diagrams.shown_svgs(_read(copy)) == _rendered(params)
    assert main(["diagrams", ASSIGNMENT, "--check"]) == 0


def test_cli_check_reports_up_to_date(capsys):
    assert main(["diagrams", ASSIGNMENT, "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["diagrams", "01_conv1d", "--check"]) == 2
