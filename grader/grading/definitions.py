"""Take the student's definitions out of a notebook, without running anything.

Only top-level imports, ``def``, ``class``, and assignments to constants are
kept: graded code lives in functions and classes, so training runs, plots and
prints in the notebook are never executed at grading time (fast, and a long
experiment cannot time out the whole submission). A cell with a syntax error
is reported, and the definitions of every other cell are still used.
"""

import ast
from dataclasses import dataclass, field

from grader.grading.notebook_file import cell_source

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
