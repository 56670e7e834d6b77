"""A class on a hub, end to end: the course and exchange for the class's accounts, the hub,
an assignment released through the formgrader. Shared by ``python -m grader hub start``
(``make hub``) and tests/classroom/test_hub.py.

    <base>/exchange/            nbgrader's exchange (1777)
    <base>/<course_id>/         the course folder (instructor + graders group, 2770)
    <base>/hub/                 the hub's state (root's, 0700): config, database, logs
"""

from pathlib import Path

from grader.classroom.accounts import graders_group
from grader.classroom.exchange import make_course, make_exchange, write_user_config
from grader.classroom.hub import HubCourse, start_hub
from grader.classroom.hub_api import HubClient, login
from grader.classroom.student_env import build_student_env

# The formgrader's Autograde grades students' code: on a class's machine it must never run
# outside bubblewrap (without it the grader refuses, instead of warning and going on).
SANDBOX_ONLY = ("# On the class's hub: never grade outside the bubblewrap sandbox.\n"
                "c.GradeWithCourseGrader.require_sandbox = True\n")


def set_up_course(prefix, accounts, base, course_id, assignments):
    """The exchange, the course folder and every account's nbgrader configuration;
    returns the HubCourse the hub serves."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)       # every account walks through it to the exchange
    exchange = make_exchange(base / "exchange")
    root = make_course(course_id, base / course_id, exchange, graders_group(prefix),
                       assignments)
    with open(root / "nbgrader_config.py", "a") as config:
        config.write(SANDBOX_ONLY)
    for account in accounts:
        write_user_config(account, [course_id], exchange)
    by_role = {role: [a.name for a in accounts if a.role == role]
               for role in ("instructor", "ta", "student")}
    return HubCourse(course_id=course_id, root=root, instructor=by_role["instructor"][0],
                     graders=tuple(by_role["instructor"] + by_role["ta"]),
                     students=tuple(by_role["student"]))


def start_class_hub(prefix, accounts, base, course_id, assignments, log=print):
    """The course (``set_up_course``), the students' environment and the hub; returns
    (RunningHub, HubCourse)."""
    course = set_up_course(prefix, accounts, base, course_id, assignments)
    env = build_student_env(log=log)
    hub = start_hub(Path(base) / "hub", accounts, [course], env, graders_group(prefix))
    return hub, course


def _succeeded(answer, what):
    if not (isinstance(answer, dict) and answer.get("success")):
        raise RuntimeError(f"the formgrader's {what} failed: {answer}")
    return answer


def release(hub_url, grader_account, course_id, assignment):
    """Generate and release ``assignment`` as a grader does in the formgrader (its
    Generate and Release buttons call these)."""
    client = HubClient(hub_url, login(hub_url, grader_account.name, grader_account.password))
    _succeeded(client.formgrader(course_id, f"assignment/{assignment}/assign", "POST"),
               f"generate of {assignment}")
    _succeeded(client.formgrader(course_id, f"assignment/{assignment}/release", "POST"),
               f"release of {assignment}")
    return client
