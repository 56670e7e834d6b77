"""Take the student's definitions out of a notebook, without running anything.

Only top-level imports, ``def``, ``class``, and assignments to constants are
kept: graded code lives in functions and classes, so training runs, plots and
prints in the notebook are never executed at grading time (fast, and a long
experiment cannot time out the whole submission). A cell with a syntax error
is reported, and the definitions of every other cell are still used.

Reading is forgiving but never silent: a file that is not quite a notebook (text
that is not UTF-8, an unknown format version, cells that are not cells) is read as
far as it can be, and each repair becomes a plain-words note for the student.
"""

import ast
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

KEPT_STATEMENTS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                   ast.ClassDef)
_CONSTANT_NODES = (ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict, ast.Name,
                   ast.Attribute, ast.UnaryOp, ast.BinOp, ast.Load, ast.operator,
                   ast.unaryop, ast.keyword)


@dataclass
class CodeUnit:
    """One top-level statement to execute in the worker."""
    cell: int
    line: int
    source: str
    names: list = field(default_factory=list)

    def to_message(self):
        return {"cell": self.cell, "line": self.line, "source": self.source, "names": self.names}


@dataclass
class Extraction:
    units: list
    problems: list  # (cell index, message) for cells that could not be parsed


def _transform_ipython(source):
    """Turn %magics and !shell lines into plain Python so the cell parses."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # IPython gives up on some malformed cells; ast reports them
        return source


def _target_names(target):
    """The names a plain assignment target binds (``A`` or ``A, B``); None for anything
    else (attributes, subscripts, starred)."""
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [n for element in target.elts for n in (_target_names(element) or [None])]
    return [None]


def _is_constant_assignment(node):
    if isinstance(node, ast.AnnAssign):
        targets, value = [node.target], node.value
    elif isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    else:
        return False
    names = [name for t in targets for name in _target_names(t)]
    if value is None or names is None or None in names or not names:
        return False
    if all(name.isupper() for name in names):
        return True  # UPPER_CASE constants are kept whatever their value
    return all(isinstance(n, _CONSTANT_NODES) for n in ast.walk(value))


def _is_guarded_import(node):
    """try: import x / except ImportError: ... blocks are kept as a whole."""
    if not isinstance(node, ast.Try):
        return False
    body = node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]
    return all(isinstance(s, (ast.Import, ast.ImportFrom, ast.Pass, ast.Assign)) for s in body)


def _defined_names(node):
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [n for t in node.targets for n in _target_names(t) if n is not None]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in node.names]
    if isinstance(node, ast.Try):
        children = node.body + node.orelse + [s for h in node.handlers for s in h.body]
        return list(dict.fromkeys(n for child in children for n in _defined_names(child)))
    return []


def _statement_source(lines, node):
    decorators = getattr(node, "decorator_list", [])
    first = min([node.lineno] + [d.lineno for d in decorators])
    return "\n".join(lines[first - 1:node.end_lineno]), first


def extract_cell(cell_index, source):
    """Return the kept CodeUnits of one cell's source (raises SyntaxError)."""
    python = _transform_ipython(source)
    tree = ast.parse(python)
    lines = python.splitlines()
    units = []
    for node in tree.body:
        if isinstance(node, KEPT_STATEMENTS) or _is_constant_assignment(node) \
                or _is_guarded_import(node):
            text, line = _statement_source(lines, node)
            units.append(CodeUnit(cell_index, line, text, _defined_names(node)))
    return units


