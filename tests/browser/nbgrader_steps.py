"""nbgrader's pages as a person uses them: the formgrader's tables and their buttons, the
student's Assignments tab in JupyterLab, the Create Assignment sidebar.

The formgrader (nbgrader 0.9.6) answers each button with a modal whose id is
``success-modal`` or ``error-modal``; a row's buttons are links in cells named by class
(``td.assign``, ``td.release``, ``td.collect``, ``td.autograde``, ...).
"""

import re

from lab_page import menu

ACTION_TIMEOUT = 600        # autograding a notebook with our sandboxed grader


def formgrader_action(page, row_text, column, timeout=ACTION_TIMEOUT):
    """Press the button in ``column`` of the table row holding ``row_text``; returns the
    success modal's message (fails with the error modal's text, log included)."""
    row = page.locator("tbody tr", has_text=row_text).first
    row.locator(f"td.{column} a").first.click()
    modal = page.locator("#success-modal, #error-modal").first
    modal.wait_for(state="visible", timeout=timeout * 1000)
    text = modal.inner_text()
    assert modal.get_attribute("id") == "success-modal", text[:3000]
    return text


def close_modal(page):
    modal = page.locator("#success-modal").first
    modal.locator(".modal-footer button").last.click()
    modal.wait_for(state="detached", timeout=30_000)


def table_rows(page):
    """The formgrader table's rows as lists of cell texts (after its data has loaded)."""
    page.wait_for_function(
        "() => { const cells = document.querySelectorAll('tbody tr td');"
        " return cells.length > 1 && !/Loading, please wait/.test(cells[0].textContent); }",
        timeout=60_000)
    return [[c.strip() for c in row.locator("td").all_inner_texts()]
            for row in page.locator("tbody tr").all()]


def open_assignment_list(page, server):
    """The student's Assignments tab (Nbgrader > Assignment List) in a fresh workspace."""
    page.goto(server.url("lab?reset"))
    page.wait_for_selector(".lm-MenuBar-itemLabel", timeout=120_000)
    menu(page, "Nbgrader", "Assignment List")
    page.locator("#released_assignments_list").wait_for(timeout=60_000)
    return page.locator("#assignments")


def assignment_row(page, listing, assignment, timeout=120):
    """The row of ``assignment`` in one of the tab's lists (released, fetched, submitted),
    once it is there."""
    row = page.locator(f"#{listing}_assignments_list .list_item", has_text=assignment).first
    row.wait_for(timeout=timeout * 1000)
    return row


SIDEBAR_CELLS = """() => [...document.querySelectorAll('.nbgrader-CellWidget')].map(w => {
  const select = w.querySelector('.nbgrader-CellType select');
  const lock = w.querySelector('.nbgrader-LockButton');
  const value = (selector) => { const i = w.querySelector(selector); return i ? i.value : null; };
  return {type: select && select.selectedIndex >= 0 ? select.options[select.selectedIndex].text : '',
          id: value('.nbgrader-CellId input'), points: value('.nbgrader-CellPoints input'),
          locked: !!lock && lock.classList.contains('nbgrader-mod-locked')};
})"""


def create_assignment_cells(page):
    """Open the Create Assignment sidebar; returns, per notebook cell, what the sidebar
    shows: {type, id, points, locked}."""
    page.locator(".lm-TabBar-tab", has_text="Create Assignment").first.click()
    page.locator(".nbgrader-CellWidget").first.wait_for(timeout=30_000)
    return page.evaluate(SIDEBAR_CELLS)


def score_parts(text):
    """'12 / 32' -> (12.0, 32.0)."""
    match = re.search(r"([\d.]+)\s*/\s*([\d.]+)", text)
    assert match, f"no score in {text!r}"
    return float(match.group(1)), float(match.group(2))
