"""Diagram questions: pictures of a layer whose parameters the student reads off.

Trusted code. The parameters (the answers) live in
``grader/checks/<assignment>/diagram_params.py`` (``DIAGRAMS``); this module
renders each one as a deterministic SVG, written by hand (no plotting library,
so the bytes never change with a library version), and writes it into the
Markdown cell of the *solution* notebook that asks about it, as an HTML image
with a data URL (one line per diagram)::

    <img alt="Diagram A" src="data:image/svg+xml;base64,...">

not as a Markdown attachment: JupyterLab does not render SVG attachments
(jupyterlab/jupyterlab#10464), but it does render data-URL images (its
sanitizer does not scheme-check ``src``). The release copies Markdown as is,
so students see the pictures but never the parameters. Regenerate after
editing the parameters with ``python -m grader diagrams <assignment>``
(``--check`` only reports). The ``alt="Diagram X"`` image is the marker the
regeneration looks for; an old ``![...](attachment:diagram_X.svg)`` reference
is migrated to it and the cell's diagram attachments are dropped.

A picture: the padded input row at the bottom (zero-padding cells hatched and
dashed), the output cells at the top, and from each output one line to every
input cell its kernel reads. No numbers that would give an answer away.
"""

import base64
import re

import nbformat

from grader.checking import load_reference
from grader.course.layout import CHECKS_ROOT, solution_notebooks

CELL, GAP, MARGIN = 30, 4, 20
Y_OUT, Y_IN = 44, 170          # top of the output row / of the input row
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
MIME = "image/svg+xml"
IMAGE = re.compile(r'<img alt="Diagram (?P<img>[A-Za-z0-9]+)" src="data:image/svg\+xml;base64,'
                   r'(?P<data>[A-Za-z0-9+/=]*)"\s*/?>'
                   r"|!\[[^\]\n]*\]\(attachment:diagram_(?P<old>[A-Za-z0-9]+)\.svg\)")


def load_diagrams(assignment):
    """{letter: params} from the assignment's trusted diagram_params.py."""
    path = CHECKS_ROOT / assignment / "diagram_params.py"
    if not path.is_file():
        raise ValueError(f"{assignment} has no diagram questions ({path} is missing)")
    return load_reference(str(path), "diagram_params").DIAGRAMS


def _windows(params):
    """Tap positions (in padded coordinates) of every output of the layer."""
    n, k = params["n"], params["kernel_size"]
    s, p, d = params["stride"], params["padding"], params["dilation"]
    padded = n + 2 * p
    windows, start = [], 0
    while start + d * (k - 1) <= padded - 1:
        windows.append([start + j * d for j in range(k)])
        start += s
    if not windows:
        raise ValueError(f"the kernel does not fit: {params}")
    return windows


def _x(index):
    return MARGIN + index * (CELL + GAP)


def _rect(x, y, css, extra=""):
    return f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" class="{css}"{extra}/>'


def _swatch(x, y, attributes):
    return f'<rect x="{x}" y="{y}" width="14" height="14" {attributes}/>'


def _centre(window):
    """x of an output cell: centred over its window (snapped to whole pixels)."""
    middle = (_x(window[0]) + _x(window[-1])) // 2
    return middle


