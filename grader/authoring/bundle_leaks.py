"""Scan every file of the student bundle for what must stay with the instructors.

The release's leak check (``grader.authoring.leaks``) compares one released notebook with
its source. A bundle also holds a wheel, zips and text files, so here every file is read,
archives (.whl, .zip) are opened and every member read in turn, and each is checked for

- a line of any notebook's solution regions, or of any hidden-check folder's files
  (tests, reference.py, misconceptions, implementations, data), that students never see
  in a released notebook: a whole line, or a long one anywhere inside the file;
- a function or class of any reference.py, compared by its syntax tree (so reformatting,
  renaming or new comments do not hide it);
- a reference checkpoint: the same bytes under any name, or any checkpoint file at all;
- a path of the instructors' side (grader/, gradeworker/, checks/, solutions/, reference.py);
- nbgrader's markers; and each notebook zip gets the release's own check as well.
"""

import ast
import hashlib
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import nbformat

from grader.authoring import leaks
from grader.authoring.built_checkpoints import ReferenceUnavailable, built_checkpoints
from grader.course.layout import (
    CHECKPOINT_SUFFIXES,
    CHECKS_ROOT,
    assignments,
    checks_dir,
    solution_notebooks,
)

ARCHIVES = (".zip", ".whl")
FORBIDDEN_PARTS = {"grader", "gradeworker", "checks", "solutions", "checkpoints"}
FORBIDDEN_NAMES = {"reference.py", "misconceptions.py", "implementations.py"}
COMPILED = (".pyc", ".pyo", ".so", ".pyd")
LIBRARY = "source_lib"
MIN_DEFINITION_NODES = 12   # smaller definitions (one-line helpers) are not distinctive


# Lines the course's library shares with a secret, each read and judged harmless: the
# library is written in the course's style, so a few lines coincide. A new coincidence
# fails the scan until someone reads it and adds it here with the reason.
SHARED_BY_THE_LIBRARY = {
    "self.conv1 = nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False)":
        "architectures.BasicBlock: torchvision's published ResNet block (04 counts it, 08's "
        "ResNet-18 is built from it); 07's checks fail a ResidualBlock that is or holds it",
    "self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1, bias=False)": "the same block",
    "self.bn1 = nn.BatchNorm2d(c_out)": "the same block",
    "self.bn2 = nn.BatchNorm2d(c_out)": "the same block",
    "self.features = nn.Sequential(": "a model's first line, in every notebook",
    'raise ValueError("the kernel does not fit")': "an error message students see",
    "def record(module, inputs, output):": "a forward hook's signature, as in torch's docs",
    "optimizer.zero_grad(set_to_none=True)": "one line of any training loop (fit)",
    "kernel = np.asarray(kernel, dtype=np.float64)": "an argument conversion (a widget's)",
    "except (TypeError, ValueError):": "an exception clause (data.cifar)",
}


@dataclass
class Secrets:
    lines: dict = field(default_factory=dict)         # line -> where it is secret
    definitions: dict = field(default_factory=dict)   # normalised tree -> reference name
    checkpoints: dict = field(default_factory=dict)   # sha256 -> reference checkpoint


def _normalised(node):
    """A definition's syntax tree without its name and docstring."""
    node = ast.parse(ast.unparse(node)).body[0]   # a copy
    node.name = "_"
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                              ast.Constant):
        node.body = body[1:] or [ast.Pass()]
    return ast.dump(node, annotate_fields=False)


def _definitions(tree):
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))]


def _given_definitions(notebook):
    """Normalised definitions of the code students are given (no solution in the cell)."""
    given = set()
    for cell in notebook.cells:
        if (cell.cell_type != "code" or "BEGIN SOLUTION" in cell.source
                or cell.get("metadata", {}).get("nbgrader", {}).get("solution")):
            continue
        try:
            given |= {_normalised(n) for n in _definitions(ast.parse(_python(cell.source)))}
        except SyntaxError:
            continue
    return given


def _python(source):
    """A cell's source without IPython magics and shell lines."""
    return "\n".join(l for l in source.splitlines() if not l.lstrip().startswith(("%", "!")))


def _notebooks():
    return [(a, path, nbformat.read(str(path), as_version=4))
            for a in assignments() for path in solution_notebooks(a)]


def course_secrets():
    """Everything of the course that students must not get, gathered once. A line or
    definition students see in some released notebook (even inside a longer line) is no
    secret: the bundle holds every notebook."""
    secrets, notebooks = Secrets(), _notebooks()
    split = {path: leaks.split_notebook_lines(nb) for _, path, nb in notebooks}
    public = "\n".join(line for _, shown in split.values() for line in shown)
    for _, path, _ in notebooks:
        secrets.lines.update({line: f"a solution line of {path.name}"
                              for line in split[path][0] if line not in public})
    for assignment in assignments():
        for line in leaks.secret_check_lines(assignment):
            if line not in public:
                secrets.lines.setdefault(line, f"a line of grader/checks/{assignment}")
    given = set().union(*(_given_definitions(nb) for _, _, nb in notebooks))
    for assignment in assignments():
        reference = checks_dir(assignment) / "reference.py"
        for node in _definitions(ast.parse(reference.read_text())):
            tree = _normalised(node)
            if len(list(ast.walk(node))) >= MIN_DEFINITION_NODES and tree not in given:
                secrets.definitions[tree] = f"{assignment} reference.py {node.name}"
    for path, where in _reference_checkpoints():
        secrets.checkpoints[hashlib.sha256(path.read_bytes()).hexdigest()] = where
    return secrets


