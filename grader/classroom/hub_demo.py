"""``python -m grader hub start|stop`` (``make hub``, ``make hub-stop``): a class on a
JupyterHub on this machine, to try by hand.

``start`` creates Unix users (an instructor, a TA, students) with random passwords, the
course folder and exchange, the hub (grader.classroom.hub_class) and releases one
assignment through the formgrader, then prints the URL and the passwords. Everything
lives in one folder (default /srv/cnn-course-hub) whose ``class.json`` (root's, 0600)
remembers the class's prefix; ``stop`` ends the hub and the users' processes, removes the
users and groups and the folder, and reopens the repository. The students' environment
stays cached in /var/cache/cnn-course (COURSE_HUB_ENV_DIR) for the next class.
"""

import json
import shutil
from pathlib import Path

from grader.classroom.accounts import create_accounts, new_prefix
from grader.classroom.down import tear_down
from grader.classroom.hub import HubUnavailable, stop_hub, unavailable_reason
from grader.classroom.hub_class import release, start_class_hub

DEFAULT_BASE = Path("/srv/cnn-course-hub")
DEFAULT_ASSIGNMENT = "03_padding_stride_pooling"
COURSE_ID = "cnn-course"
CLASS_FILE = "class.json"


def _record(base, data):
    path = Path(base) / CLASS_FILE
    path.write_text(json.dumps(data, indent=2))
    path.chmod(0o600)       # the passwords


def summary(data):
    """What a person needs to try the class: the URL, each user's password, where to go."""
    url, course = data["url"], data["course_id"]
    width = max(len(u["name"]) for u in data["users"])
    lines = [f"The class's JupyterHub: {url}/  (127.0.0.1 only; from another computer: "
             f"ssh -L {url.rsplit(':', 1)[1]}:127.0.0.1:{url.rsplit(':', 1)[1]} THIS_MACHINE)",
             "", f"  {'role':<11} {'user':<{width}}  password"]
    lines += [f"  {u['role']:<11} {u['name']:<{width}}  {u['password']}" for u in data["users"]]
    lines += ["",
              f"TA or instructor: log in, then open {url}/services/{course}/formgrader",
              f"  ({data['assignment']} is released; after students submit: Collect, "
              f"Autograde, Generate and Release Feedback)",
              "Student: log in (JupyterLab opens), menu Nbgrader > Assignments: Fetch, work, "
              "Submit; later Fetch Feedback",
              f"Stop and remove everything (users, processes, {data['base']}): make hub-stop"]
    return "\n".join(lines)


def start(base=DEFAULT_BASE, assignment=DEFAULT_ASSIGNMENT, students=3, log=print):
    """Start the class (see the module docstring); returns what class.json holds."""
    reason = unavailable_reason()
    if reason:
        raise HubUnavailable(reason)
    base = Path(base)
    if (base / CLASS_FILE).exists():
        raise HubUnavailable(f"a class runs from {base} already: `make hub-stop` first")
    base.mkdir(parents=True, exist_ok=True)
    prefix = new_prefix()
    _record(base, {"prefix": prefix, "base": str(base)})    # for stop(), whatever happens
    try:
        accounts = create_accounts(prefix, {"instructor": 1, "ta": 1, "student": students})
        hub, _ = start_class_hub(prefix, accounts, base, COURSE_ID, [assignment], log=log)
        release(hub.url, next(a for a in accounts if a.role == "ta"), COURSE_ID, assignment)
    except BaseException:
        stop(base, log=lambda line: None)
        raise
    data = {"prefix": prefix, "base": str(base), "url": hub.url, "course_id": COURSE_ID,
            "assignment": assignment,
            "users": [{"role": a.role, "name": a.name, "password": a.password}
                      for a in accounts]}
    _record(base, data)
    return data


def stop(base=DEFAULT_BASE, log=print):
    """Stop the class started in ``base`` and remove its users and folder. Idempotent."""
    base = Path(base)
    record = base / CLASS_FILE
    prefix = json.loads(record.read_text())["prefix"] if record.exists() else None
    if (base / "hub").exists():
        stop_hub(base / "hub")
        log("stopped the hub and its servers; the repository is open again")
    if prefix:
        removed = tear_down(prefix, [base])
        log(f"removed {', '.join(removed)}")
    elif base.exists():
        shutil.rmtree(base)
        log(f"removed {base}")
    else:
        log(f"no class runs from {base}")
