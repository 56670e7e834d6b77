"""Fixtures shared by the classroom tests (the exchange cycle and the hub): one class of
real Unix users for the whole session, removed at the end, also when a test fails.

Every name carries a prefix unique to the run (``cnn`` + 4 hex digits); a run killed
before its finalizers leaves accounts that `python -m grader classroom down --prefix P`
removes."""

import os
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

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
    from grader.classroom.accounts import create_accounts, new_prefix, remove_accounts
    prefix = new_prefix()
    # /tmp/pytest-of-root is 0700: the class's users could not reach a folder inside it
    root = Path(tempfile.mkdtemp(prefix=f"{prefix}-", dir="/tmp"))
    root.chmod(0o755)

    def remove():
        remove_accounts(prefix)
        shutil.rmtree(root, ignore_errors=True)

    request.addfinalizer(remove)
    accounts = create_accounts(prefix, CLASS_ROLES)
    by_role = {role: [a for a in accounts if a.role == role] for role in CLASS_ROLES}
    return SimpleNamespace(prefix=prefix, accounts=accounts, root=root,
                           instructor=by_role["instructor"][0], ta=by_role["ta"][0],
                           students=by_role["student"])
