"""Take the student's definitions out of a notebook, without running anything.

Only top-level imports, ``def``, ``class``, and assignments to constants are
kept: graded code lives in functions and classes, so training runs, plots and
prints in the notebook are never executed at grading time (fast, and a long
experiment cannot time out the whole submission). A cell with a syntax error
is reported, and the definitions of every other cell are still used.
"""

import ast
import json
from dataclasses import dataclass, field

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


def _is_constant_assignment(node):
    if isinstance(node, ast.AnnAssign):
        targets, value = [node.target], node.value
    elif isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    else:
        return False
    if value is None or not all(isinstance(t, ast.Name) for t in targets):
        return False
    if all(t.id.isupper() for t in targets):
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
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
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


def extract_definitions(notebook):
    """Extract CodeUnits from every code cell of an nbformat notebook, in order."""
    units, problems = [], []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        try:
            units.extend(extract_cell(index, source))
        except SyntaxError as error:
            problems.append((index, f"cell {index} has a syntax error on line "
                                    f"{error.lineno}: {error.msg}"))
    return Extraction(units, problems)


def read_notebook(path):
    """The notebook at ``path`` as a dict with a ``cells`` list.

    Plain JSON for nbformat 4 (what Jupyter writes today): importing nbformat costs the
    grader ~1.4 s per notebook (its schema validator loads jsonschema's format checkers).
    Older formats are converted by nbformat. Raises ValueError when unreadable.
    """
    with open(path, "rb") as handle:
        raw = handle.read()
    try:
        notebook = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"not a valid notebook file ({error})") from None
    if not isinstance(notebook, dict):
        raise ValueError("not a valid notebook file (the JSON is not an object)")
    if notebook.get("nbformat") != 4:
        import nbformat   # rare: nbformat 3 notebooks keep their cells in worksheets
        return nbformat.reads(raw.decode("utf-8"), as_version=4)
    cells = notebook.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
        raise ValueError("not a valid notebook file (no list of cells)")
    return notebook
