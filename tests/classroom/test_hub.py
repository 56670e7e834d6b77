"""A class on a real JupyterHub (grader.classroom.hub): PAM logins of real Unix users, one
server per user from the students' environment, the formgrader as a hub service of the
instructor. Through the hub's REST API, the assignment list's server API and the
formgrader's API: the TA releases 03, three students log in, fetch, answer and submit; the
TA collects, autogrades (our grader, in the sandbox, as the instructor's service) and
releases feedback; the students fetch it and read our per-part messages. Students cannot
read the answers, reach the formgrader or import the grader.

About 65 s on 2 cores: the class's course and hub in ~11 s (plus 10-16 s the first time, to
build the students' environment: grader.classroom.student_env), three servers ~3 s each,
three notebooks graded ~10 s each, ~10 s to stop the hub and its servers."""

import html
import os
import sqlite3
from contextlib import closing

import pytest
from hub_fixture import COURSE, A

from grader.authoring.implementations import implementations
from grader.authoring.samples import answer_cells
from grader.classroom.accounts import run_as
from grader.classroom.hub_api import HubClient, HubError, login
from grader.course.layout import REPO_ROOT
from grader.course.points import part_points

# one worker runs every classroom test: they share the class's accounts (and this test
# closes the repository to all but that class's graders while the hub runs)
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("classroom")]
WRONG = "ceil_output_size"      # loses test_conv_output_size, "rounded up"


def _client(running, account):
    return HubClient(running.url, login(running.url, account.name, account.password))


def _answered(fetched, sample):
    """The fetched notebook with the solution's answers (and the sample's changes) typed
    into its solution cells, as a student would."""
    answers = answer_cells(A, sample.student if sample else None)
    for cell in fetched["cells"]:
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if nbgrader.get("solution") and nbgrader.get("grade_id") in answers:
            cell["source"] = answers[nbgrader["grade_id"]]
    return fetched


def _cell_scores(course_root, student):
    """{grade cell: auto score} of a student's submission, from the course's gradebook."""
    query = ("SELECT c.name, g.auto_score FROM grade g JOIN base_cell c ON c.id = g.cell_id "
             "JOIN submitted_notebook sn ON sn.id = g.notebook_id "
             "JOIN submitted_assignment sa ON sa.id = sn.assignment_id WHERE sa.student_id = ?")
    with closing(sqlite3.connect(course_root / "gradebook.db")) as connection:
        return dict(connection.execute(query, (student,)))


def _student_python(running):
    from grader.classroom.hub import read_settings
    return read_settings(running.state_dir)["student_python"]


def test_students_cannot_read_the_answers_or_reach_the_formgrader(hub, classroom):
    running, course = hub
    student, python = classroom.students[0], _student_python(running)
    secrets = [course.root / "source" / A / f"{A}.ipynb",
               REPO_ROOT / "course" / "solutions" / A / f"{A}.ipynb",
               REPO_ROOT / "grader" / "checks" / A / "reference.py"]
    for path in secrets:
        assert path.is_file()
        done = run_as(student, ["cat", path])
        assert done.returncode != 0 and "Permission denied" in done.stderr, path
    for env in ({}, {"PYTHONPATH": str(REPO_ROOT)}):
        done = run_as(student, [python, "-c", "import grader.checks"], env=env)
        assert "ModuleNotFoundError: No module named 'grader'" in done.stderr, done
    # the TA's grading reads them (the same files, the same interpreter)
    done = run_as(classroom.ta, [python, "-c", "import grader.checks; print('ok')"],
                  env={"PYTHONPATH": str(REPO_ROOT)})
    assert done.stdout == "ok\n", done.stderr
    admin = HubClient(running.url, running.admin_token)   # the config's admin API token
    graders = admin.api(f"groups/formgrade-{COURSE}")["users"]
    assert sorted(graders) == sorted([classroom.instructor.name, classroom.ta.name])
    assert {u["name"] for u in admin.api("users")} == {a.name for a in classroom.accounts}
    client = _client(running, student)
    for call in (lambda: client.formgrader(COURSE, "assignments"),
                 lambda: client.api("users")):
        with pytest.raises(HubError) as refused:
            call()
        assert refused.value.status == 403
    with pytest.raises(HubError) as wrong:
        login(running.url, student.name, "not-the-password")
    assert wrong.value.status == 403


