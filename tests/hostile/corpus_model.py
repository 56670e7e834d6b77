"""What a corpus case is, and how its submission is made.

A case is one student's submission folder: how to build it from the released notebooks
(a transformation of the solution, the blank release or a sample mistake, raw bytes for
broken files, or several files) and what grading it must give:

- ``base``: what the submission would score without its hostile bit: ``"reference"``
  (full marks), ``"blank"`` (zero) or the name of a sample mistake (graded in the same
  batch, so "without the cheat" is measured, not assumed);
- ``parts``: grade_id -> ``FULL``, ``ZERO``, ``AT_MOST_BASE`` or a number of points, for the
  parts the hostile bit touches; every other part must score ``others`` (``SAME_AS_BASE``
  by default: a failure costs only the parts it touches);
- ``phrases``: plain words the feedback page and the result's notes and messages must
  contain (what happened, as the student reads it); a tuple of phrases: any one of them;
- ``for_the_ta``: the submission cannot be graded at all and the TA must be told (in the
  result's ``internal_errors``); otherwise ``internal_errors`` must stay empty;
- ``host_checks``: functions ``(host) -> problem or None`` run after the batch, for
  effects outside the score (files written on the host, processes left running, ...).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grader.authoring.implementations import implementation
from grader.authoring.samples import replace_cells
from grader.course.layout import NOTEBOOKS_DIR, SOLUTIONS_DIR

FULL, ZERO, AT_MOST_BASE, SAME_AS_BASE = "full", "zero", "at most base", "same as base"


@dataclass
class Host:
    """What a hostile submission may know about the machine that grades it (the strongest
    attacker knows every path), and where the test looks for its effects."""
    repo: Path
    submissions: Path
    output: Path
    token: str                  # unique per run: marker files and processes carry it
    data: Path = Path("/nonexistent")   # the datasets the grader evaluates on
    port: int = 0               # a TCP server on 127.0.0.1 that counts connections
    connections: list = field(default_factory=list)

    @property
    def gradebook(self):
        return self.output / "nbgrader" / "gradebook.db"

    @property
    def sleep_arg(self):
        """The argument of ``sleep`` in processes a hostile submission leaves behind."""
        return f"{4000 + int(self.token[:3], 16) % 1000}.{int(self.token[3:9], 16)}"

    def marker(self, what):
        """A host path a hostile submission tries to create (it must never exist)."""
        return Path("/tmp") / f"hostile-corpus-{self.token}-{what}"


@dataclass
class Case:
    name: str
    assignment: str
    description: str
    build: object                      # (host) -> {file name: bytes} for the assignment folder
    base: str = "reference"
    parts: dict = field(default_factory=dict)
    others: str = SAME_AS_BASE
    phrases: tuple = ()
    host_checks: tuple = ()
    for_the_ta: bool = False
    # (function, args): the cheat's function called on the host, where nothing is hidden,
    # must return the reference's value - the proof that the cheat would gain points.
    potency: tuple = ()

    @property
    def student(self):
        return self.name


def released(assignment):
    return nbformat.read(str(NOTEBOOKS_DIR / assignment / f"{assignment}.ipynb"), as_version=4)


def solution(assignment):
    return nbformat.read(str(SOLUTIONS_DIR / assignment / f"{assignment}.ipynb"), as_version=4)


def mistake(assignment, student):
    """The solution notebook with a sample implementation's cells put in."""
    return replace_cells(solution(assignment), implementation(assignment, student).cells)


def base_notebook(assignment, base):
    if base == "reference":
        return solution(assignment)
    if base == "blank":
        return released(assignment)
    return mistake(assignment, base)



def grade_cell_ids(notebook):
    return [c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def notebook_bytes(notebook):
    return nbformat.writes(notebook).encode("utf-8")


def as_submission(assignment, notebook, name=None):
    return {name or f"{assignment}.ipynb": notebook_bytes(notebook)}


def hostile(assignment, base="reference", replace=None, append=(), inject=None):
    """A build function: the base notebook, some cells replaced, code cells appended.
    ``inject(host) -> source`` is prepended to every new source (paths, ports, tokens)."""
    def build(host):
        prefix = inject(host) if inject else ""
        notebook = base_notebook(assignment, base)
        replace_cells(notebook, {g: prefix + s for g, s in (replace or {}).items()})
        notebook.cells += [nbformat.v4.new_code_cell(prefix + source) for source in append]
        return as_submission(assignment, notebook)
    return build


def host_constants(host):
    """Source defining what the attacker knows (lower-case constants are extracted too)."""
    values = {"_repo": str(host.repo), "_submissions": str(host.submissions),
              "_gradebook": str(host.gradebook), "_token": host.token, "_port": host.port,
              "_marker_prefix": str(host.marker("")), "_data": str(host.data),
              "_sleep_arg": host.sleep_arg}
    return "".join(f"{name} = {json.dumps(value)}\n" for name, value in values.items())


def file_absent(what):
    def check(host):
        path = host.marker(what)
        return f"{path} was created on the host" if path.exists() else None
    check.__name__ = f"no_{what}_on_host"
    return check



def _wrap(source, name, params, call, guard):
    body = "\n".join("    " + line for line in guard.strip("\n").splitlines())
    return (source.replace(f"def {name}(", f"def _honest_{name}(", 1)
            + f"\n\ndef {name}({params}):\n{body}\n    return _honest_{name}({call})\n")


def wrapped(assignment, *guards, base="reference", append=()):
    """A build function. Each guard ``(name, params, call, code)``: the base notebook's
    ``name`` is renamed ``_honest_<name>`` and a new ``name(params)`` runs the hostile
    ``code`` (which may return) before answering honestly with ``_honest_<name>(call)``.
    The host's constants (``_token``, ``_sleep_arg``, ...) are put in front of the cell;
    ``append``: more code cells at the end."""
    def build(host):
        notebook = base_notebook(assignment, base)
        by_name = {guard[0]: guard for guard in guards}
        for cell in notebook.cells:
            guard = by_name.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"))
            if guard:
                cell.source = host_constants(host) + _wrap(cell.source, *guard)
        notebook.cells += [nbformat.v4.new_code_cell(source) for source in append]
        return as_submission(assignment, notebook)
    return build


def no_process_left(host):
    """Processes started by a hostile submission carry ``sleep <host.sleep_arg>``."""
    left = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if host.sleep_arg.encode() in command:
            left.append(entry.name)
    return f"processes left running after the batch: {left}" if left else None


@dataclass
class Link:
    """A symbolic link in a submission folder (what an extracted archive can contain)."""
    target: Path


def write_submission(folder, files):
    """Lay out one assignment folder: bytes are files, a Link a symlink, None a directory."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        if content is None:
            path.mkdir()
        elif isinstance(content, Link):
            path.symlink_to(content.target)
        else:
            path.write_bytes(content)
