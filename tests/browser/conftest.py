"""Browser tests: Playwright driving Debian's Chromium against a JupyterLab started here.

Skipped, with the reason shown, when Playwright or Chromium is missing (``make setup``
installs both). Every step's screenshot goes to ``test-artifacts/browser/<test>/``
(not committed) and is checked for a non-empty rendering; a failing test also leaves the
page's HTML and the browser console there.
"""

import os
import re
import shutil

import pytest
from browser_support import CHROMIUM_ARGS, chromium_path, rendered_colours

from grader.course.layout import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
MIN_COLOURS = 24            # a blank or single-colour page has a handful


def pytest_collection_modifyitems(config, items):
    reason = _missing()
    for item in items:
        if reason and "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


def _missing():
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make setup installs the 'browser' extra)"
    if chromium_path() is None:
        return "no Chromium found (apt-get install chromium, or set COURSE_CHROMIUM)"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Steps:
    """Screenshots of one test's steps, numbered in order, each checked non-empty."""

    def __init__(self, page, folder):
        self.page, self.folder, self.count = page, folder, 0
        self.console = []

    def shot(self, name, locator=None, full_page=False):
        self.count += 1
        path = self.folder / f"{self.count:02d}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        if locator is not None:
            locator.screenshot(path=path)
        else:
            self.page.screenshot(path=path, full_page=full_page)
        colours = rendered_colours(path)
        assert colours >= MIN_COLOURS, f"{path.name} looks empty ({colours} colours)"
        return path


@pytest.fixture
def page(browser, request):
    """A fresh browser page for one test, with its step screenshots and console kept."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    new_page = context.new_page()
    steps = Steps(new_page, folder)
    new_page.on("console", lambda m: steps.console.append(f"[{m.type}] {m.text}"))
    new_page.on("pageerror", lambda e: steps.console.append(f"[pageerror] {e}"))
    new_page.steps = steps
    yield new_page
    if getattr(request.node, "browser_failed", False):
        _keep_failure(new_page, steps, folder)
    context.close()


def _keep_failure(page, steps, folder):
    from playwright.sync_api import Error as PlaywrightError

    for target in [page, *[p for p in page.context.pages if p is not page]]:
        try:
            index = page.context.pages.index(target)
            (folder / f"failure_{index}.html").write_text(target.content())
            target.screenshot(path=folder / f"failure_{index}.png", full_page=True)
        except PlaywrightError as error:    # a crashed page still leaves the console
            steps.console.append(f"[artifact] could not save page {target.url}: {error}")
    (folder / "console.log").write_text("\n".join(steps.console) + "\n")


@pytest.fixture(scope="session")
def artifacts_root():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def kernel_env():
    """Notebook kernels: quick budgets, this checkout's source_lib."""
    return {"COURSE_QUICK": "1",
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT)] + [
                p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}


@pytest.fixture(scope="session")
def student_lab(tmp_path_factory, kernel_env, artifacts_root):
    """One JupyterLab per test process for the student tests (each test its own folder)."""
    from lab_server import start_lab, stop_lab
    root = tmp_path_factory.mktemp("student_lab")
    state = tmp_path_factory.mktemp("student_lab_state")
    server = start_lab(root, state, kernel_env)
    try:
        yield server
    finally:
        stop_lab(server)
        shutil.copy(server.log, artifacts_root / f"student_lab_{os.getpid()}.log")


@pytest.fixture(autouse=True)
def _no_kernels_left(request):
    """Each test's kernels are shut down after it (memory: notebooks hold models)."""
    yield
    for name in ("student_lab",):
        if name in request.fixturenames:
            server = request.getfixturevalue(name)
            for kernel in server.api("kernels"):
                server.delete(f"kernels/{kernel['id']}")
