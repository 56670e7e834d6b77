"""Find a notebook's interactive widgets in the page and change one control of each.

A widget responds when its cell's rendering changes after the change: a figure's pixels
(the image data), or the text the widget shows. Progress bars and file pickers have
nothing to move and are not counted as interactive.
"""

import time

# Controls in the order a person would try them: move a slider, pick another entry of a
# list, press another toggle; a plain button last (it may start a long computation).
CONTROLS = [
    ("slider", ".widget-slider .noUi-handle, .widget-hslider .noUi-handle"),
    ("dropdown", ".widget-dropdown select"),
    ("toggle", ".widget-toggle-buttons button"),
    ("radio", ".widget-radiobuttons input[type=radio]"),
    ("checkbox", ".widget-checkbox input[type=checkbox]"),
    ("button", "button.widget-button"),
]

SIGNATURE = """(cell) => {
  const area = cell.querySelector('.jp-OutputArea');
  if (!area) return '';
  const images = [...area.querySelectorAll('img')].map(i => i.src.length + ':' + i.src.slice(-80));
  const canvases = [...area.querySelectorAll('canvas')].map(c => {
      try { return c.toDataURL().length; } catch (e) { return 0; } });
  return images.join('|') + '#' + canvases.join('|') + '#' + area.innerText;
}"""


def widget_cells(page):
    """Locators of the code cells whose outputs hold an interactive control."""
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    found = []
    for index in range(cells.count()):
        cell = cells.nth(index)
        if any(cell.locator(f".jp-OutputArea {selector}").count()
               for _, selector in CONTROLS):
            found.append((index, cell))
    return found


def change_one_control(cell):
    """Change the first control of the cell; returns what was changed, in words."""
    for kind, selector in CONTROLS:
        controls = cell.locator(f".jp-OutputArea {selector}")
        if not controls.count():
            continue
        control = controls.first
        control.scroll_into_view_if_needed()
        if kind == "slider":
            now, top = (control.get_attribute(a) for a in ("aria-valuenow", "aria-valuemax"))
            at_top = now is not None and top is not None and float(now) >= float(top)
            key = "ArrowLeft" if at_top else "ArrowRight"
            control.focus()
            for _ in range(3):
                control.press(key)
            return f"slider moved from {now} with {key}"
        if kind == "dropdown":
            options = control.locator("option")
            current = control.input_value()
            values = [options.nth(i).get_attribute("value") for i in range(options.count())]
            choice = next((v for v in values if v != current), None)
            if choice is None:
                continue
            control.select_option(choice)
            return f"dropdown changed to {options.nth(values.index(choice)).inner_text()!r}"
        if kind in ("toggle", "radio"):
            target = next((controls.nth(i) for i in range(controls.count())
                           if not _chosen(controls.nth(i), kind)), None)
            if target is None:
                continue
            target.click()
            return f"{kind} set to {target.inner_text() or target.get_attribute('value')!r}"
        control.click()
        return f"{kind} {control.inner_text()!r} pressed"
    raise AssertionError("no control to change")


def _chosen(control, kind):
    if kind == "toggle":
        return "mod-active" in (control.get_attribute("class") or "")
    return control.is_checked()


def responds(page, cell, timeout=90):
    """Change one control of ``cell`` and wait until the cell shows something else;
    returns (what was changed, seconds until it showed)."""
    handle = cell.element_handle()
    before = page.evaluate(SIGNATURE, handle)
    what = change_one_control(cell)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        page.wait_for_timeout(300)
        after = page.evaluate(SIGNATURE, handle)
        if after != before and not _busy(page):
            return what, time.monotonic() - started
    raise AssertionError(f"{what}: the widget's output did not change in {timeout} s")


def _busy(page):
    return page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.status"
        " !== 'idle'")
