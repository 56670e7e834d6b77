"""Unix accounts for a class on this machine: an instructor, TAs and students.

nbgrader's file-system exchange relies on real Unix users: the exchange's permissions are
what keep a student out of another's submission, and the hub logs each person in with PAM.
Every account of one class carries the same prefix (``cnn3fa2-student1``), so the whole
class can be found again and removed by that prefix, also after a crash. Accounts and
groups that do not carry the prefix are never touched.
"""

import grp
import os
import pwd
import re
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROLES = ("instructor", "ta", "student")
GRADER_ROLES = ("instructor", "ta")
GRADERS_GROUP = "{prefix}-graders"
# lower-case letters and digits, so every derived name is a valid, portable user name
# (at most 32 characters with the longest role suffix)
PREFIX_PATTERN = re.compile(r"^[a-z][a-z0-9]{2,15}$")
SHELL = "/bin/bash"
PATH = "/usr/local/bin:/usr/bin:/bin"
# graders share the course folder (group-writable); students keep their files to themselves
UMASKS = {"instructor": 0o007, "ta": 0o007, "student": 0o077}


class NotRoot(RuntimeError):
    """Creating and removing Unix users needs root."""


@dataclass(frozen=True)
class Account:
    name: str          # the Unix user name
    role: str          # "instructor" | "ta" | "student"
    password: str      # random, set with chpasswd (the hub's PAM login uses it)
    home: Path


def new_prefix(stem="cnn"):
    """A prefix unique to this run: ``cnn`` and four random hex digits."""
    return f"{stem}{secrets.token_hex(2)}"


def graders_group(prefix):
    """The group of the class's instructor and TAs (they share the course folder)."""
    return GRADERS_GROUP.format(prefix=prefix)


def _require_root(what):
    if os.geteuid() != 0:
        raise NotRoot(f"{what} needs root: it creates or removes Unix users and groups "
                      f"(useradd, userdel, groupadd), which only root may do")


def _check_prefix(prefix):
    if not PREFIX_PATTERN.match(prefix or ""):
        raise ValueError(f"prefix {prefix!r}: 3 to 16 lower-case letters and digits, "
                         f"starting with a letter")


def _sbin(command, *args, stdin=None):
    """Run a user-administration command; its message in the error when it fails."""
    done = subprocess.run([command, *args], input=stdin, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{command} {' '.join(args)} failed: {done.stderr.strip()}")


def _names(prefix, roles):
    """(name, role) per account: students numbered, other roles numbered only when
    there are several (cnn3fa2-instructor, cnn3fa2-ta, cnn3fa2-student1..3)."""
    for role, count in roles.items():
        if role not in ROLES:
            raise ValueError(f"role {role!r}: one of {', '.join(ROLES)}")
        numbered = role == "student" or count > 1
        for number in range(1, count + 1):
            yield f"{prefix}-{role}{number if numbered else ''}", role


def _taken(prefix):
    """Users and groups that already carry this prefix."""
    start = f"{prefix}-"
    return sorted({u.pw_name for u in pwd.getpwall() if u.pw_name.startswith(start)}
                  | {g.gr_name for g in grp.getgrall() if g.gr_name.startswith(start)})


def _create_one(name, role, prefix):
    extra = ["-G", graders_group(prefix)] if role in GRADER_ROLES else []
    _sbin("useradd", "--create-home", "--user-group", "--shell", SHELL,
          "--comment", f"{prefix} class {role}", *extra, name)
    home = Path(pwd.getpwnam(name).pw_dir)
    home.chmod(0o700)       # nobody else reads a home (useradd's default mode varies)
    password = secrets.token_urlsafe(12)
    _sbin("chpasswd", stdin=f"{name}:{password}\n")
    return Account(name=name, role=role, password=password, home=home)


def create_accounts(prefix, roles):
    """Create the class's accounts, e.g. ``create_accounts("cnn3fa2", {"instructor": 1,
    "ta": 1, "student": 3})``: each with a private home (0700) and a random password, the
    instructor and TAs in the group ``<prefix>-graders``. Nothing is left behind when a
    step fails. Raises NotRoot, or ValueError when the prefix is already in use."""
    _require_root("create_accounts")
    _check_prefix(prefix)
    taken = _taken(prefix)
    if taken:
        raise ValueError(f"prefix {prefix!r} is in use ({', '.join(taken)}): pick another")
    try:
        _sbin("groupadd", graders_group(prefix))
        return [_create_one(name, role, prefix) for name, role in _names(prefix, roles)]
    except BaseException:
        remove_accounts(prefix)
        raise


def _processes_of(uid):
    """Pids of the processes running as ``uid`` (read from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue        # it ended meanwhile
        uids = next((line.split()[1:] for line in status.splitlines()
                     if line.startswith("Uid:")), [])
        if str(uid) in uids:
            pids.append(int(entry.name))
    return pids


def _end_processes(uid, wait=5.0):
    """SIGKILL every process of a class account, one pid at a time (userdel refuses a
    user who still runs something: a kernel, a single-user server, a grading slot)."""
    deadline = time.monotonic() + wait
    while (pids := _processes_of(uid)) and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.05)


def remove_accounts(prefix):
    """Remove every user and group whose name starts with ``<prefix>-``, homes and mail
    spools too, after ending their processes. Idempotent; returns the names removed."""
    _require_root("remove_accounts")
    _check_prefix(prefix)
    start, removed = f"{prefix}-", []
    for user in [u for u in pwd.getpwall() if u.pw_name.startswith(start)]:
        _end_processes(user.pw_uid)
        _sbin("userdel", "--remove", user.pw_name)
        removed.append(user.pw_name)
    for group in [g for g in grp.getgrall() if g.gr_name.startswith(start)]:
        if group.gr_name not in removed:    # userdel removed the user's own group
            _sbin("groupdel", group.gr_name)
        removed.append(group.gr_name)
    return sorted(set(removed))


def user_env(account, env=None):
    """A clean login-like environment for ``account``, plus ``env``."""
    clean = {"HOME": str(account.home), "USER": account.name, "LOGNAME": account.name,
             "SHELL": SHELL, "PATH": PATH, "LANG": "C.UTF-8"}
    clean.update(env or {})
    return clean


def run_as(account, argv, *, cwd=None, env=None, timeout=600):
    """Run ``argv`` as ``account`` (its uid, gid, supplementary groups, HOME, USER, a clean
    environment plus ``env``; umask 007 for graders, 077 for students), output captured
    as text. A non-zero exit is returned, never raised; a timeout raises TimeoutExpired."""
    entry = pwd.getpwnam(account.name)
    groups = os.getgrouplist(account.name, entry.pw_gid)
    return subprocess.run(list(map(str, argv)), cwd=str(cwd or account.home),
                          env=user_env(account, env), user=entry.pw_uid, group=entry.pw_gid,
                          extra_groups=groups, umask=UMASKS.get(account.role, 0o077),
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
