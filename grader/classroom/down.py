"""Remove what a class left on this machine: its Unix accounts and groups (found by their
prefix) and its folders (exchange, course folders, the shared interpreter).

    python -m grader classroom down --prefix cnn3fa2 [--folder DIR ...]
    python -m grader classroom leftovers        prefixes of classes still on this machine

A class's folders are the ones named ``<prefix>-*`` in the temporary folder (where the
tests and the hub set-up create them) and any ``--folder`` given. ``make hub-stop`` and the
test fixtures call ``tear_down``.
"""

import pwd
import re
import shutil
import tempfile
from pathlib import Path

from grader.classroom.accounts import remove_accounts
from grader.classroom.hub import stop_hubs_under

# accounts.create_accounts writes "<prefix> class <role>" into each account's comment field
_MARK = re.compile(r"^([a-z][a-z0-9]{2,15}) class (instructor|ta|student)$")


def class_folders(prefix, under=None):
    """The folders named ``<prefix>-*`` directly in ``under`` (default: the temp folder)."""
    under = Path(under or tempfile.gettempdir())
    return sorted(p for p in under.glob(f"{prefix}-*") if p.is_dir() and not p.is_symlink())


def leftover_prefixes():
    """Prefixes of classes whose accounts are still on this machine."""
    found = set()
    for user in pwd.getpwall():
        match = _MARK.match(user.pw_gecos or "")
        if match and user.pw_name.startswith(f"{match.group(1)}-"):
            found.add(match.group(1))
    return sorted(found)


def tear_down(prefix, folders=()):
    """Remove the class's accounts, groups and folders; returns what was removed."""
    folders = [*class_folders(prefix), *map(Path, folders)]
    stop_hubs_under(folders)        # a hub's servers, proxy and lock on the repository first
    removed = remove_accounts(prefix)
    for folder in folders:
        if folder.exists():
            shutil.rmtree(folder)
            removed.append(str(folder))
    return removed


def _down(args):
    from grader.classroom.accounts import NotRoot
    try:
        removed = tear_down(args.prefix, args.folder or ())
    except (NotRoot, ValueError) as error:
        print(f"classroom down: {error}")
        return 2
    for name in removed:
        print(f"removed {name}")
    if not removed:
        print(f"nothing of class {args.prefix} was left")
    return 0


def _leftovers(args):
    prefixes = leftover_prefixes()
    for prefix in prefixes:
        print(prefix)
    return 0


def add_commands(commands):
    """``python -m grader classroom ...`` in the grader's command line."""
    classroom = commands.add_parser("classroom", help="a class on this machine (Unix "
                                    "accounts, nbgrader's exchange, course folders)")
    actions = classroom.add_subparsers(dest="action", required=True)
    down = actions.add_parser("down", help="remove a class's accounts, groups and folders")
    down.add_argument("--prefix", required=True, help="the class's prefix, e.g. cnn3fa2")
    down.add_argument("--folder", action="append", help="also remove this folder (repeatable)")
    down.set_defaults(run=_down)
    leftovers = actions.add_parser("leftovers", help="list the prefixes of classes whose "
                                   "accounts are still here")
    leftovers.set_defaults(run=_leftovers)
