"""Right and wrong implementations of a notebook's graded functions, written once.

Each assignment's ``grader/checks/<A>/implementations.py`` defines

    IMPLEMENTATIONS = [Implementation(...), ...]   # right ones and wrong ones
    DEMO = ("student", ...)                        # the few that `python -m grader demo` grades

An implementation is the solution notebook with some solution cells' source replaced
(``cells``: solution cell grade_id -> new source), handed in as one sample student's
submission. A *right* one (``loses`` empty) must keep full marks on every part; a *wrong* one
must lose points on exactly the parts in ``loses``, each part's feedback containing the
phrase given there (a correct caller of a broken function is re-checked with a trusted copy,
so it is not charged); ``notes`` names passes that must say why some cases were not checked. The demo grades them as a class, and ``tests/grader/
test_implementations.py`` grades every one and asserts the above.
"""

import ast
import functools
import importlib.util
import io
import json
from dataclasses import dataclass, field

from grader.course.layout import CHECKS_ROOT, solution_notebooks


@dataclass(frozen=True)
class Implementation:
    student: str            # the sample student's name (a folder name)
    description: str        # one line, shown by the demo
    cells: dict             # solution cell grade_id -> the source that replaces it
    # grade part (test_<part>) -> a phrase its feedback must contain; empty: full marks
    loses: dict = field(default_factory=dict)
    # Parts allowed to lose points too (rare: a caller whose check cannot substitute the
    # broken callee). Listed explicitly so the tests stay strict.
    cascades: tuple = ()
    # Files handed in beside the notebook instead of the reference's checkpoints:
    # file name -> None (not handed in) or a function of the reference file's path giving
    # the bytes. A part graded on a file that is not handed in may only lose points for
    # that reason (its feedback says the file was not submitted).
    files: dict = field(default_factory=dict)
    # grade part -> a phrase the note of one of its PASSED tests must contain (a case that
    # could not be checked because another part's function failed on it, say so)
    notes: dict = field(default_factory=dict)
    # grade part -> the tests (names = the first words of their docstrings) that alone may
    # fail in it: one limitation is charged by the test about it, not by the others
    only: dict = field(default_factory=dict)

    @property
    def right(self):
        return not self.loses


@functools.lru_cache(maxsize=None)
def _module(assignment):
    """The assignment's implementations.py, loaded once per process (None if it has none)."""
    path = CHECKS_ROOT / assignment / "implementations.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"implementations_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def implementations(assignment):
    """The assignment's implementations (an empty list when it declares none)."""
    found = list(getattr(_module(assignment), "IMPLEMENTATIONS", []))
    students = [i.student for i in found]
    duplicated = sorted({s for s in students if students.count(s) > 1})
    if duplicated or {"reference", "blank"} & set(students):
        raise ValueError(f"{assignment}: sample students must be unique and not 'reference' "
                         f"or 'blank': {duplicated or students}")
    return found


def demo_selection(assignment):
    """Students of the implementations the demo grades (besides reference and blank)."""
    return tuple(getattr(_module(assignment), "DEMO", ()))


def untrained_weights(reference):
    """A checkpoint ``files`` entry: the reference checkpoint with its weights replaced by
    small random ones, what saving before training gives (same names and shapes, so it
    loads)."""
    import torch   # only the samples of notebooks graded on checkpoints need it
    payload = torch.load(reference, weights_only=True)
    generator = torch.Generator().manual_seed(0)
    payload["state_dict"] = {
        name: (torch.randn(tensor.shape, generator=generator) * 0.05).to(tensor.dtype)
        if tensor.is_floating_point() else tensor
        for name, tensor in payload["state_dict"].items()}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return buffer.getvalue()


def implementation(assignment, student):
    """The implementation handed in by the sample ``student`` (KeyError if none)."""
    for found in implementations(assignment):
        if found.student == student:
            return found
    raise KeyError(f"{assignment} has no implementation for the sample student {student!r}")


def reference_source(assignment, name):
    """The source of the top-level definition ``name`` in the assignment's reference.py
    (the solution notebook holds the same code): a sample derived from it follows the
    reference when the reference changes."""
    path = CHECKS_ROOT / assignment / "reference.py"
    text = path.read_text()
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == name:
            return ast.get_source_segment(text, node) + "\n"
    raise LookupError(f"{assignment}'s reference.py defines no {name}")


def _edited(source, edits, where):
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"sample out of date: {where} no longer contains {old!r} "
                             "exactly once")
        source = source.replace(old, new)
    return source


def edited_reference(assignment, name, *edits):
    """The reference's ``name`` with each (old, new) text edit applied exactly once; an edit
    that no longer applies fails loudly instead of grading the reference under a wrong
    name."""
    return _edited(reference_source(assignment, name), edits,
                   f"{assignment}: {name} in reference.py")


def solution_source(assignment, grade_id):
    """The source of the solution notebook's cell ``grade_id``, solution markers left out:
    what a student who solved that exercise hands in (for notebooks whose reference.py is
    not written like the solution, e.g. with helpers the notebook does not define)."""
    notebook = json.loads(solution_notebooks(assignment)[0].read_text())
    for cell in notebook["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            lines = "".join(cell["source"]).splitlines()
            return "\n".join(line for line in lines if line.strip() not in
                             ("### BEGIN SOLUTION", "### END SOLUTION")) + "\n"
    raise LookupError(f"{assignment}'s solution notebook has no cell {grade_id}")


def edited_solution(assignment, grade_id, *edits):
    """The solution cell ``grade_id`` with each (old, new) text edit applied exactly once
    (fails loudly when an edit no longer applies, as ``edited_reference``)."""
    return _edited(solution_source(assignment, grade_id), edits,
                   f"{assignment}: the solution cell {grade_id}")