def _reference_checkpoints():
    """(path, description) of the committed reference checkpoints and of the built ones
    that are cached here (any checkpoint file fails the scan anyway, whatever its bytes)."""
    for path in sorted(CHECKS_ROOT.glob("*/checkpoints/*")):
        if path.is_file():
            yield path, str(path.relative_to(CHECKS_ROOT))
    for assignment in assignments():
        try:
            built = built_checkpoints(assignment, build=False)
        except ReferenceUnavailable:
            continue
        for name, path in built.items():
            yield path, f"{assignment}'s built reference {name}"


def bundle_files(folder):
    """(name, bytes) of every file under ``folder``, archive members included (recursively)."""
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            yield from _with_members(str(path.relative_to(folder)), path.read_bytes())


def _with_members(name, data):
    yield name, data
    if name.lower().endswith(ARCHIVES):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if not member.is_dir():
                    yield from _with_members(f"{name}!{member.filename}", archive.read(member))


def _code_texts(name, text):
    """The Python sources in a file: a notebook's code cells, a .py file, else none."""
    if name.endswith(".ipynb"):
        try:
            cells = json.loads(text)["cells"]
        except (ValueError, KeyError, TypeError):
            return []
        return [_python("".join(c.get("source", ""))) for c in cells
                if c.get("cell_type") == "code"]
    return [text] if name.endswith(".py") else []


def _joined(value):
    return "".join(value) if isinstance(value, list) else value if isinstance(value, str) else ""


def _notebook_text(text):
    """A notebook's cell sources and output texts as plain lines (JSON escapes undone)."""
    try:
        cells = json.loads(text)["cells"]
    except (ValueError, KeyError, TypeError):
        return text
    parts = [_joined(c.get("source", "")) for c in cells]
    for output in (o for c in cells for o in c.get("outputs", [])):
        parts += [_joined(output.get("text")), "\n".join(output.get("traceback", []))]
        parts += [_joined(v) for v in output.get("data", {}).values()]
    return "\n".join(parts)


def _path_problems(name):
    parts = PurePosixPath(name.replace("!", "/")).parts
    problems = [f"{name}: a file of the instructors' side ({part}/)"
                for part in parts[:-1] if part in FORBIDDEN_PARTS]
    if parts[-1] in FORBIDDEN_NAMES:
        problems.append(f"{name}: a hidden-check file by its name")
    if parts[-1].lower().endswith(CHECKPOINT_SUFFIXES):
        problems.append(f"{name}: a checkpoint file (students get none)")
    if parts[-1].lower().endswith(COMPILED):
        problems.append(f"{name}: compiled code, which the scan cannot read")
    return problems[:1]


def _text_problems(name, text, secrets):
    """Secret lines in a file. In a notebook every secret line counts, as in the release
    check; elsewhere (the library, metadata) only long ones are distinctive."""
    notebook = name.endswith(".ipynb")
    library = not notebook and f"!{LIBRARY}/" in name
    shown = {line.strip() for line in text.splitlines()}
    problems = []
    for line, where in secrets.lines.items():
        if library and line in SHARED_BY_THE_LIBRARY:
            continue
        if notebook and line in shown or len(line) >= leaks.MIN_CHECK_LINE and line in text:
            problems.append(f"{name}: {where}: {line[:80]!r}")
    return problems + [f"{name}: marker {m!r}" for m in leaks.MARKERS if m in text]


def _definition_problems(name, text, secrets):
    problems = []
    for code in _code_texts(name, text):
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in _definitions(tree):
            where = secrets.definitions.get(_normalised(node))
            if where:
                problems.append(f"{name}: defines {node.name}, the same code as {where}")
    return problems


def file_problems(name, data, secrets):
    """What is wrong with one file (or archive member) of the bundle."""
    problems = _path_problems(name)
    digest = hashlib.sha256(data).hexdigest()
    if digest in secrets.checkpoints:
        problems.append(f"{name}: the reference checkpoint {secrets.checkpoints[digest]}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")   # binary: still searched for long secret lines
    if name.endswith(".ipynb"):
        text = _notebook_text(text)
    problems += _text_problems(name, text, secrets)
    return problems + _definition_problems(name, data.decode("utf-8", "replace"), secrets)


def _release_check(name, data):
    """The release's own leak check on a notebook zip (an assignment's folder)."""
    assignment = PurePosixPath(name).stem
    if assignment not in assignments():
        return [f"{name}: a zip that is no assignment's notebooks"]
    with tempfile.TemporaryDirectory(prefix="bundle-scan-") as folder:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            archive.extractall(folder)
        return [f"{name}: {p}" for p in leaks.find_leaks(assignment, Path(folder) / assignment)]


def scan_bundle(folder, secrets=None):
    """Human-readable problems of the bundle in ``folder``; an empty list means it is clean."""
    secrets = secrets or course_secrets()
    problems = []
    for name, data in bundle_files(folder):
        problems += file_problems(name, data, secrets)
        if name.endswith(".zip") and "!" not in name:
            problems += _release_check(name, data)
    return problems
