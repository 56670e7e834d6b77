"""The browser fixtures (``browser``, ``page``) of tests/browser and of the hub's browser
test in tests/classroom: one Chromium per test process, a fresh context per test, and
``page.steps``, whose every screenshot (``test-artifacts/browser/<test>/NN_step.png``) must
show something. A failing test also leaves each page's HTML and screenshot and the browser
console there. Without Playwright or Chromium the test is skipped with the reason."""

import re
import shutil

import pytest
from browser_support import CHROMIUM_ARGS, chromium_path, rendered_colours

from grader.course.layout import REPO_ROOT

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
MIN_COLOURS = 24            # a blank or single-colour page has a handful


def missing_reason():
    """Why the browser tests cannot run here (None: they can)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make setup installs the 'browser' extra)"
    if chromium_path() is None:
        return "no Chromium found (apt-get install chromium, or set COURSE_CHROMIUM)"
    return None


_SHARED = {}     # this process's one Playwright and Chromium (see ``browser``)


@pytest.fixture(scope="session")
def browser(request):
    """Chromium, started once per test process. Both folders' conftest import this
    fixture, so pytest sees two definitions; a second Playwright in one process would
    fail ("Sync API inside the asyncio loop"), hence one shared browser, closed when the
    session ends."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright
        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        request.config.add_cleanup(_close_shared)
    return _SHARED["browser"]


def _close_shared():
    _SHARED.pop("browser").close()
    _SHARED.pop("playwright").stop()


class Steps:
    """Screenshots of one test's steps, numbered in order, each checked non-empty."""

    def __init__(self, page, folder):
        self.page, self.folder, self.count = page, folder, 0
        self.console = []

    def shot(self, name, locator=None, full_page=False, page=None):
        """Screenshot ``page`` (default: the test's own; another person's page is numbered
        with the same steps), or only ``locator``."""
        self.count += 1
        path = self.folder / f"{self.count:02d}_{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        if locator is not None:
            locator.screenshot(path=path)
        else:
            (page or self.page).screenshot(path=path, full_page=full_page)
        colours = rendered_colours(path)
        assert colours >= MIN_COLOURS, f"{path.name} looks empty ({colours} colours)"
        return path


@pytest.fixture
def page(browser, request):
    """A fresh browser page for one test, with its step screenshots and console kept."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    new_page = context.new_page()
    steps = Steps(new_page, folder)
    new_page.on("console", lambda m: steps.console.append(f"[{m.type}] {m.text}"))
    new_page.on("pageerror", lambda e: steps.console.append(f"[pageerror] {e}"))
    new_page.steps = steps
    failed_before = request.session.testsfailed
    yield new_page
    # tests of one process run one at a time: a new failure is this test's. Its pages
    # are all the browser's pages (a test may open a second person's context).
    pages = [p for c in browser.contexts for p in c.pages]
    if request.session.testsfailed > failed_before:
        _keep_failure(pages, steps, folder)
    for opened in list(browser.contexts):
        opened.close()


def _keep_failure(pages, steps, folder):
    from playwright.sync_api import Error as PlaywrightError

    for index, target in enumerate(pages):
        try:
            (folder / f"failure_{index}.html").write_text(target.content())
            target.screenshot(path=folder / f"failure_{index}.png", full_page=True)
        except PlaywrightError as error:    # a crashed page still leaves the console
            steps.console.append(f"[artifact] could not save page {target.url}: {error}")
    (folder / "console.log").write_text("\n".join(steps.console) + "\n")
