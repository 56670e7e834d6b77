"""Browser tests: Playwright driving Debian's Chromium against a JupyterLab started here.

Skipped, with the reason shown, when Playwright or Chromium is missing (``make setup``
installs both). Every step's screenshot goes to ``test-artifacts/browser/<test>/``
(not committed) and is checked for a non-empty rendering; a failing test also leaves the
page's HTML and the browser console there.
"""

import os
import shutil

import pytest
from browser_fixtures import ARTIFACTS, browser, missing_reason, page  # noqa: F401 (fixtures)

from grader.course.layout import REPO_ROOT


def pytest_collection_modifyitems(config, items):
    reason = missing_reason()
    for item in items:
        if reason and "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


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
                server.api(f"kernels/{kernel['id']}", method="DELETE")
