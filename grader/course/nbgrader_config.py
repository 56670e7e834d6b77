"""nbgrader configuration for the course, as documented traitlets config.

nbgrader is the course engine (generate_assignment, gradebook, formgrader,
export). The course keeps its own layout, so nbgrader always works on a
*course root* that this module lays out:

    <root>/source/<assignment>/<notebook>.ipynb    solutions, with points from the checks
    <root>/release/<assignment>/...                generated student versions
    <root>/gradebook.db                            the nbgrader gradebook

``python -m grader release`` uses a throwaway root and copies the release to
``course/notebooks``; ``python -m grader autograde`` uses a persistent root
beside the submissions so the gradebook can be opened in formgrader. ``write_config_file``
writes the course folder's ``nbgrader_config.py``, which makes nbgrader's own
``nbgrader autograde`` and the formgrader's Autograde button grade with our sandboxed grader
(``grader.batch.nbgrader_preprocessors``).
"""

import os
from pathlib import Path

from traitlets.config import Config

from grader.course.layout import REPO_ROOT

COURSE_ID = "cnn-course"


# nbgrader's autograde steps with in-kernel ``Execute`` replaced by the course grader
# (``grader.batch.nbgrader_preprocessors``); named by import path, so reading the
# configuration imports nothing of the grader.
AUTOGRADE_PREPROCESSORS = (
    "grader.batch.nbgrader_preprocessors.GradeWithCourseGrader",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)
# nbgrader's feedback steps, plus ClearHiddenTests: the student's feedback shows each check
# cell as the release did, without the hidden-test hook (a TA's formgrader still shows it).
FEEDBACK_PREPROCESSORS = (
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
)
LATE_PENALTIES = ("none", "zero")   # nbgrader's LateSubmissionPlugin.penalty_method
# nbgrader's Validate (the button and `nbgrader validate`) lists every failing check cell
# with its source and its error output. The self-checks' SelfCheckFailed already shows one
# line ("corr2d: still to do (0/4 visible checks passed)."); any other error is shown the
# same way in Validate's kernel (the last line of its traceback: "ValueError: ..."), so the
# list reads as the exercises still to do. The notebook itself keeps full tracebacks.
VALIDATE_KERNEL_ARGUMENTS = ("--InteractiveShell.xmode=Minimal",)


def course_config(root, late_penalty=None):
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
    config.Autograde.autograde_preprocessors = list(AUTOGRADE_PREPROCESSORS)
    config.GenerateFeedback.preprocessors = list(FEEDBACK_PREPROCESSORS)
    config.Execute.extra_arguments = list(VALIDATE_KERNEL_ARGUMENTS)
    # A deleted check cell is put back, so its part gets our score like any other
    # (without this nbgrader leaves it ungraded and flagged for manual grading).
    config.OverwriteCells.add_missing_cells = True
    if late_penalty:
        config.LateSubmissionPlugin.penalty_method = late_penalty
    return config


CONFIG_MARKER = "# Written by `python -m grader`"
_CONFIG_TEXT = CONFIG_MARKER + """ (rewritten by each `python -m grader autograde`; delete
# this first line to keep your own edits). Paths are relative to this file, so the folder
# can be moved. Run these in this folder (nbgrader 0.9.6):
#   nbgrader autograde ASSIGNMENT         grades submitted/ with the course's sandboxed grader
#   jupyter lab  (or: jupyter server)     then open /formgrader: nbgrader's formgrader
#   nbgrader generate_feedback ASSIGNMENT feedback/ for students, with our per-part messages
#   nbgrader export                       grades.csv from the gradebook
#   nbgrader db student import roster.csv           names (id,first_name,last_name,email)
#   nbgrader db assignment add ASSIGNMENT --duedate="2025-03-01 17:00 Europe/Zurich"
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
try:
    import grader  # noqa: F401  (the course grader, named in the preprocessors below)
except ImportError:
    sys.path.insert(0, {repo!r})
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.root = here
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(here, "gradebook.db")
c.Exchange.root = {exchange}
c.Autograde.autograde_preprocessors = {preprocessors!r}
c.GenerateFeedback.preprocessors = {feedback!r}
# `nbgrader validate`: each failing check cell's error in one line (a list of what is left)
c.Execute.extra_arguments = {validate_kernel!r}
c.OverwriteCells.add_missing_cells = True
# Late submissions (due dates: `nbgrader db assignment add` above, or
# `python -m grader autograde --duedate`): "zero" scores them 0, "none" keeps the score.
c.LateSubmissionPlugin.penalty_method = {late_penalty!r}
"""
# A class's course (grader.classroom): instructor and TAs share the folder through a group,
# so nbgrader keeps what it writes group-writable, in the folder and in the exchange.
_GROUPSHARED_TEXT = "c.CourseDirectory.groupshared = True\n"


def written_late_penalty(root):
    """The late penalty an earlier run wrote into ``root/nbgrader_config.py`` (or None)."""
    path = Path(root) / "nbgrader_config.py"
    if not path.is_file():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("c.LateSubmissionPlugin.penalty_method = "):
            value = line.split("=", 1)[1].strip().strip("'\"")
            return value if value in LATE_PENALTIES else None
    return None


def config_text(root, late_penalty=None, course_id=COURSE_ID, exchange=None,
                groupshared=False):
    """The text of a course folder's ``nbgrader_config.py`` (see ``write_config_file``);
    ``exchange``: an absolute exchange folder shared with other courses (default: the
    folder's own ``exchange/``)."""
    text = _CONFIG_TEXT.format(
        repo=str(REPO_ROOT), course_id=course_id,
        exchange=repr(str(exchange)) if exchange else 'os.path.join(here, "exchange")',
        preprocessors=list(AUTOGRADE_PREPROCESSORS), feedback=list(FEEDBACK_PREPROCESSORS),
        validate_kernel=list(VALIDATE_KERNEL_ARGUMENTS),
        late_penalty=late_penalty or written_late_penalty(root) or "none")
    return text + (_GROUPSHARED_TEXT if groupshared else "")


def write_config_file(root, late_penalty=None):
    """Write ``root/nbgrader_config.py``, the configuration nbgrader's own commands and the
    formgrader read in that folder; a file without our first line is the TA's and is kept."""
    path = Path(root) / "nbgrader_config.py"
    if path.is_file() and not path.read_text().startswith(CONFIG_MARKER):
        return path
    path.write_text(config_text(root, late_penalty))
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
