"""nbgrader preprocessors that make ``nbgrader autograde`` (and the formgrader's Autograde
button) grade with the course's sandboxed grader instead of running the notebook in a kernel.

nbgrader's Autograde converter first sanitizes a submission (``sanitize_preprocessors``),
then runs ``autograde_preprocessors``, whose first step is ``Execute``. The course's
``nbgrader_config.py`` (``grader.course.nbgrader_config``) replaces that step by
``GradeWithCourseGrader``: it grades the student's submitted folder (the notebook as handed
in and the checkpoint files beside it) exactly as ``python -m grader autograde`` does, and
writes into every code grade cell the outputs nbgrader's own ``SaveAutoGrades`` reads:

    a stdout stream     our per-test messages (student-safe: names and failure messages,
                        never expected values or check code)
    an execute_result   text/plain = the part's score (nbgrader's partial credit)

so the gradebook, the formgrader's submission pages and ``nbgrader generate_feedback`` all
show our scores and messages. ``python -m grader autograde COURSE_DIR`` grades in parallel
first and then runs the same converter with ``results_dir`` set: the preprocessor then
reads the stored result instead of grading again.
"""

import atexit
import textwrap
from pathlib import Path

import nbformat
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Unicode

from grader.batch.results_store import ResultsStore
from grader.batch.slot import make_unit
from grader.batch.submissions import submission_in
from grader.batch.unit import zero_result

WIDTH = 100     # the formgrader and feedback pages show outputs unwrapped
UNGRADED_PART = "This part could not be graded automatically; your TA will look at it."
_UNITS = {}     # require_sandbox -> the grading unit this process reuses


def _points(value):
    return f"{value:g}"


def _wrapped(text, indent=""):
    return "\n".join(textwrap.fill(line, WIDTH, initial_indent=indent,
                                   subsequent_indent=indent + "  ")
                     for line in str(text).splitlines() or [""])


def test_lines(part):
    """One line per test of a part: passed or failed, its points, and its message."""
    lines = []
    for test in part.get("tests", []):
        points = _points(test.get("points", 0))
        if test["passed"]:
            lines.append(_wrapped(f"\u2714 passed ({points} of {points} points): {test['name']}"))
            if test["message"] != "passed":      # a pass with a note (e.g. fix a callee)
                lines.append(_wrapped(f"note: {test['message']}", "    "))
        else:
            lines.append(_wrapped(f"\u2718 failed (0 of {points} points): {test['name']}"))
            lines.append(_wrapped(test["message"], "    "))
    return lines


def part_report(grade_id, part, notes=()):
    """The stdout text of one grade cell: the part's score, then each test."""
    lines = [f"{grade_id}: {_points(part['score'])} / {_points(part['max_score'])} points"]
    lines += [_wrapped(f"Note: {note}") for note in notes]
    lines += test_lines(part) or [UNGRADED_PART]
    return "\n".join(lines) + "\n"


def _is_autograded_cell(cell):
    return (cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell))


def write_grade_outputs(nb, result, log=None):
    """Replace the outputs of every code grade cell by our report and score."""
    notes = list(result.get("notes", ()))      # said once, in the first grade cell
    for cell in (c for c in nb.cells if _is_autograded_cell(c)):
        grade_id = cell.metadata.nbgrader["grade_id"]
        maximum = float(cell.metadata.nbgrader.get("points", 0))
        part = result["parts"].get(grade_id) or {"score": 0, "max_score": maximum, "tests": []}
        score = float(part["score"])
        if score > maximum:     # nbgrader refuses more than the cell's maximum
            if log:
                log.warning("%s: score %s above the cell's %s points", grade_id, score, maximum)
            score = maximum
        report = part_report(grade_id, part, notes)
        notes = []
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=report),
            nbformat.v4.new_output("execute_result", data={"text/plain": repr(score)},
                                   execution_count=None)]
    return nb


def _coursedir(preprocessor):
    """nbgrader's CourseDirectory, held by the converter that owns our exporter."""
    owner = preprocessor
    while owner is not None:
        if getattr(owner, "coursedir", None) is not None:
            return owner.coursedir
        owner = getattr(owner, "parent", None)
    from nbgrader.coursedir import CourseDirectory
    return CourseDirectory(config=preprocessor.config)


def _shared_unit(require_sandbox):
    """One grading process per nbgrader process: started once, reused for every notebook."""
    if require_sandbox not in _UNITS:
        unit = make_unit(require_sandbox=require_sandbox)
        _UNITS[require_sandbox] = unit
        atexit.register(unit.close)
    return _UNITS[require_sandbox]


class GradeWithCourseGrader(NbGraderPreprocessor):
    """Grade the submission with the course's sandboxed grader (in place of ``Execute``)."""

    results_dir = Unicode(
        "", help="Read results stored by `python -m grader autograde` here instead of "
                 "grading (its --output folder); empty: grade now.").tag(config=True)
    require_sandbox = Bool(
        False, help="Refuse to grade outside the bubblewrap sandbox.").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        result = self._stored(info["student"], info["assignment"])
        if result is None:
            result = self._grade(info["student"], info["assignment"])
        return write_grade_outputs(nb, result, self.log), resources

    def _stored(self, student, assignment):
        if not self.results_dir:
            return None
        record = ResultsStore(self.results_dir).load(student, assignment)
        if record is None:
            self.log.warning("no stored result for %s/%s: grading it now", student, assignment)
            return None
        return record["result"]

    def _grade(self, student, assignment):
        coursedir = _coursedir(self)
        folder = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        submission = submission_in(student, folder.resolve())
        if submission.problem:      # a linked or huge notebook is never read
            result = zero_result(assignment, submission.problem)
            result["notes"].append(submission.problem)
            return result
        self.log.info("Grading %s with the course grader", submission.path)
        result = _shared_unit(self.require_sandbox).grade(submission.path, assignment)
        self._say_where(result.get("sandbox") or {}, student)
        return result

    def _say_where(self, sandbox, student):
        """The TA's log says where the student's code ran (a fallback loudly)."""
        if sandbox.get("active"):
            self.log.info("%s's code ran in the bubblewrap sandbox", student)
        elif sandbox:
            self.log.warning("%s: %s", student, sandbox.get("warning") or "NOT SANDBOXED")
