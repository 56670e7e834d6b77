"""The class on the JupyterHub, in Chromium: a student logs in on the hub's login page,
lands in their own JupyterLab and finds the released assignment in the Assignments tab,
and the formgrader refuses them; the TA logs in and the formgrader (a hub service) lists
the assignment as released. (The whole fetch/submit/grade/feedback cycle in the browser is
tests/browser/test_class_in_lab.py; through the hub's APIs, test_hub.py.)"""

import re

import pytest
from hub_fixture import COURSE, A
from lab_page import menu
from nbgrader_steps import assignment_row, table_rows

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.xdist_group("classroom")]


def log_in(page, hub_url, account):
    """The hub's login form, as a person fills it in."""
    page.goto(f"{hub_url}/hub/login")
    page.locator("#username_input").fill(account.name)
    page.locator("#password_input").fill(account.password)
    page.locator("#login_submit").click()


def test_a_student_and_the_ta_on_the_hub_in_the_browser(hub, classroom, page):
    running, _ = hub
    student, steps = classroom.students[0], page.steps
    page.goto(f"{running.url}/hub/login")
    steps.shot("hub_login_page")
    log_in(page, running.url, student)
    page.wait_for_url(re.compile(rf"/user/{student.name}/lab"), timeout=180_000)
    page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=120_000)
    steps.shot("student_lab_on_the_hub")
    menu(page, "Nbgrader", "Assignment List")
    row = assignment_row(page, "released", A)
    assert COURSE in row.inner_text()
    steps.shot("student_sees_the_released_assignment")

    answer = page.goto(f"{running.url}/services/{COURSE}/formgrader/")
    assert answer.status == 403, (answer.status, page.url)
    steps.shot("formgrader_refuses_the_student")

    ta = page.context.browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    log_in(ta, running.url, classroom.ta)
    ta.wait_for_url(re.compile(r"/(user|hub)/"), timeout=180_000)
    ta.goto(f"{running.url}/services/{COURSE}/formgrader/")
    rows = table_rows(ta)
    assert rows[0][0] == A and "released" in rows[0][2], rows
    steps.shot("ta_formgrader_on_the_hub", page=ta)
