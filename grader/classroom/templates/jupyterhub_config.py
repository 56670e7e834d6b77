# JupyterHub's configuration for a class of the CNN course on this machine, copied here
# by `python -m grader hub start` (grader/classroom/hub.py). Everything that differs
# between classes (ports, users, courses, paths) is read from hub_settings.json beside
# this file, so this file reads the same for every class. Set up as nbgrader's own demo
# "one class, multiple graders" (github.com/jupyter/nbgrader, demos/): real Unix users
# logged in with PAM, one single-user server per user, and the course's formgrader as a
# hub service that runs as the instructor.
import json
import os

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "hub_settings.json")) as handle:
    settings = json.load(handle)

c = get_config()  # noqa: F821

# --- where the hub listens (127.0.0.1 only) and keeps its state
c.JupyterHub.ip = settings["ip"]
c.JupyterHub.port = settings["port"]
c.JupyterHub.hub_ip = settings["ip"]
c.JupyterHub.hub_port = settings["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://{settings['ip']}:{settings['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = settings["proxy_command"]
c.ConfigurableHTTPProxy.pid_file = os.path.join(here, "proxy.pid")
c.JupyterHub.pid_file = os.path.join(here, "jupyterhub.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(here, "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(here, "jupyterhub_cookie_secret")

# --- who may log in: the class's Unix accounts, with their passwords (PAM)
c.JupyterHub.authenticator_class = "pam"
c.Authenticator.allowed_users = set(settings["users"])
c.Authenticator.admin_users = set(settings["admins"])
# PAM sessions (pam_open_session) need a login service set up for them; authentication
# alone is what the hub needs, and containers often lack the rest.
c.PAMAuthenticator.open_sessions = False

# --- one server per user, a process of that Unix user, from the students' environment
# (the student distribution: no grader, no hidden checks, no solutions)
c.JupyterHub.spawner_class = "localprocess"
# Temporary files in the user's own (0700) home, not the shared /tmp: classmates cannot
# read them, and removing the user removes them. Then the umask, then the server.
PRIVATE_TMP = 'mkdir -p "$HOME/.cache/tmp" && export TMPDIR="$HOME/.cache/tmp" && umask {} && exec "$@"'
c.Spawner.cmd = ["/bin/sh", "-c", PRIVATE_TMP.format("077"), "singleuser",
                 settings["student_python"], "-m", "jupyterhub.singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# nothing of the hub's own environment (its PYTHONPATH points into the repository)
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = settings["user_environment"]
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

# --- groups and roles: the graders of a course reach its formgrader, students do not.
# nbgrader names the groups formgrade-<course> (graders) and nbgrader-<course> (everyone
# taking it). Students need no role: their nbgrader configuration names the course, so
# they never look the formgrader service up (nbgrader's demo "one class, multiple graders").
c.JupyterHub.load_groups = {}
roles = [
    # servers act with their owner's permissions (nbgrader's course list lists services)
    {"name": "server", "scopes": ["inherit"]},
    # the token in hub_settings.json: the test's and `make hub`'s admin access
    {"name": "class-admin", "services": ["class-admin"],
     "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups", "list:services",
                "read:services"]},
]
services = [{"name": "class-admin", "api_token": settings["admin_token"]}]
for course in settings["courses"]:
    name = course["id"]
    c.JupyterHub.load_groups[f"formgrade-{name}"] = {"users": course["graders"]}
    c.JupyterHub.load_groups[f"nbgrader-{name}"] = {"users": course["graders"]
                                                    + course["students"]}
    roles.append({"name": f"formgrade-{name}", "groups": [f"formgrade-{name}"],
                  "scopes": [f"access:services!service={name}", "list:services",
                             f"read:services!service={name}"]})
    # the formgrader: a single-user server of the instructor in the course folder, as a
    # hub service named after the course (nbgrader's course list expects that name)
    services.append({
        "name": name,
        "url": f"http://{settings['ip']}:{course['port']}",
        # the students' environment with the repository on PYTHONPATH (only graders may
        # enter it), the formgrader switched back on
        # umask 007: what the formgrader writes (gradebook.db, autograded/, feedback/) stays
        # writable for the TAs, who share the course folder through its group
        "command": ["/bin/sh", "-c", PRIVATE_TMP.format("007"), "formgrader",
                    settings["student_python"], "-m", "jupyterhub.singleuser",
                    f"--ServerApp.root_dir={course['root']}",
                    "--ServerApp.jpserver_extensions=nbgrader.server_extensions.formgrader=True"],
        "user": course["instructor"],
        "cwd": course["root"],
        "environment": dict(course["environment"], JUPYTERHUB_DEFAULT_URL="/formgrader"),
        "oauth_no_confirm": True,
    })
c.JupyterHub.load_roles = roles
c.JupyterHub.services = services
