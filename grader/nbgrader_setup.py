"""nbgrader configuration for the course, as documented traitlets config.

nbgrader is the course engine (generate_assignment, gradebook, formgrader,
export). The course keeps its own layout, so nbgrader always works on a
*course root* that this module lays out:

    <root>/source/<assignment>/<notebook>.ipynb    solutions, with points from the checks
    <root>/release/<assignment>/...                generated student versions
    <root>/gradebook.db                            the nbgrader gradebook

``python -m grader release`` uses a throwaway root and copies the release to
``course/notebooks``; ``python -m grader autograde`` uses a persistent root
beside the submissions so the gradebook can be opened in formgrader.
"""

from pathlib import Path

from traitlets.config import Config

REPO_ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS_DIR = REPO_ROOT / "course" / "solutions"
NOTEBOOKS_DIR = REPO_ROOT / "course" / "notebooks"
COURSE_ID = "cnn-course"


def course_config(root):
    """The traitlets Config for an nbgrader course rooted at ``root``."""
    root = Path(root).resolve()
    config = Config()
    config.CourseDirectory.course_id = COURSE_ID
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.source_directory = "source"
    config.CourseDirectory.release_directory = "release"
    config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
    # Solutions regions become this stub; students see one obvious place to write.
    config.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    config.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    # Hidden checks live in grader/checks; the notebook only keeps a hook comment,
    # which ClearHiddenTests strips from the release.
    config.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
    config.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
    config.GenerateAssignment.create_assignment = True
    config.Exchange.root = str(root / "exchange")
    return config


def assignments():
    """Assignment names = folders of course/solutions that hold a notebook."""
    return sorted(p.name for p in SOLUTIONS_DIR.iterdir()
                  if p.is_dir() and any(p.glob("*.ipynb")))


def solution_notebooks(assignment):
    folder = SOLUTIONS_DIR / assignment
    if not folder.is_dir():
        raise ValueError(f"unknown assignment {assignment!r}; known: {', '.join(assignments())}")
    return sorted(folder.glob("*.ipynb"))


def write_config_file(root):
    """Write ``root/nbgrader_config.py`` so TAs can run ``nbgrader formgrader`` there."""
    config = course_config(root).CourseDirectory
    text = ("# Written by `python -m grader`: run `nbgrader formgrader` (or `nbgrader export`)\n"
            "# in this folder for manual grading and exports on the autograder's scores.\n"
            "c = get_config()  # noqa: F821\n"
            f"c.CourseDirectory.course_id = {config.course_id!r}\n"
            f"c.CourseDirectory.root = {config.root!r}\n"
            f"c.CourseDirectory.db_url = {config.db_url!r}\n")
    path = Path(root) / "nbgrader_config.py"
    path.write_text(text)
    return path
