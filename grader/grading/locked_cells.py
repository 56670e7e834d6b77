"""Restore the check (locked) cells of a submission from the release, as nbgrader's own
autograder does, and say in words which of them the student changed, deleted, duplicated
or moved."""

import re

from grader.grading.notebook_file import cell_source


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


def listed(ids):
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
        notes.append(f"The check cells {listed(changed)} were changed; they are locked, so "
                     "the grader used the original versions.")
    if missing and not any(_grade_id(cell) for cell in notebook["cells"]) and not seen:
        notes.append("The notebook's grading metadata was removed (saved by another editor?);"
                     " this does not change how your code is graded.")
    elif missing:
        notes.append(f"The check cells {listed(missing)} were deleted; your code was graded "
                     "anyway (the grader's own checks do not need them).")
    if duplicated:
        notes.append(f"The check cells {listed(sorted(set(duplicated)))} appear more than "
                     "once; the copies were ignored.")
    if seen != [grade_id for grade_id in locked if grade_id in seen]:
        notes.append("The check cells are not in their original order; this does not change "
                     "how your code is graded.")
    return notes
