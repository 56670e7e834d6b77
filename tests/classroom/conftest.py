"""Fixtures shared by the classroom tests (the exchange cycle and the hub): one class of
real Unix users for the whole session, removed at the end, also when a test fails.

Every name carries a prefix unique to the run (``cnn`` + 4 hex digits); a run killed
before its finalizers leaves accounts that `python -m grader classroom down --prefix P`
removes."""

import os
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from hub_fixture import hub  # noqa: F401 (a fixture)

# the browser tests' fixtures and helpers (tests/browser), for test_hub_in_browser
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from browser_fixtures import browser, page  # noqa: F401 (fixtures)

CLASS_ROLES = {"instructor": 1, "ta": 1, "student": 3}


def _need_root():
    if os.geteuid() != 0:
        pytest.skip("needs root to create Unix users")


@pytest.fixture(scope="session")
def classroom(request):
    """A class: ``prefix``, ``accounts``, ``instructor``, ``ta``, ``students`` (3) and
    ``root``, a folder every account can traverse (0755) for exchanges and course folders.
    Everything is removed when the session ends, whatever happened."""
    _need_root()
    from grader.classroom.accounts import create_accounts, new_prefix
    from grader.classroom.down import tear_down
    prefix = new_prefix()
    # /tmp/pytest-of-root is 0700: the class's users could not reach a folder inside it
    root = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir="/tmp"))
    root.chmod(0o755)

    def remove():
        tear_down(prefix, [root])

    request.addfinalizer(remove)
    accounts = create_accounts(prefix, CLASS_ROLES)
    by_role = {role: [a for a in accounts if a.role == role] for role in CLASS_ROLES}
    return SimpleNamespace(prefix=prefix, accounts=accounts, root=root,
                           instructor=by_role["instructor"][0], ta=by_role["ta"][0],
                           students=by_role["student"])


@pytest.fixture(scope="session")
def class_python(classroom):
    """An interpreter every account of the class can run, with the course's packages and
    this checkout (``grader.classroom.python_env``: this one, or a hard-linked venv of the
    system's Python when this one sits where only root can reach it)."""
    from grader.classroom.python_env import ClassPythonUnavailable, class_python
    try:
        return class_python(classroom.root / "python")
    except ClassPythonUnavailable as error:
        pytest.skip(str(error))
