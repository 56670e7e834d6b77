"""A class's round trip in the browser: the instructor generates and releases an
assignment in the formgrader, the student fetches it in JupyterLab's Assignments tab and
submits, the TA collects and autogrades it with our grader from the formgrader, reads the
submission's per-part scores and messages, returns feedback, and the student reads it.
Then the instructor's Create Assignment sidebar shows our check cells as locked
"Autograded tests" with their points.

The student hands in a classic mistake (the demo's ``flipped_kernel`` in 01: correlation
instead of convolution), so the feedback has something to say."""

import nbformat
import pytest
from class_lab import STUDENT_NAME, start_class
from lab_page import open_notebook
from nbgrader_steps import (
    assignment_row,
    close_modal,
    create_assignment_cells,
    formgrader_action,
    open_assignment_list,
    score_parts,
    table_rows,
)

from grader.authoring.implementations import implementations
from grader.authoring.samples import answer_cells, replace_cells
from grader.course.points import part_points

ASSIGNMENT, MISTAKE = "01_conv1d", "flipped_kernel"
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.xdist_group("browser_class")]


@pytest.fixture(scope="module")
def course(tmp_path_factory, kernel_env):
    lab = start_class(tmp_path_factory.mktemp("class"), ASSIGNMENT, kernel_env)
    yield lab
    lab.stop()


def mistake():
    return next(i for i in implementations(ASSIGNMENT) if i.student == MISTAKE)


def student_edits(course):
    """The student's work, saved in the fetched notebook (their editing in JupyterLab is
    what test_student_notebooks covers)."""
    path = next((course.home / ASSIGNMENT).glob("*.ipynb"))
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.write(replace_cells(notebook, answer_cells(ASSIGNMENT, MISTAKE)), str(path))


def test_release_submit_grade_and_feedback(course, browser, page):
    steps = page.steps
    instructor = page
    instructor.goto(course.instructor.url("formgrader"))
    rows = table_rows(instructor)
    assert rows[0][0] == ASSIGNMENT and "draft" in rows[0][2], rows
    steps.shot("formgrader_lists_the_assignment")
    formgrader_action(instructor, ASSIGNMENT, "assign")
    close_modal(instructor)
    steps.shot("generated")
    formgrader_action(instructor, ASSIGNMENT, "release")
    close_modal(instructor)
    assert "released" in table_rows(instructor)[0][2]
    steps.shot("released")

    student = page.context.browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    student.on("console", lambda m: steps.console.append(f"[student {m.type}] {m.text}"))
    open_assignment_list(student, course.student)
    assignment_row(student, "released", ASSIGNMENT).locator("button", has_text="Fetch").click()
    fetched = assignment_row(student, "fetched", ASSIGNMENT)
    steps.shot("student_fetched", page=student)
    student_edits(course)
    fetched.locator("button", has_text="Submit").click()
    submitted = assignment_row(student, "submitted", ASSIGNMENT)
    assert any(ch.isdigit() for ch in submitted.inner_text()), "no submission timestamp"
    steps.shot("student_submitted", page=student)

    instructor.reload()
    formgrader_action(instructor, ASSIGNMENT, "collect")
    close_modal(instructor)
    instructor.goto(course.instructor.url(f"formgrader/manage_submissions/{ASSIGNMENT}"))
    row = table_rows(instructor)[0]
    name = f"{STUDENT_NAME[1]}, {STUDENT_NAME[0]}"
    assert row[0] == name and row[1] == course.student_id and row[2] not in ("", "None"), row
    assert "needs autograding" in row[3], row
    steps.shot("submission_listed")
    formgrader_action(instructor, course.student_id, "autograde")
    close_modal(instructor)
    instructor.reload()
    row = table_rows(instructor)[0]
    score, total = score_parts(row[4])
    assert total == sum(part_points(ASSIGNMENT).values()) and 0 < score < total, row
    assert "graded" in row[3], row
    steps.shot("autograded")
    _read_submission(course, instructor, steps)

    formgrader_action(instructor, course.student_id, "generate-feedback")
    close_modal(instructor)
    formgrader_action(instructor, course.student_id, "release-feedback")
    close_modal(instructor)
    _read_feedback(course, student, steps)


