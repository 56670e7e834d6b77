"""A class through nbgrader's file-system exchange with real Unix users and its real
permissions (issue 20, "The exchange with real users"): release, fetch, submit (a
resubmission, a late one, a wrongly named notebook), collect, autograde with our sandboxed
grader as the TA, feedback; two courses share the exchange, one of them graded on
checkpoint files handed in beside the notebook (06). The cycle (``exchange_cycle.py``) runs
once per process: 90 s alone on 2 cores, 120-130 s beside other work (85 s of CPU: some 35
nbgrader commands at about 2 s of start-up each, 3 notebooks of 03 graded twice, once by
nbgrader as the TA and once by `python -m grader autograde`, and one of 06)."""

import html
import pwd
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

import pytest

from exchange_cycle import A03, FIRST_TRY, LATE_MISTAKE, P06, RENAMED, WORK, run_cycle
from grader.authoring.implementations import implementations
from grader.authoring.samples import reference_files
from grader.batch.nbgrader_course import RESULTS_FOLDER
from grader.batch.results_store import ResultsStore
from grader.course.layout import CHECKS_ROOT
from grader.course.points import part_points

# the gradebook helpers of nbgrader's own course tests (tests/grader), reused
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "grader"))
from nbgrader_course_case import cell_grades  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("classroom")]
_CYCLES = {}


@pytest.fixture(scope="module")
def cycle(classroom, class_python):
    if classroom.prefix not in _CYCLES:
        _CYCLES[classroom.prefix] = run_cycle(classroom, class_python)
    return _CYCLES[classroom.prefix]


def _name(cycle, number):
    return cycle.student(number).name


def _grades(course, student):
    """{grade_id: (auto_score, manual_score, needs_manual_grade, late penalty)}."""
    return {g: rest for (s, g), rest in cell_grades(course).items() if s == student}


def _output(cycle, step):
    done = cycle.done[step]
    return done.stdout + done.stderr


def _lost(assignment, mistake):
    return set(next(i for i in implementations(assignment) if i.student == mistake).loses)


def test_students_fetch_and_submit_with_the_exchanges_permissions(cycle):
    """Students reach only what nbgrader's exchange gives them: not the inbound listing
    (others' hand-ins), not the course folder or its gradebook, not each other's homes.
    A hand-in itself is world-readable (nbgrader makes it 0777/0644 so that the instructor
    can delete it): only its unguessable name (timestamp + random string) hides it."""
    for step in ("s2 lists A's inbound", "s2 lists course A", "s2 reads A's gradebook",
                 "s2 reads s1's home"):
        assert cycle.done[step].returncode != 0, step
        assert "Permission denied" in cycle.done[step].stderr, step
    inbound = cycle.exchange / cycle.ids["a"] / "inbound"
    owners = {p.name.split("+")[0]: p.stat().st_uid for p in inbound.iterdir()}
    assert owners == {_name(cycle, n): pwd.getpwnam(_name(cycle, n)).pw_uid for n in (1, 2, 3)}
    assert len(list(inbound.iterdir())) == 4        # student1 handed in twice
    assert cycle.done["s2 reads s1's hand-in by its name"].returncode == 0


def test_the_latest_submission_counts(cycle):
    from nbgrader.utils import parse_utc
    course = cycle.courses["a"]
    first, second = (parse_utc(cycle.submitted_at["student1", n]) for n in (1, 2))
    assert first < second
    with closing(sqlite3.connect(course / "gradebook.db")) as db:
        (stamp,), = db.execute(
            "SELECT timestamp FROM submitted_assignment WHERE student_id = ?",
            (_name(cycle, 1),))
    assert parse_utc(stamp) == second
    grades = _grades(course, _name(cycle, 1))
    maxima = part_points(A03)
    # the first hand-in would have lost these; the reference, handed in last, loses none
    assert _lost(A03, FIRST_TRY) and set(grades) == set(maxima)
    assert all(grades[g][0] == maxima[g] and not grades[g][3] for g in maxima), grades


def test_a_late_submission_is_penalised(cycle):
    """Due date set by the instructor between the on-time hand-ins and student2's;
    the course's LateSubmissionPlugin method is "zero"."""
    assert "Late submission penalty" in _output(cycle, "autograde a")
    grades = _grades(cycle.courses["a"], _name(cycle, 2))
    earned = sum(auto for auto, *_ in grades.values())
    maxima = part_points(A03)
    lost = {g for g, (auto, *_) in grades.items() if auto < maxima[g]}
    assert lost == _lost(A03, LATE_MISTAKE)
    assert earned > 0 and {penalty for *_, penalty in grades.values()} == {earned}


def test_a_wrongly_named_notebook_is_reported_and_left_to_the_ta(cycle):
    """nbgrader submit warns the student (and hands it in anyway); nbgrader's autograde
    skips a notebook the assignment does not have, so every part of that submission is
    ungraded and flagged for manual grading (the formgrader lists it for the TA), and
    the student gets no feedback (fetch_feedback finds none)."""
    said = _output(cycle, "submit s3 a")
    assert "Possible missing notebooks and/or extra notebooks" in said
    assert f"{A03}.ipynb: MISSING" in said and f"{RENAMED}: EXTRA" in said
    assert "Skipping unknown notebook" in _output(cycle, "autograde a")
    grades = _grades(cycle.courses["a"], _name(cycle, 3))
    assert set(grades) == set(part_points(A03))
    assert all(auto is None and needs_manual for auto, _, needs_manual, _ in grades.values())
    assert "Could not find feedback" in _output(cycle, f"fetch_feedback s3 {A03}")
    assert ("student3", A03) not in cycle.feedback


