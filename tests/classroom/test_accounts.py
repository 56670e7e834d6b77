"""Unix accounts for a class (grader.classroom.accounts): ids, groups, private homes and a
removal that leaves nothing, also by `python -m grader classroom down`. About 5 s
(useradd/userdel of 9 accounts, the shared interpreter, two `python -m grader` runs)."""

import grp
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.classroom.accounts import (NotRoot, create_accounts, graders_group, new_prefix,
                                       remove_accounts, run_as)
from grader.course.layout import REPO_ROOT

# every classroom test runs in one process, on one class: the hub test closes the
# repository to all but that class's graders while its hub runs
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("classroom")]


def _groups_of(done):
    """The group names `id -Gn` printed."""
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_run_as_has_the_accounts_uid_groups_and_home(classroom):
    graders = graders_group(classroom.prefix)
    for account in classroom.accounts:
        entry = pwd.getpwnam(account.name)
        done = run_as(account, ["id", "-u"])
        assert done.stdout.strip() == str(entry.pw_uid) != "0"
        groups = _groups_of(run_as(account, ["id", "-Gn"]))
        assert account.name in groups
        assert (graders in groups) == (account.role in ("instructor", "ta")), account
        home = run_as(account, ["sh", "-c", 'echo "$HOME $USER"; pwd'])
        assert home.stdout.split() == [str(account.home), account.name, str(account.home)]
        assert oct(account.home.stat().st_mode & 0o777) == "0o700"
        assert account.home.stat().st_uid == entry.pw_uid
        assert len(account.password) >= 12


def test_a_student_cannot_read_another_home(classroom):
    first, second = classroom.students[:2]
    secret = run_as(second, ["sh", "-c", "echo mine > answers.txt"])
    assert secret.returncode == 0, secret.stderr
    for argv in (["ls", second.home], ["cat", second.home / "answers.txt"]):
        done = run_as(first, argv)
        assert done.returncode != 0 and "Permission denied" in done.stderr
    for grader_account in (classroom.instructor, classroom.ta):
        assert run_as(grader_account, ["ls", second.home]).returncode != 0
    assert run_as(second, ["cat", "answers.txt"]).stdout == "mine\n"


def test_remove_accounts_leaves_nothing():
    if os.geteuid() != 0:
        pytest.skip("needs root to create Unix users")
    prefix = new_prefix()
    try:
        made = create_accounts(prefix, {"ta": 1, "student": 1})
        assert [a.name for a in made] == [f"{prefix}-ta", f"{prefix}-student1"]
        with pytest.raises(ValueError, match="in use"):
            create_accounts(prefix, {"student": 1})
        homes = [a.home for a in made]
        assert all(h.is_dir() for h in homes)
    finally:
        removed = remove_accounts(prefix)
    assert set(removed) >= {f"{prefix}-ta", f"{prefix}-student1", graders_group(prefix)}
    start = f"{prefix}-"
    assert not [u for u in pwd.getpwall() if u.pw_name.startswith(start)]
    assert not [g for g in grp.getgrall() if g.gr_name.startswith(start)]
    assert not any(h.exists() for h in homes)
    assert remove_accounts(prefix) == []        # idempotent


def test_an_ordinary_user_is_told_why_root_is_needed(classroom, class_python):
    code = ("from grader.classroom.accounts import create_accounts\n"
            "try:\n    create_accounts('cnnzzzz', {'student': 1})\n"
            "except Exception as e:\n    print(type(e).__name__, e)")
    done = run_as(classroom.students[0], [class_python, "-c", code],
                  env={"PYTHONPATH": str(REPO_ROOT)})
    assert done.stdout.startswith("NotRoot") and "needs root" in done.stdout, done
    assert NotRoot.__doc__


def test_classroom_down_removes_what_a_killed_run_left():
    """`python -m grader classroom leftovers` finds the class by its accounts' comment,
    `down --prefix` removes accounts, groups and the class's folders in the temp folder."""
    if os.geteuid() != 0:
        pytest.skip("needs root to create Unix users")
    prefix = new_prefix()
    folder = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    try:
        create_accounts(prefix, {"instructor": 1, "student": 1})
        (folder / "exchange").mkdir()
        grader = [sys.executable, "-m", "grader", "classroom"]
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        found = subprocess.run([*grader, "leftovers"], capture_output=True, text=True, env=env)
        assert prefix in found.stdout.split()
        done = subprocess.run([*grader, "down", "--prefix", prefix], capture_output=True,
                              text=True, env=env)
        assert done.returncode == 0, done.stderr
        assert f"removed {prefix}-student1" in done.stdout and str(folder) in done.stdout
    finally:
        remove_accounts(prefix)
        shutil.rmtree(folder, ignore_errors=True)
    assert not folder.exists()
    assert not [u for u in pwd.getpwall() if u.pw_name.startswith(f"{prefix}-")]
