"""Fail a release that would show students an answer or a hidden check.

A line *leaks* when it appears in the released notebook and is distinctive
for a secret: a line of a solution region (or of a Markdown solution cell)
that occurs nowhere else in the source notebook, or a substantial line of a
hidden check / reference file. Leftover nbgrader markers and outputs are
leaks too.
"""

from pathlib import Path

import nbformat

from grader.course.layout import checks_dir, solution_notebooks

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
           "grader/checks/")
TRIVIAL = {"pass", "else:", "try:", "return", "continue", "break", "return out",
           "return result", "return output", "raise NotImplementedError()",
           "# YOUR CODE HERE"}
MIN_CHECK_LINE = 30


def _lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def _split_solution_lines(source):
    """(lines inside solution regions, lines outside) of one cell source."""
    inside, outside, in_region = [], [], False
    for line in _lines(source):
        if "BEGIN SOLUTION" in line:
            in_region = True
        elif "END SOLUTION" in line:
            in_region = False
        else:
            (inside if in_region else outside).append(line)
    return inside, outside


def _is_solution_markdown(cell):
    return cell.cell_type == "markdown" and cell.get("metadata", {}).get("nbgrader", {}).get("solution")


def split_notebook_lines(notebook):
    """(secret solution lines, public lines) of a source notebook.

    Public lines are those outside solution regions: students see them anyway.
    A secret line that also appears publicly, or is trivial, is not a secret.
    """
    secret, public = set(), set()
    for cell in notebook.cells:
        if _is_solution_markdown(cell):
            secret.update(_lines(cell.source))
            continue
        inside, outside = _split_solution_lines(cell.source)
        secret.update(inside)
        public.update(outside)
    secret = {line for line in secret - public
              if line not in TRIVIAL and not line.startswith("#") and len(line) > 3}
    return secret, public


def secret_check_lines(assignment):
    lines = set()
    for path in checks_dir(assignment).glob("*.py"):
        for line in _lines(path.read_text()):
            if len(line) >= MIN_CHECK_LINE and not line.startswith(("#", "import ", "from ")):
                lines.add(line)
    return lines


def _released_lines(notebook):
    lines = set()
    for cell in notebook.cells:
        lines.update(_lines(cell.source))
    return lines


def find_leaks(assignment, released_dir):
    """Return human-readable problems; an empty list means the release is clean."""
    problems = []
    check_lines = secret_check_lines(assignment)
    for source_path in solution_notebooks(assignment):
        released_path = Path(released_dir) / source_path.name
        if not released_path.exists():
            problems.append(f"{source_path.name}: missing from the release")
            continue
        released = nbformat.read(str(released_path), as_version=4)
        shown = _released_lines(released)
        secret, public = split_notebook_lines(nbformat.read(str(source_path), as_version=4))
        for line in sorted(secret & shown):
            problems.append(f"{source_path.name}: solution line released: {line[:80]!r}")
        for line in sorted((check_lines - public) & shown):
            problems.append(f"{source_path.name}: hidden-check line released: {line[:80]!r}")
        text = "\n".join(shown)
        problems += [f"{source_path.name}: marker {m!r} left in the release"
                     for m in MARKERS if m in text]
        if any(c.get("outputs") for c in released.cells if c.cell_type == "code"):
            problems.append(f"{source_path.name}: released with outputs")
    return problems