def test_the_ta_grades_in_the_sandbox_or_is_told(cycle):
    """The TA is an ordinary user: bwrap then needs unprivileged user namespaces. Where it
    has them (this machine), nbgrader's autograde log says each student's code ran in the
    sandbox; where not, it carries the documented NOT SANDBOXED warning per student."""
    sandboxed = cycle.done["sandbox probe ta"].stdout.strip() == "None"
    for key, students in (("a", (1, 2)), ("b", (1,))):
        said = _output(cycle, f"autograde {key}")
        for number in students:
            name = _name(cycle, number)
            if sandboxed:
                assert f"{name}'s code ran in the bubblewrap sandbox" in said
            else:
                assert f"{name}: NOT SANDBOXED: bubblewrap (bwrap) cannot run here" in said
        assert sandboxed == ("NOT SANDBOXED" not in said)


def test_the_gradebook_is_what_python_m_grader_autograde_gives(cycle):
    """Cell by cell, for every notebook nbgrader grades. The wrongly named one is the
    exception: `python -m grader autograde` grades a renamed notebook (with a note) and
    writes its scores, where nbgrader's own autograde leaves it for manual grading."""
    renamed = _name(cycle, 3)
    ours = cell_grades(cycle.courses["a"])
    theirs = cell_grades(cycle.compared)
    assert {k for k in ours if k[0] != renamed} == {k for k in theirs if k[0] != renamed}
    assert all(ours[k] == theirs[k] for k in ours if k[0] != renamed)
    store = ResultsStore(cycle.compared / RESULTS_FOLDER)
    for (student, grade_id), (auto, manual, needs_manual, _) in theirs.items():
        part = store.load(student, A03)["result"]["parts"][grade_id]
        assert auto == pytest.approx(part["score"]) and manual is None and not needs_manual
    assert all(ours[k][0] is None and theirs[k][0] == part_points(A03)[k[1]]
               for k in ours if k[0] == renamed)


def _hidden_code_lines(assignment):
    """Lines of code from the hidden checks that a page must never show."""
    lines = set()
    for path in (CHECKS_ROOT / assignment).glob("*.py"):
        for line in path.read_text().splitlines():
            line = line.strip()
            if len(line) > 20 and line.startswith(("def ", "assert ", "return ", "expect",
                                                   "@points", "import ", "from ")):
                lines.add(line)
    return lines


def _page_text(page):
    return html.unescape(" ".join(page.split()))


def test_students_read_our_messages_and_no_hidden_checks(cycle):
    wrong = next(i for i in implementations(A03) if i.student == LATE_MISTAKE)
    late = _page_text(cycle.feedback["student2", A03])
    for part, phrase in wrong.loses.items():
        assert part in late and phrase in late
    assert "\u2718 failed" in late
    right = _page_text(cycle.feedback["student1", A03])
    assert "\u2714 passed" in right and "\u2718 failed" not in right
    for (_, assignment), page in cycle.feedback.items():
        text = _page_text(page)
        assert "HIDDEN TESTS" not in text and "grader/checks" not in text
        shown = [line for line in _hidden_code_lines(assignment) if line in text]
        assert not shown, shown


def test_a_checkpoint_notebook_goes_through_the_cycle(cycle):
    """06 in course B: student1 hands in mlp.pt and smallcnn.pt beside the notebook; they
    are collected with it and the checkpoint parts are graded from them."""
    submitted = cycle.courses["b"] / "submitted" / _name(cycle, 1) / P06
    assert set(reference_files(P06)) <= {p.name for p in submitted.iterdir()}
    grades = _grades(cycle.courses["b"], _name(cycle, 1))
    maxima = part_points(P06)
    assert {"test_mlp_checkpoint", "test_smallcnn_checkpoint"} <= set(grades)
    assert all(grades[g][0] == maxima[g] for g in maxima), grades
    page = _page_text(cycle.feedback["student1", P06])
    assert f"test_smallcnn_checkpoint: {maxima['test_smallcnn_checkpoint']:g} / " in page


def test_two_courses_share_one_exchange(cycle):
    """student1 (both courses) fetched from both into <course>/<assignment>. nbgrader's
    file-system exchange does not keep a student out of another course: outbound/ is
    world-readable by design and the default authenticator lets anyone fetch (only the
    JupyterHub auth plugin, which asks the hub's groups, restricts it)."""
    home = cycle.student(1).home / WORK
    assert (home / cycle.ids["a"] / A03).is_dir() and (home / cycle.ids["b"] / P06).is_dir()
    assert cycle.done["s3 lists B's release"].stdout.split() == [f"{P06}.ipynb"]
    assert cycle.done["s3 fetches B"].returncode == 0
    assert (cycle.student(3).home / WORK / P06 / f"{P06}.ipynb").is_file()
