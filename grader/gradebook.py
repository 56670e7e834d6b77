"""Record autograder scores in the nbgrader gradebook.

The assignment, its notebooks and grade cells are registered by
``generate_assignment`` (see ``grader.release.generate``). Here each graded
submission gets a SubmittedAssignment, and every grade cell's ``auto_score``
is set from our per-part score. (nbgrader's own autograde would run the
student's kernel; we only use its database, so formgrader, manual grading,
and ``nbgrader export`` work on our scores.)
"""

import warnings

from nbgrader.api import Gradebook, MissingEntry

from grader.nbgrader_setup import course_config


def _db_url(root):
    return course_config(root).CourseDirectory.db_url


def record(root, student, assignment, notebook_id, result):
    """Store one notebook's part scores; returns the gradebook's total for it."""
    with warnings.catch_warnings(), Gradebook(_db_url(root)) as gradebook:
        # nbgrader's add_submission triggers harmless SQLAlchemy autoflush warnings.
        warnings.simplefilter("ignore")
        gradebook.update_or_create_student(student)
        try:
            gradebook.find_submission(assignment, student)
        except MissingEntry:
            gradebook.add_submission(assignment, student)
        for grade_id, part in result["parts"].items():
            grade = gradebook.find_grade(grade_id, notebook_id, assignment, student)
            grade.auto_score = float(part["score"])
        gradebook.db.commit()
        notebook = gradebook.find_submission_notebook(notebook_id, assignment, student)
        return notebook.score, notebook.max_score


def totals(root, assignment):
    """student -> (score, max_score) for one assignment, read back from the gradebook."""
    with Gradebook(_db_url(root)) as gradebook:
        return {s.student.id: (s.score, s.max_score)
                for s in gradebook.assignment_submissions(assignment)}
