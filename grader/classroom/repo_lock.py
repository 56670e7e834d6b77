"""Keep students out of the instructor's install while a class runs on this machine.

The repository holds every answer (``course/solutions/``, ``grader/checks/*/reference.py``)
and its ``.venv`` imports them. Its files are world-readable as git checks them out, so
the repository's own folder is closed to everyone but its owner and the class's graders
group (mode 0750, group ``<prefix>-graders``): a student cannot enter it, so no path,
import or editable install reaches anything inside. The instructor and TAs still read it:
the formgrader grades with it. Only that one folder's mode and group change; what they
were is kept in the hub's state folder and put back by ``unlock_repository``.
"""

import grp
import json
import os
from pathlib import Path

from grader.course.layout import REPO_ROOT

RECORD = "repository-mode.json"
LOCKED_MODE = 0o750


def lock_repository(graders_group, state_dir, repo=REPO_ROOT):
    """Close ``repo`` to all but its owner and ``graders_group``; remember how it was."""
    record = Path(state_dir) / RECORD
    status = os.stat(repo)
    if not record.exists():     # a second lock (a restart) keeps the first original
        record.write_text(json.dumps({"path": str(repo), "mode": status.st_mode & 0o7777,
                                      "gid": status.st_gid}))
    os.chown(repo, -1, grp.getgrnam(graders_group).gr_gid)
    os.chmod(repo, LOCKED_MODE)


def unlock_repository(state_dir):
    """Give the repository back its mode and group (nothing to do if it was not locked)."""
    record = Path(state_dir) / RECORD
    if not record.exists():
        return None
    saved = json.loads(record.read_text())
    repo = Path(saved["path"])
    if repo.exists():
        os.chown(repo, -1, saved["gid"])
        os.chmod(repo, saved["mode"])
    record.unlink()
    return repo
