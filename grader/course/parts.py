"""An assignment's grade parts as a student sees them: in the released notebook's order,
titled by the notebook's own headings ("Exercise 5 — `maxpool_backward_naive(dout, cache)`")
instead of check-file names.

A part is one grade cell; its title is the last heading of the nearest Markdown cell above
it that has headings, preferring one that names what the part grades (``GRADES`` of its
check file, the name its ``SelfCheck`` shows): one Markdown cell may introduce two
exercises. A heading that names none of them ("Saving the checkpoint") gets the name the
grade cell checks; one that several parts share is narrowed to each part's own functions.
Without a released notebook (a new assignment, test checks) the title falls back to
``GRADES``. The notebook is read once per assignment (cached): feedback pages are rendered
by the hundred.
"""

import ast
import functools
import re
from dataclasses import dataclass

import nbformat

from grader.course.layout import CHECKS_ROOT, released_notebook
from grader.course.points import grade_cells

HEADING = re.compile(r"^(#{1,6})\s+(.*\S)\s*$")
SELF_CHECK = re.compile(r"SelfCheck\(\s*[\"']([^\"']+)[\"']")
CODE_SPAN = re.compile(r"`[^`]+`")


@dataclass(frozen=True)
class Part:
    grade_id: str
    title: str          # Markdown-ish: code in backticks, rendered by the page
    section: str = ""   # the enclosing "## ..." heading, for orientation


def string_constants(path, names):
    """{name: tuple of str} for module-level ``NAME = "a"`` or ``NAME = ("a", "b")`` (and
    tuples of such tuples) in a check file, read with ``ast``: check files import torch and
    the references, far too slow to import for a title."""
    found = {}
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names:
            found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


def graded_names(assignment, grade_id, checks_root=CHECKS_ROOT):
    """The names a part grades: its check file's ``GRADES``, else its grade_id's stem."""
    path = checks_root / assignment / f"{grade_id}.py"
    value = string_constants(path, {"GRADES"}).get("GRADES") if path.is_file() else None
    if isinstance(value, str):
        value = (value,)
    return tuple(value) if value else (grade_id.removeprefix("test_"),)


def _headings(cell):
    return [(len(m.group(1)), m.group(2)) for m in map(HEADING.match, cell.source.splitlines())
            if m]


def _names_in(text, names):
    return any(re.search(rf"`{re.escape(name)}[`(]", text) for name in names)


def _title_above(cells, index, names):
    """(title, section) from the Markdown above cells[index]."""
    title = section = ""
    for cell in reversed(cells[:index]):
        headings = _headings(cell) if cell.cell_type == "markdown" else []
        if headings and not title:
            naming = [text for _, text in headings if _names_in(text, names)]
            title = naming[-1] if naming else headings[-1][1]
        sections = [text for level, text in headings if level == 2]
        if sections:
            return title, sections[-1]
    return title, section


def _named(title, names, label, shared):
    """A heading that does not name the part gets its label ("Saving the checkpoint —
    `cifarnet.pt`"); one that several parts share is narrowed to this part's code spans."""
    if not _names_in(title, names):
        return f"{title} \u2014 `{label}`"
    prefix, dash, rest = title.partition(" \u2014 ")
    spans = [s for s in CODE_SPAN.findall(rest) if _names_in(s, names)]
    if shared and dash and len(spans) < len(CODE_SPAN.findall(rest)):
        return f"{prefix} \u2014 {' and '.join(spans)}"
    return title


@functools.cache
def _released_cells(assignment):
    """The released notebook's cells (read once), or () without a release."""
    path = released_notebook(assignment)
    if path is None or not path.is_file():
        return ()
    return tuple(nbformat.read(str(path), as_version=4).cells)


@functools.cache
def notebook_parts(assignment):
    """The assignment's parts in the released notebook's order (empty without one)."""
    cells = list(_released_cells(assignment))
    found = []
    for cell, meta in grade_cells(nbformat.NotebookNode(cells=cells)):
        if cell.cell_type != "code":
            continue   # a manually graded answer: not ours to grade
        index = next(i for i, c in enumerate(cells) if c is cell)
        grade_id = meta.get("grade_id", "")
        checked = SELF_CHECK.findall(cell.source)   # the name the student sees checked
        names = graded_names(assignment, grade_id)
        label = (checked or [" / ".join(names)])[0]
        names += tuple(n.strip() for c in checked for n in c.split("/"))
        title, section = _title_above(cells, index, names)
        found.append([grade_id, title or _fallback_title(names), section, names, label])
    titles = [title for _, title, *_ in found]
    return tuple(Part(grade_id, _named(title, names, label, titles.count(title) > 1), section)
                 for grade_id, title, section, names, label in found)


def _fallback_title(names):
    return " and ".join(f"`{name}`" for name in names)


@functools.cache
def notebook_title(assignment):
    """The released notebook's "# ..." heading, or the assignment's folder name."""
    for cell in _released_cells(assignment):
        for level, text in _headings(cell) if cell.cell_type == "markdown" else ():
            if level == 1:
                return text
    return assignment


def ordered(assignment, grade_ids):
    """``grade_ids`` in the notebook's order; ids the notebook does not have come last, in
    name order (a result graded by checks newer than the release)."""
    position = {part.grade_id: i for i, part in enumerate(notebook_parts(assignment))}
    return sorted(grade_ids, key=lambda g: (position.get(g, len(position)), g))


def part(assignment, grade_id):
    """The Part for ``grade_id``: from the notebook, else titled by its GRADES."""
    for known in notebook_parts(assignment):
        if known.grade_id == grade_id:
            return known
    return Part(grade_id, _fallback_title(graded_names(assignment, grade_id)))
