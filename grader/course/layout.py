"""Where the course's parts live in the repository, and what belongs to an assignment.

    course/solutions/<A>/<A>.ipynb      hand-edited nbgrader source (solutions + grade cells)
    course/notebooks/<A>/<A>.ipynb      the generated student release
    grader/checks/<A>/test_<part>.py    one hidden check file per grade part
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS_DIR = REPO_ROOT / "course" / "solutions"
NOTEBOOKS_DIR = REPO_ROOT / "course" / "notebooks"
CHECKS_ROOT = REPO_ROOT / "grader" / "checks"
# Files handed in beside a notebook that belong to the submission (trained checkpoints).
CHECKPOINT_SUFFIXES = (".pt", ".pth", ".ckpt", ".safetensors", ".npz", ".npy")


def assignments():
    """Assignment names = folders of course/solutions that hold a notebook."""
    return sorted(p.name for p in SOLUTIONS_DIR.iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def solution_notebooks(assignment):
    folder = SOLUTIONS_DIR / assignment
    if not folder.is_dir():
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(assignments())}")
    return sorted(folder.glob("*.ipynb"))


def released_notebook(assignment):
    """The released (student) version of the assignment's notebook, or None if unknown."""
    try:
        stem = solution_notebooks(assignment)[0].stem
    except (ValueError, IndexError):
        return None
    return NOTEBOOKS_DIR / assignment / f"{stem}.ipynb"


def checks_dir(assignment, checks_root=CHECKS_ROOT):
    path = Path(checks_root) / assignment
    if not path.is_dir():
        known = ", ".join(sorted(p.name for p in Path(checks_root).iterdir()
                                 if p.is_dir() and not p.name.startswith((".", "_"))))
        raise ValueError(f"no hidden checks for assignment {assignment!r} (known: {known})")
    return path


def part_files(assignment, checks_root=CHECKS_ROOT):
    """grade_id -> check file, for every grade part of the assignment."""
    return {p.stem: p for p in sorted(checks_dir(assignment, checks_root).glob("test_*.py"))}
