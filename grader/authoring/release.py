"""Regenerate course/notebooks from course/solutions with nbgrader.

Pipeline for one assignment:
  1. copy the solution notebooks into a course root, writing into every grade
     cell the points declared on its hidden checks (the single source of truth);
  2. nbgrader ``generate_assignment`` (clears solutions, hidden-test hooks and
     outputs, locks cells, records grade cells in the gradebook);
  3. normalise the JSON so the output is byte-for-byte reproducible;
  4. leak check: fail if solution code or hidden-check text reached the release.
"""

import json
import shutil
import tempfile
from pathlib import Path

from grader.authoring import leaks
from grader.course.generate import ReleaseError, generate
from grader.course.layout import NOTEBOOKS_DIR, assignments


def normalise(path):
    """Rewrite a notebook in one canonical form (sorted keys, no outputs)."""
    notebook = json.loads(Path(path).read_text())
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
    Path(path).write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def release_assignment(assignment, output_dir=NOTEBOOKS_DIR):
    """Generate, check and install the student version of one assignment."""
    with tempfile.TemporaryDirectory(prefix="grader-release-") as root:
        released = generate(assignment, root)
        for path in released.glob("*.ipynb"):
            normalise(path)
        problems = leaks.find_leaks(assignment, released)
        if problems:
            raise ReleaseError(f"release of {assignment} would leak:\n  " + "\n  ".join(problems))
        destination = Path(output_dir) / assignment
        if destination.exists():
            shutil.rmtree(destination)
        shutil.copytree(released, destination)
    return sorted(destination.glob("*.ipynb"))


def release(selected=None, output_dir=NOTEBOOKS_DIR):
    """Release the named assignments (default: all); returns the written paths."""
    written = []
    for assignment in selected or assignments():
        written.extend(release_assignment(assignment, output_dir))
    return written
