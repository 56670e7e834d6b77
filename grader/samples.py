"""Sample submissions: the reference, the blank release, and classic mistakes.

A mistake sample is the solution notebook with some solution cells' source
replaced by wrong versions (``grader.mistakes``: one module per assignment);
the test suite and ``python -m grader demo`` both use them. Where a notebook is graded
on trained checkpoints too, the reference's (``grader/checks/<A>/checkpoints/``, made by
the notebook's benchmark) are handed in beside every sample but the blank release, unless
the mistake says otherwise.
"""

import nbformat

from grader.harness import CHECKS_ROOT
from grader.mistakes import MISTAKES
from grader.nbgrader_setup import NOTEBOOKS_DIR, solution_notebooks


def _replace_solution_cells(notebook, replacements):
    remaining = dict(replacements)
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in remaining:
            cell.source = remaining.pop(grade_id)
    if remaining:
        raise KeyError(f"no solution cells with grade_id {sorted(remaining)}")


def write_samples(assignment, submissions_dir, only=None):
    """Write reference, blank and mistake submissions (``only``: these mistakes' students);
    returns {student: Mistake|None}."""
    source = solution_notebooks(assignment)[0]
    samples = {"reference": None, "blank": None}
    targets = {"reference": nbformat.read(str(source), as_version=4),
               "blank": nbformat.read(str(NOTEBOOKS_DIR / assignment / source.name), as_version=4)}
    for mistake in MISTAKES.get(assignment, []):
        if only is not None and mistake.student not in only:
            continue
        notebook = nbformat.read(str(source), as_version=4)
        _replace_solution_cells(notebook, mistake.replacements)
        targets[mistake.student] = notebook
        samples[mistake.student] = mistake
    for student, notebook in targets.items():
        folder = submissions_dir / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(folder / source.name))
        if student != "blank":
            hand_in_files(assignment, folder, samples[student])
    return samples


def reference_files(assignment):
    """{file name: path} of the reference's trained checkpoints (none for most notebooks)."""
    folder = CHECKS_ROOT / assignment / "checkpoints"
    return {p.name: p for p in sorted(folder.glob("*")) if p.is_file()} if folder.is_dir() else {}


def handed_in_files(assignment, mistake):
    """{file name: bytes} a sample hands in beside its notebook (``mistake`` None: the
    reference's)."""
    references = reference_files(assignment)
    changes = mistake.files if mistake else {}
    files = {}
    for name in sorted(set(references) | set(changes)):
        if name not in changes:
            files[name] = references[name].read_bytes()
        elif changes[name] is not None:
            files[name] = changes[name](references.get(name))
    return files


def hand_in_files(assignment, folder, mistake):
    """Write the files a sample hands in beside its notebook into ``folder``."""
    for name, data in handed_in_files(assignment, mistake).items():
        (folder / name).write_bytes(data)
