"""Record autograder scores in the nbgrader gradebook.

The assignment, its notebooks and grade cells are registered by
``generate_assignment`` (see ``grader.course.generate.generate``). Here each graded
submission gets a SubmittedAssignment, and every grade cell's ``auto_score``
is set from our per-part score. (nbgrader's own autograde would run the
student's kernel; we only use its database, so formgrader, manual grading,
and ``nbgrader export`` work on our scores.)

Only one process writes (the batch's main process, see ``grader.batch``), and each
submission is one sqlite transaction: a grader killed mid-write leaves the previous
scores, never half of a submission.
"""

import contextlib
import sqlite3
import sys
import warnings
from pathlib import Path

from nbgrader.api import Gradebook, GradeCell, MissingEntry

from grader.course.nbgrader_config import course_config

_SCORES_QUERY = """
SELECT a.name, sa.student_id, c.name, g.auto_score
FROM grade g
JOIN grade_cells gc ON gc.id = g.cell_id
JOIN base_cell c ON c.id = g.cell_id
JOIN submitted_notebook sn ON sn.id = g.notebook_id
JOIN submitted_assignment sa ON sa.id = sn.assignment_id
JOIN assignment a ON a.id = sa.assignment_id
WHERE gc.cell_type = 'code'
"""
_CELLS_QUERY = """
SELECT a.name, c.name FROM grade_cells gc
JOIN base_cell c ON c.id = gc.id
JOIN notebook n ON n.id = c.notebook_id
JOIN assignment a ON a.id = n.assignment_id
WHERE gc.cell_type = 'code'
"""


def _db_url(root):
    return course_config(root).CourseDirectory.db_url


def db_path(root):
    return Path(course_config(root).CourseDirectory.root) / "gradebook.db"


class _CommitsOnlyFlush:
    """nbgrader's Gradebook commits after each step (student, submission, ...); wrapped in
    this, its commits only flush, and ``GradebookWriter`` commits once per submission."""

    def __init__(self, session):
        self._session = session

    def commit(self):
        self._session.flush()

    def __getattr__(self, name):
        return getattr(self._session, name)


class GradebookWriter:
    """The one open gradebook of a batch: ``record`` one submission per transaction."""

    def __init__(self, root):
        self.root = root
        self.gradebook = None

    def __enter__(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.gradebook = Gradebook(_db_url(self.root))
        return self

    def __exit__(self, *exc_info):
        self.gradebook.close()

    def record(self, student, assignment, notebook_id, result):
        """Store one notebook's part scores (an autograded cell the result lacks scores 0);
        returns the gradebook's (score, max_score) for it."""
        gradebook, session = self.gradebook, self.gradebook.db
        gradebook.db = _CommitsOnlyFlush(session)
        try:
            with warnings.catch_warnings():
                # nbgrader's add_submission triggers harmless SQLAlchemy autoflush warnings.
                warnings.simplefilter("ignore")
                self._write_scores(student, assignment, notebook_id, result["parts"])
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            gradebook.db = session
        notebook = gradebook.find_submission_notebook(notebook_id, assignment, student)
        return notebook.score, notebook.max_score

    def _write_scores(self, student, assignment, notebook_id, parts):
        gradebook = self.gradebook
        gradebook.update_or_create_student(student)
        try:
            gradebook.find_submission(assignment, student)
        except MissingEntry:
            gradebook.add_submission(assignment, student)
        notebook = gradebook.find_submission_notebook(notebook_id, assignment, student)
        # Only code grade cells are ours; Markdown answers are graded by hand in formgrader.
        autograded = [g for g in notebook.grades
                      if isinstance(g.cell, GradeCell) and g.cell.cell_type == "code"]
        for grade in autograded:
            part = parts.get(grade.cell.name)
            grade.auto_score = float(part["score"]) if part else 0.0
            grade.needs_manual_grade = False
        unknown = sorted(set(parts) - {grade.cell.name for grade in autograded})
        if unknown:
            print(f"[gradebook] {student}/{assignment}: no grade cells {unknown} in the "
                  "gradebook (regenerate the assignment)", file=sys.stderr)


def record(root, student, assignment, notebook_id, result):
    """Store one notebook's part scores; returns the gradebook's total for it."""
    with GradebookWriter(root) as writer:
        return writer.record(student, assignment, notebook_id, result)


def _read_only(root):
    return contextlib.closing(sqlite3.connect(f"file:{db_path(root)}?mode=ro", uri=True))


def scores(root):
    """{(assignment, student, grade_id): auto_score} for every graded cell in the gradebook."""
    if not db_path(root).exists():
        return {}
    with _read_only(root) as connection:
        return {(a, s, g): score for a, s, g, score in connection.execute(_SCORES_QUERY)}


def grade_cells(root):
    """{assignment: set of grade ids} registered in the gradebook."""
    cells = {}
    if db_path(root).exists():
        with _read_only(root) as connection:
            for assignment, grade_id in connection.execute(_CELLS_QUERY):
                cells.setdefault(assignment, set()).add(grade_id)
    return cells


def integrity(root):
    """sqlite's own verdict on the file: "ok" or the problems it found."""
    with _read_only(root) as connection:
        return "; ".join(row[0] for row in connection.execute("PRAGMA integrity_check"))


def totals(root, assignment):
    """student -> (score, max_score) for one assignment, read back from the gradebook."""
    with Gradebook(_db_url(root)) as gradebook:
        return {s.student.id: (s.score, s.max_score)
                for s in gradebook.assignment_submissions(assignment)}
