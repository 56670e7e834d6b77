"""A submission that takes a known time to grade, for tests that must act while a batch is
in its middle: on a fast machine every ordinary notebook may be graded before the test looks."""

import json


def add_slow_copy(submissions, assignment, of_student, new_student, seconds=20):
    """Copy ``of_student``'s notebook to ``new_student`` with a first cell that sleeps
    ``seconds`` when the grader loads it; returns the new notebook's path."""
    notebook = submissions / of_student / assignment / f"{assignment}.ipynb"
    content = json.loads(notebook.read_text())
    content["cells"].insert(0, {"cell_type": "code", "execution_count": None, "metadata": {},
                                "outputs": [], "source": f"import time; time.sleep({seconds})"})
    slow = submissions / new_student / assignment / notebook.name
    slow.parent.mkdir(parents=True)
    slow.write_text(json.dumps(content))
    return slow
