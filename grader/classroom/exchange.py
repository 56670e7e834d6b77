"""nbgrader's file-system exchange and the course folders of a class on this machine.

    <exchange>/                      world-writable + sticky (nbgrader's documented set-up)
    <exchange>/<course_id>/          the instructor's, group <prefix>-graders, 2775 (setgid:
                                     nbgrader's inbound/, outbound/, feedback/ inherit the
                                     group, so a TA can collect what students hand in)
    <course folder>/                 the instructor's, group graders, 2770: source/,
                                     release/, submitted/, gradebook.db ... (students: no)
    ~student/.jupyter/nbgrader_config.py   where the exchange is, which course(s)

The course folder's ``nbgrader_config.py`` is the one ``python -m grader`` writes
(``grader.course.nbgrader_config``: our sandboxed grader in place of nbgrader's Execute),
with the course's id, the shared exchange and ``CourseDirectory.groupshared`` (an
instructor and TAs share it through the group).
"""

import grp
import os
import pwd
from pathlib import Path

from grader.course.generate import prepare_source
from grader.course.nbgrader_config import CONFIG_MARKER, config_text

EXCHANGE_MODE = 0o1777      # everyone hands in; nobody deletes another's course folder
COURSE_IN_EXCHANGE_MODE = 0o2775
COURSE_DIR_MODE, COURSE_FILE_MODE = 0o2770, 0o660
CLASSROOM_HEADER = ("# Written by `python -m grader classroom` for course {course_id}; this "
                    "file is the course's own\n# from now on (`python -m grader autograde` "
                    "keeps it).")


def make_exchange(root):
    """nbgrader's exchange folder at ``root``, created if missing, world-writable + sticky."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(EXCHANGE_MODE)
    return root


def _instructor_of(graders):
    """The instructor among the graders group's members (else root keeps the folder)."""
    members = grp.getgrnam(graders).gr_mem
    return next((m for m in members if m.endswith("-instructor")), "root")


def _hand_over(root, uid, gid):
    """Give the course folder to the instructor and the graders group: setgid
    directories, group-writable files, nothing for others."""
    for folder, _, files in os.walk(root):
        os.chown(folder, uid, gid)
        os.chmod(folder, COURSE_DIR_MODE)
        for name in files:
            path = os.path.join(folder, name)
            os.chown(path, uid, gid)
            os.chmod(path, COURSE_FILE_MODE)


def make_course(course_id, root, exchange, graders, assignments, late_penalty=None,
                owner=None):
    """An nbgrader course folder at ``root`` for these assignments (source/ from the
    solutions, as ``python -m grader release`` lays them out; the instructor runs
    ``nbgrader generate_assignment``), owned by ``owner`` (default: the graders group's
    instructor) and ``graders``, unreadable by students; its course folder in the
    exchange is made too. ``late_penalty``: nbgrader's LateSubmissionPlugin method."""
    root, exchange = Path(root), Path(exchange)
    root.mkdir(parents=True, exist_ok=True)
    for assignment in assignments:
        prepare_source(assignment, root)
    text = config_text(root, late_penalty, course_id=course_id, exchange=exchange,
                       groupshared=True)
    text = text.replace(CONFIG_MARKER, CLASSROOM_HEADER.format(course_id=course_id), 1)
    (root / "nbgrader_config.py").write_text(text)
    # SQLite creates a database (and its journal) with mode 0644: made by the instructor,
    # the TA could not write it. An empty file is a new database to nbgrader.
    (root / "gradebook.db").touch()
    uid = pwd.getpwnam(owner or _instructor_of(graders)).pw_uid
    gid = grp.getgrnam(graders).gr_gid
    _hand_over(root, uid, gid)
    in_exchange = exchange / course_id
    in_exchange.mkdir(exist_ok=True)
    os.chown(in_exchange, uid, gid)
    in_exchange.chmod(COURSE_IN_EXCHANGE_MODE)
    return root


def user_config_text(course_ids, exchange):
    """A user's nbgrader configuration: the exchange, and the course (one) or courses."""
    lines = ["# Written by `python -m grader classroom`: where this class's exchange is.",
             "c = get_config()  # noqa: F821",
             f"c.Exchange.root = {str(exchange)!r}"]
    if len(course_ids) == 1:
        lines.append(f"c.CourseDirectory.course_id = {course_ids[0]!r}")
    else:
        # nbgrader's set-up for a student of several courses: no default course (each
        # command names one with --course) and fetched assignments under <course>/
        lines += [f"# courses: {', '.join(course_ids)} (nbgrader ... --course COURSE)",
                  "c.Exchange.path_includes_course = True"]
    return "\n".join(lines) + "\n"


def write_user_config(account, course_ids, exchange):
    """``~/.jupyter/nbgrader_config.py`` for ``account`` (see ``user_config_text``), owned
    by the user; returns its path."""
    entry = pwd.getpwnam(account.name)
    folder = Path(account.home) / ".jupyter"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "nbgrader_config.py"
    path.write_text(user_config_text(list(course_ids), exchange))
    for made in (folder, path):
        os.chown(made, entry.pw_uid, entry.pw_gid)
    path.chmod(0o600)
    return path