def render_svg(letter, params):
    """The SVG text of one diagram (deterministic: the same params give the same bytes)."""
    windows = _windows(params)
    shown = windows[:params.get("shown_outputs", len(windows))]
    padded = params["n"] + 2 * params["padding"]
    width = _x(padded) + MARGIN
    height = Y_IN + CELL + 46
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
             "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
             "patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
             "stroke=\"#bbbbbb\" stroke-width=\"2\"/></pattern>",
             "<style>.in{fill:#ffffff;stroke:#333333;stroke-width:1.5}"
             ".pad{fill:url(#hatch);stroke:#888888;stroke-width:1.5;stroke-dasharray:4 3}"
             ".out{stroke:#333333;stroke-width:1.5;fill-opacity:0.35}</style></defs>",
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{MARGIN}" y="20" font-weight="bold">Diagram {letter}</text>']
    for i, window in enumerate(shown):
        colour = COLOURS[i % len(COLOURS)]
        x_out = _centre(window)
        for tap in window:
            parts.append(f'<line x1="{x_out + CELL // 2}" y1="{Y_OUT + CELL}" '
                         f'x2="{_x(tap) + CELL // 2}" y2="{Y_IN}" stroke="{colour}" '
                         'stroke-width="2"/>')
        parts.append(_rect(x_out, Y_OUT, "out", f' fill="{colour}"'))
    if len(shown) < len(windows):
        x_more = _centre(shown[-1]) + CELL + 2 * GAP
        parts.append(f'<text x="{x_more}" y="{Y_OUT + CELL // 2 + 5}" font-size="22">'
                     "\u22ef more outputs (not drawn)</text>")
    p = params["padding"]
    for index in range(padded):
        css = "pad" if index < p or index >= padded - p else "in"
        parts.append(_rect(_x(index), Y_IN, css))
    legend_y = Y_IN + CELL + 30
    parts += [_swatch(MARGIN, legend_y - 14, 'class="in"'),
              f'<text x="{MARGIN + 20}" y="{legend_y - 2}">input</text>',
              _swatch(MARGIN + 80, legend_y - 14, 'class="pad"'),
              f'<text x="{MARGIN + 100}" y="{legend_y - 2}">zero padding</text>',
              _swatch(MARGIN + 210, legend_y - 14, f'class="out" fill="{COLOURS[0]}"'),
              f'<text x="{MARGIN + 230}" y="{legend_y - 2}">output</text>', "</svg>"]
    return "\n".join(parts) + "\n"


def image_tag(letter, svg):
    """The Markdown line that shows one diagram: an HTML image with a data URL."""
    data = base64.b64encode(svg.encode()).decode("ascii")
    return f'<img alt="Diagram {letter}" src="data:{MIME};base64,{data}">'


def images(assignment):
    """{letter: image tag} for every diagram of the assignment."""
    return {letter: image_tag(letter, render_svg(letter, params))
            for letter, params in load_diagrams(assignment).items()}


def shown_svgs(notebook):
    """{letter: decoded SVG text} of the diagram images in a notebook's Markdown."""
    found = {}
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for match in IMAGE.finditer(cell.source):
                if match.group("img"):
                    found[match.group("img")] = base64.b64decode(match.group("data")).decode()
    return found


def _drop_diagram_attachments(cell):
    kept = {name: bundle for name, bundle in cell.get("attachments", {}).items()
            if not name.startswith("diagram_")}
    if kept:
        cell["attachments"] = kept
    elif "attachments" in cell:
        del cell["attachments"]


def embed(notebook, assignment):
    """Write the rendered diagrams into the Markdown cells that show them (in place).

    Returns the letters shown. Every diagram must be shown exactly once and
    every diagram marker must name a known diagram.
    """
    wanted = images(assignment)
    used = []

    def replace(match):
        letter = match.group("img") or match.group("old")
        used.append(letter)
        return wanted.get(letter, match.group(0))

    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = IMAGE.sub(replace, cell.source)
            _drop_diagram_attachments(cell)
    unknown = sorted(set(used) - set(wanted))
    if unknown:
        raise ValueError(f"{assignment}: the notebook shows unknown diagrams {unknown}")
    missing = sorted(set(wanted) - set(used))
    if missing or len(used) != len(set(used)):
        raise ValueError(f"{assignment}: each diagram must be shown once; missing {missing}")
    return used


def regenerate(assignment, check_only=False):
    """Re-embed the diagrams in the solution notebooks; returns the stale notebook paths."""
    stale = []
    for path in solution_notebooks(assignment):
        notebook = nbformat.read(str(path), as_version=4)
        before = nbformat.writes(notebook)
        embed(notebook, assignment)
        if nbformat.writes(notebook) != before:
            stale.append(path)
            if not check_only:
                nbformat.write(notebook, str(path))
    return stale