def cell_source(cell):
    """A cell's source as one string, or None when it is not text."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        source = "".join(source)
    return source if isinstance(source, str) else None


def _parse_problem(index, error):
    """Why cell ``index`` could not be parsed, in words."""
    if isinstance(error, SyntaxError) and error.lineno:
        return f"cell {index} has a syntax error on line {error.lineno}: {error.msg}"
    if isinstance(error, SyntaxError):
        return f"cell {index} cannot be read as Python code: {error.msg}"
    if isinstance(error, (MemoryError, RecursionError)):
        return f"cell {index} is nested too deeply for Python to read it"
    return f"cell {index} cannot be read as Python code ({type(error).__name__})"


def extract_definitions(notebook):
    """Extract CodeUnits from every code cell of an nbformat notebook, in order."""
    units, problems = [], []
    for index, cell in enumerate(notebook.get("cells", [])):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        if source is None:
            problems.append((index, f"cell {index} has no text as its source; it was skipped"))
            continue
        try:
            units.extend(extract_cell(index, source))
        # Python's parser gives up on absurd nesting with MemoryError/RecursionError and on
        # lone surrogates with UnicodeEncodeError: one such cell must not stop the grading.
        except (SyntaxError, ValueError, MemoryError, RecursionError) as error:
            problems.append((index, _parse_problem(index, error)))
    return Extraction(units, problems)


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
        import nbformat   # rare: nbformat 3 notebooks keep their cells in worksheets
        try:
            return nbformat.reads(text, as_version=4)
        except Exception as error:  # nbformat raises many kinds on a damaged old file
            raise ValueError(f"not a valid notebook file (format {version}: {error})") from None
    if version != 4:
        shown = f"{version}.{notebook.get('nbformat_minor', 0)}" if version else "no version"
        notes.append(f"The notebook says its format is {shown}, which the grader does not know;"
                     " it was read as format 4.")
    return _usable_cells(notebook, notes)


def _grade_id(cell):
    meta = cell.get("metadata")
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _locked_sources(released):
    """grade_id -> source of the release's locked code cells (the check cells), in order."""
    return {_grade_id(cell): cell_source(cell) for cell in released.get("cells", [])
            if cell.get("cell_type") == "code" and _grade_id(cell)
            and cell["metadata"]["nbgrader"].get("locked")}


# What the release strips from check cells (nbgrader's ClearHiddenTests): a solution-based
# notebook still has it, and that is not an edit.
_HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*$",
                           re.S | re.M)


def _comparable(source):
    return _HIDDEN_TESTS.sub("", source or "").rstrip()


def _listed(ids):
    return ", ".join(ids) if len(ids) < 4 else f"{', '.join(ids[:3])} and {len(ids) - 3} more"


def restore_locked_cells(notebook, released):
    """Put the released source back into the check (locked) cells, as nbgrader's own
    autograder does, and return plain-words notes on check cells that were changed,
    deleted, duplicated or moved. Which cells are locked is read from the release: the
    student's own metadata is not trusted. Cells without any metadata cannot be matched
    and are kept as they are."""
    locked = _locked_sources(released)
    seen, changed, duplicated, kept = [], [], [], []
    for cell in notebook["cells"]:
        grade_id = _grade_id(cell)
        if grade_id not in locked:
            kept.append(cell)
        elif grade_id in seen:
            duplicated.append(grade_id)
        else:
            seen.append(grade_id)
            if _comparable(cell_source(cell)) != _comparable(locked[grade_id]):
                changed.append(grade_id)
            kept.append(dict(cell, cell_type="code", source=locked[grade_id]))
    notebook["cells"] = kept
    return _integrity_notes(notebook, locked, seen, changed, duplicated)


def _integrity_notes(notebook, locked, seen, changed, duplicated):
    notes = []
    missing = [grade_id for grade_id in locked if grade_id not in seen]
    if changed:
        notes.append(f"The check cells {_listed(changed)} were changed; they are locked, so "
                     "the grader used the original versions.")
    if missing and not any(_grade_id(cell) for cell in notebook["cells"]) and not seen:
        notes.append("The notebook's grading metadata was removed (saved by another editor?);"
                     " this does not change how your code is graded.")
    elif missing:
        notes.append(f"The check cells {_listed(missing)} were deleted; your code was graded "
                     "anyway (the grader's own checks do not need them).")
    if duplicated:
        notes.append(f"The check cells {_listed(sorted(set(duplicated)))} appear more than "
                     "once; the copies were ignored.")
    if seen != [grade_id for grade_id in locked if grade_id in seen]:
        notes.append("The check cells are not in their original order; this does not change "
                     "how your code is graded.")
    return notes


def _other_files(folder):
    try:
        names = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return ""
    return f" (the folder has: {_listed(names)})" if names else " (the folder is empty)"


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
