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

import os
from pathlib import Path

from traitlets.config import Config

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


def remember_alembic_head():
    """Make nbgrader's new gradebooks skip a 2 s subprocess.

    A new gradebook records the migration head, which nbgrader asks of a fresh ``alembic
    heads`` process (2.3 s of CPU, once per batch: it competes with grading when every
    core grades). The head only changes with nbgrader's own migrations, so it is computed
    once per nbgrader version and kept in the course cache."""
    import nbgrader
    from nbgrader import api
    original = getattr(api, "get_alembic_version", None)
    if original is None or getattr(original, "remembered", False):
        return
    from source_lib import config
    path = config.cache_dir() / "grader" / f"alembic-head-{nbgrader.__version__}.txt"

    def cached_head():
        if path.is_file() and path.read_text().strip():
            return path.read_text().strip()
        head = original()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_text(head + "\n")
            os.replace(partial, path)       # a reader never sees half of it
        except OSError:
            pass            # an unwritable cache only costs the subprocess next time
        return head

    cached_head.remembered = True
    api.get_alembic_version = cached_head
