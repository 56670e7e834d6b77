"""Unix accounts for a class (grader.classroom.accounts): ids, groups, private homes and a
removal that leaves nothing. About 2 s (useradd/userdel of 7 accounts)."""

import grp
import os
import pwd

import pytest

from grader.classroom.accounts import (NotRoot, create_accounts, graders_group, new_prefix,
                                       remove_accounts, run_as)

pytestmark = pytest.mark.slow


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


def test_an_ordinary_user_is_told_why_root_is_needed(classroom):
    code = ("from grader.classroom.accounts import create_accounts\n"
            "try:\n    create_accounts('cnnzzzz', {'student': 1})\n"
            "except Exception as e:\n    print(type(e).__name__, e)")
    try:
        done = run_as(classroom.students[0], [os.sys.executable, "-c", code],
                      env={"PYTHONPATH": os.getcwd()})
    except PermissionError:
        pytest.skip(f"this Python ({os.sys.executable}) cannot be run by other users")
    assert done.stdout.startswith("NotRoot") and "needs root" in done.stdout, done
    assert NotRoot.__doc__
