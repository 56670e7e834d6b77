"""Sample submissions: the reference, the blank release, and classic mistakes.

Every other sample is one of the assignment's implementations
(``grader/checks/<A>/implementations.py``, see ``grader.authoring.implementations``): the
solution notebook with some solution cells' source replaced. The test suite and
``python -m grader demo`` both use them. Where a notebook is graded
on trained checkpoints too, the reference's are handed in beside every sample but the blank
release, unless the mistake says otherwise: committed ones (``grader/checks/<A>/checkpoints/``,
made by the notebook's benchmark) and built ones (``grader.authoring.built_checkpoints``:
08's fine-tuned model, trained on first use and cached).
"""

import nbformat

from grader.authoring.built_checkpoints import ReferenceUnavailable, built_checkpoints
from grader.authoring.implementations import implementations
from grader.course.layout import CHECKS_ROOT, NOTEBOOKS_DIR, solution_notebooks


def replace_cells(notebook, replacements):
    """Put new sources into the cells with these grade_ids (solution or check cells);
    returns the notebook."""
    remaining = dict(replacements)
    for cell in notebook.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in remaining:
            cell.source = remaining.pop(grade_id)
    if remaining:
        raise KeyError(f"no cells with grade_id {sorted(remaining)}")
    return notebook


def answer_cells(assignment, student=None):
    """grade_id -> source of the reference's solution cells, with sample ``student``'s
    cells in place of its own: what a student types into a released or fetched notebook."""
    source = nbformat.read(str(solution_notebooks(assignment)[0]), as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
             if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    if student:
        cells.update(next(i for i in implementations(assignment) if i.student == student).cells)
    return cells


def write_samples(assignment, submissions_dir, only=None, unbuilt_ok=False):
    """Write the reference, blank and implementation submissions (``only``: these
    implementations' students); returns {student: Implementation or None}.
    ``unbuilt_ok``: when a built reference checkpoint cannot be built (no data), say so and
    hand in the others, instead of raising ``ReferenceUnavailable``."""
    source = solution_notebooks(assignment)[0]
    samples = {"reference": None, "blank": None}
    targets = {"reference": nbformat.read(str(source), as_version=4),
               "blank": nbformat.read(str(NOTEBOOKS_DIR / assignment / source.name), as_version=4)}
    for sample in implementations(assignment):
        if only is not None and sample.student not in only:
            continue
        notebook = nbformat.read(str(source), as_version=4)
        replace_cells(notebook, sample.cells)
        targets[sample.student] = notebook
        samples[sample.student] = sample
    references = _reference_files_or_committed(assignment, unbuilt_ok)
    for student, notebook in targets.items():
        folder = submissions_dir / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, str(folder / source.name))
        if student != "blank":
            hand_in_files(assignment, folder, samples[student], references)
    return samples


def _reference_files_or_committed(assignment, unbuilt_ok):
    try:
        return reference_files(assignment)
    except ReferenceUnavailable as error:
        if not unbuilt_ok:
            raise
        print(f"WARNING: {error}. Its samples hand in no such file.", flush=True)
        return committed_files(assignment)


def committed_files(assignment):
    """{file name: path} of the reference's committed checkpoints (none for most notebooks)."""
    folder = CHECKS_ROOT / assignment / "checkpoints"
    return {p.name: p for p in sorted(folder.glob("*")) if p.is_file()} if folder.is_dir() else {}


def reference_files(assignment):
    """{file name: path} of all the reference's trained checkpoints: committed and built
    (building them first if needed)."""
    return {**committed_files(assignment), **built_checkpoints(assignment)}


def handed_in_files(assignment, sample, references=None):
    """{file name: bytes} a sample hands in beside its notebook (``sample`` None: the
    reference's); ``references``: {name: path} of the reference's files, if known."""
    references = reference_files(assignment) if references is None else references
    changes = sample.files if sample else {}
    files = {}
    for name in sorted(set(references) | set(changes)):
        if name not in changes:
            files[name] = references[name].read_bytes()
        elif changes[name] is not None:
            files[name] = changes[name](references.get(name))
    return files


def hand_in_files(assignment, folder, sample, references=None):
    """Write the files a sample hands in beside its notebook into ``folder``."""
    for name, data in handed_in_files(assignment, sample, references).items():
        (folder / name).write_bytes(data)
