"""What a person does in JupyterLab, as Playwright steps: open a notebook, Run All from
the Run menu, save, press nbgrader's Validate, move a widget's control.

The waits read JupyterLab's own state (the server is started with
``expose_app_in_browser``, so ``window.jupyterapp`` is the running application) rather
than sleeping: a kernel is ready when its status is idle, a Run All is over when no cell
waits with ``[*]`` and the kernel has stayed idle for a moment.
"""

import secrets
import time

KERNEL_READY = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  if (!w || !w.sessionContext || !w.sessionContext.session) return false;
  const kernel = w.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}"""
RUNNING = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const kernel = w.sessionContext.session.kernel;
  const waiting = [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')]
      .some(p => p.textContent.includes('*'));
  return waiting || kernel.status !== 'idle';
}"""
DIRTY = "() => window.jupyterapp.shell.currentWidget.context.model.dirty"


def open_notebook(page, server, path, timeout=120):
    """Open ``path`` (relative to the server's root) and wait for its kernel."""
    # A workspace of its own: JupyterLab would otherwise reopen the notebooks of earlier
    # tests (the server keeps one default workspace) behind this one.
    page.goto(server.url(f"lab/workspaces/{secrets.token_hex(4)}/tree/{path}?reset"))
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell",
                           timeout=timeout * 1000)
    page.wait_for_function(KERNEL_READY, timeout=timeout * 1000)


def menu(page, top, item):
    """Click ``item`` in the menu bar's ``top`` menu, as a person would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=top).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=item).first.click()


def run_all(page, timeout):
    """Run > Run All Cells, then wait until every queued cell has run or the run stopped
    at an error (the kernel idle for a second and no ``[*]``). Returns the seconds."""
    started = time.monotonic()
    menu(page, "Run", "Run All Cells")
    page.wait_for_timeout(500)
    deadline = started + timeout
    idle_since = None
    while time.monotonic() < deadline:
        if page.evaluate(RUNNING):
            idle_since = None
        elif idle_since is None:
            idle_since = time.monotonic()
        elif time.monotonic() - idle_since > 1.5:
            return time.monotonic() - started
        page.wait_for_timeout(250)
    raise TimeoutError(f"Run All still running after {timeout} s")


def save(page):
    """File > Save Notebook, and wait until JupyterLab says the file is saved."""
    menu(page, "File", "Save Notebook")
    page.wait_for_function(f"() => !({DIRTY})()", timeout=30_000)


def validate(page, timeout=600):
    """Press nbgrader's Validate button; returns the dialog's text once it has a result."""
    page.locator(".jp-Toolbar-item", has_text="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=timeout * 1000)
    page.wait_for_function(
        "() => { const d = document.querySelector('.jp-Dialog');"
        " return d && !/validating/i.test(d.textContent); }", timeout=timeout * 1000)
    return dialog.inner_text()