def _submit(running, student, sample):
    client = _client(running, student)
    client.start_server(student.name)
    listed = client.assignments(student.name, COURSE)
    assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [(A, "released")]
    fetched = client.assignment_action(student.name, "fetch", COURSE, A)
    assert fetched["value"][0]["status"] == "fetched", fetched
    path = f"{A}/{A}.ipynb"
    notebook = client.contents(student.name, path)["content"]
    if sample != "blank":
        client.contents(student.name, path, {"type": "notebook", "format": "json",
                                             "content": _answered(notebook, sample)})
    submitted = client.assignment_action(student.name, "submit", COURSE, A)
    assert submitted["success"] and {a["status"] for a in submitted["value"]} == {
        "fetched", "submitted"}, submitted
    return client


def _feedback_page(client, student):
    answer = client.assignment_action(student.name, "fetch_feedback", COURSE, A)
    handed_in = next(a for a in answer["value"] if a["status"] == "submitted")
    notebook = handed_in["submissions"][-1]["notebooks"][0]
    assert notebook["has_local_feedback"], answer
    page = client.contents(student.name, notebook["local_feedback_path"])["content"]
    return " ".join(page.split())       # messages are wrapped in the cells


def test_fetch_submit_autograde_and_feedback_through_the_hub(hub, classroom):
    running, course = hub
    wrong = next(s for s in implementations(A) if s.student == WRONG)
    samples = dict(zip((s.name for s in classroom.students), (None, wrong, "blank")))
    clients = {s.name: _submit(running, s, samples[s.name]) for s in classroom.students}

    ta = _client(running, classroom.ta)
    assert ta.formgrader(COURSE, f"assignment/{A}/collect", "POST")["success"]
    for student in classroom.students:
        graded = ta.formgrader(COURSE, f"submission/{A}/{student.name}/autograde", "POST")
        assert graded["success"], graded.get("log")
    scores = {row["student"]: row for row in ta.formgrader(COURSE, f"submissions/{A}")}
    maxima = part_points(A)
    reference, slip, blank = (scores[s.name] for s in classroom.students)
    assert reference["autograded"] and reference["max_score"] == sum(maxima.values())
    assert (reference["score"], blank["score"]) == (sum(maxima.values()), 0)
    # in the gradebook: the slip lost points in its own part only
    cells = _cell_scores(course.root, classroom.students[1].name)
    assert {part for part, score in cells.items() if score < maxima[part]} == set(wrong.loses)
    assert slip["score"] == sum(cells.values()) < sum(maxima.values())

    assert ta.formgrader(COURSE, f"assignment/{A}/generate_feedback", "POST")["success"]
    assert ta.formgrader(COURSE, f"assignment/{A}/release_feedback", "POST")["success"]
    first, second, third = classroom.students
    page = _feedback_page(clients[second.name], second)
    phrase = wrong.loses["test_conv_output_size"]
    assert html.escape(phrase, quote=False) in page and "\u2718 failed" in page
    assert "HIDDEN TESTS" not in page and "grader/checks" not in page
    page = _feedback_page(clients[first.name], first)
    assert "\u2714 passed" in page and "\u2718 failed" not in page
    assert "\u2718 failed" in _feedback_page(clients[third.name], third)


def test_the_formgrader_page_opens_for_the_ta(hub, classroom):
    """What a TA's browser gets at /services/<course>/formgrader: nbgrader's page."""
    import urllib.request
    running, _ = hub
    token = login(running.url, classroom.ta.name, classroom.ta.password)
    request = urllib.request.Request(f"{running.url}/services/{COURSE}/formgrader/",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        page = response.read().decode()
    assert response.status == 200 and "Manage Assignments" in page
    assert os.stat(REPO_ROOT).st_mode & 0o007 == 0      # closed while the hub runs