def _read_submission(course, page, steps):
    """The TA opens the submission: every part's score, and our message on the mistake."""
    page.locator("tbody tr td.student-name a").first.click()
    page.locator("tbody tr td a").first.wait_for(timeout=60_000)
    steps.shot("student_assignment_page")
    page.locator("tbody tr td a").first.click()
    page.wait_for_function(     # the scores arrive after the page, from the gradebook API
        "() => { const inputs = document.querySelectorAll('input.score');"
        " return inputs.length && [...inputs].every(i => i.hasAttribute('placeholder')); }",
        timeout=60_000)
    text = page.locator("body").inner_text()
    for part, phrase in mistake().loses.items():
        assert phrase in text, f"{part}: {phrase!r} not on the submission page"
    maximum = part_points(ASSIGNMENT)
    shown = {grade_id: float(page.locator(f"input.score#{grade_id}").get_attribute("placeholder"))
             for grade_id in maximum}
    losing = set(mistake().loses) | set(mistake().cascades)
    assert all(shown[p] < maximum[p] for p in mistake().loses), shown
    assert all(shown[p] == maximum[p] for p in maximum if p not in losing), shown
    for part in mistake().loses:
        cell = page.locator("div.cell", has=page.locator(f"input.score#{part}")).first
        cell.scroll_into_view_if_needed()
        steps.shot(f"submission_page_{part}", locator=cell)
    page.goto(course.instructor.url(f"formgrader/manage_submissions/{ASSIGNMENT}"))
    table_rows(page)


def _read_feedback(course, student, steps):
    open_assignment_list(student, course.student)
    row = assignment_row(student, "submitted", ASSIGNMENT)
    row.locator("button", has_text="Fetch Feedback").click()
    link = assignment_row(student, "submitted", ASSIGNMENT).locator("a", has_text="view feedback")
    link.wait_for(timeout=120_000)
    steps.shot("student_feedback_fetched", page=student)
    # nbgrader's link opens the feedback folder in the file browser; the student then
    # opens the HTML file, which JupyterLab shows in its HTML viewer
    link.click()
    item = student.locator(".jp-DirListing-item", has_text=".html").first
    item.wait_for(timeout=60_000)
    item.dblclick()
    viewer = student.frame_locator(".jp-HTMLViewer iframe").first
    # the viewer's frame has a body before the feedback is written into it
    viewer.locator("body", has_text=f"{ASSIGNMENT} (Score:").wait_for(timeout=60_000)
    text = viewer.locator("body").inner_text()
    for part, phrase in mistake().loses.items():
        assert phrase in text, f"{part}: {phrase!r} not in the student's feedback"
    assert "BEGIN HIDDEN TESTS" not in text and "grader/checks" not in text
    steps.shot("student_reads_feedback", page=student)


def test_create_assignment_sidebar_shows_locked_autograder_tests(course, page):
    source = f"source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
    open_notebook(page, course.instructor, source)
    cells = create_assignment_cells(page)
    first_test = page.locator(".nbgrader-CellWidget", has=page.locator(".nbgrader-mod-locked"))
    first_test.first.scroll_into_view_if_needed()
    page.steps.shot("create_assignment_sidebar_at_a_check_cell")
    notebook = nbformat.read(str(course.course / source), as_version=4)
    expected = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
                for c in notebook.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    shown = {c["id"]: c for c in cells if c["type"] == "Autograded tests"}
    assert set(shown) == set(expected), (sorted(shown), sorted(expected))
    for grade_id, points in expected.items():
        assert float(shown[grade_id]["points"]) == points, shown[grade_id]
        assert shown[grade_id]["locked"], f"{grade_id} is not shown locked"
    answers = [c for c in cells if c["type"] == "Autograded answer"]
    assert answers and not any(c["locked"] for c in answers), "solution cells shown locked"
