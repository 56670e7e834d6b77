"""Every sample of an assignment graded as one class batch, once per test process.

The samples are the reference, the blank release and each of the assignment's
implementations (``grader/checks/<A>/implementations.py``). Tests that read one assignment's
batch share an ``xdist_group`` named by ``group(assignment)``, so one test process grades it
and the others never do.
"""

from grader.authoring.samples import write_samples
from grader.batch.autograde import autograde

_GRADED = {}


def group(assignment):
    return f"class-{assignment}"


def graded_class(assignment, tmp_path_factory):
    """(rows by student, {student: Implementation or None}, output folder)."""
    if assignment not in _GRADED:
        root = tmp_path_factory.mktemp(f"class_{assignment}")
        samples = write_samples(assignment, root / "submissions")
        rows, output = autograde(root / "submissions", output_dir=root / "graded", jobs=1,
                                 progress=False)
        _GRADED[assignment] = ({row["student"]: row for row in rows}, samples, output)
    return _GRADED[assignment]


def failures(part):
    return [test["message"] for test in part["tests"] if not test["passed"]]


def pass_notes(part):
    return [test["message"] for test in part["tests"]
            if test["passed"] and test["message"] != "passed"]
