"""Every assignment's hidden checks on every implementation in its
``grader/checks/<A>/implementations.py``, graded through the real batch and worker.

Right implementations (loops, vectorised, einsum, other attribute names ...) keep full marks;
each wrong one loses points on exactly its own parts, with the mistake named in the feedback;
the reference gets full marks and the blank release 0 without a crash; no feedback shows an
expected value.
"""

import re

import pytest
from class_grading import failures, graded_class, group, pass_notes

from grader.authoring.implementations import implementations
from grader.course.layout import assignments

ASSIGNMENTS = assignments()
NOT_HANDED_IN = "was submitted beside your notebook"
# "`f` raised ValueError: <the student's own message> (cell 3, line 9)": their words, not ours
STUDENT_ERROR_TEXT = re.compile(r"raised \w+: .*?(?=\(cell \d+, line \d+\)|$)")
pytestmark = pytest.mark.slow


def _per_assignment(assignment, *values, id_=None):
    return pytest.param(assignment, *values, marks=pytest.mark.xdist_group(group(assignment)),
                        id=id_ or assignment)


def _samples(right):
    return [_per_assignment(a, i, id_=f"{a}-{i.student}")
            for a in ASSIGNMENTS for i in implementations(a) if i.right == right]


def _parts_lost(row):
    return {g: failures(p) for g, p in row["parts"].items() if p["score"] < p["max_score"]}


def _assert_only(row, sample):
    """Parts outside ``loses`` and ``cascades`` keep full marks, except those graded on a
    file the sample does not hand in, which may lose points for that reason only."""
    withheld = any(data is None for data in sample.files.values())
    for grade_id, messages in _parts_lost(row).items():
        if grade_id in sample.loses or grade_id in sample.cascades:
            continue
        assert withheld and messages and all(NOT_HANDED_IN in m for m in messages), \
            (grade_id, messages)


@pytest.mark.parametrize("assignment", [_per_assignment(a) for a in ASSIGNMENTS])
def test_the_reference_gets_full_marks(tmp_path_factory, assignment):
    rows, _, _ = graded_class(assignment, tmp_path_factory)
    reference = rows["reference"]
    assert _parts_lost(reference) == {}
    assert reference["score"] == reference["max_score"] > 0
    assert reference["internal_errors"] == []


@pytest.mark.parametrize("assignment", [_per_assignment(a) for a in ASSIGNMENTS])
def test_the_blank_release_scores_zero_on_every_part_without_crashing(tmp_path_factory,
                                                                       assignment):
    rows, _, _ = graded_class(assignment, tmp_path_factory)
    blank = rows["blank"]
    assert blank["max_score"] == rows["reference"]["max_score"]
    for grade_id, part in blank["parts"].items():
        assert part["score"] == 0 and part["max_score"] > 0, grade_id
        # the blank release hands in no checkpoints: their parts say so
        assert all(any(words in t["message"] for words in
                       ("not implemented", "not defined", NOT_HANDED_IN))
                   for t in part["tests"]), part["tests"]
    assert blank["internal_errors"] == []


@pytest.mark.parametrize("assignment, sample", _samples(right=True))
def test_a_right_implementation_gets_full_marks(tmp_path_factory, assignment, sample):
    rows, _, _ = graded_class(assignment, tmp_path_factory)
    assert rows[sample.student]["internal_errors"] == []
    _assert_only(rows[sample.student], sample)
    _assert_notes(rows[sample.student], sample)


@pytest.mark.parametrize("assignment, sample", _samples(right=False))
def test_a_wrong_implementation_loses_points_on_its_own_parts(tmp_path_factory, assignment,
                                                              sample):
    rows, _, _ = graded_class(assignment, tmp_path_factory)
    row = rows[sample.student]
    assert row["internal_errors"] == []
    for grade_id, phrase in sample.loses.items():
        part = row["parts"][grade_id]
        assert part["score"] < part["max_score"], grade_id
        assert phrase in " | ".join(failures(part)), (grade_id, failures(part))
    _assert_only(row, sample)
    _assert_notes(row, sample)


def _assert_notes(row, sample):
    """A part that keeps points it could only partly check says so in a pass's note; where
    ``only`` names the tests a limitation may cost, no other test of the part fails."""
    for grade_id, phrase in sample.notes.items():
        notes = pass_notes(row["parts"][grade_id])
        assert phrase in " | ".join(notes), (grade_id, notes)
    for grade_id, allowed in sample.only.items():
        failed = [t["name"] for t in row["parts"][grade_id]["tests"] if not t["passed"]]
        assert failed and all(name.startswith(allowed) for name in failed), (grade_id, failed)


@pytest.mark.parametrize("assignment", [_per_assignment(a) for a in ASSIGNMENTS])
def test_feedback_never_shows_an_expected_value(tmp_path_factory, assignment):
    rows, _, _ = graded_class(assignment, tmp_path_factory)
    for row in rows.values():
        for part in row["parts"].values():
            for message in failures(part) + pass_notes(part):
                ours = STUDENT_ERROR_TEXT.sub("raised", message)
                assert not re.search(r"\bexpected\b|\[\[|array\(", ours, re.I), message
