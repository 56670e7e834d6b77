"""A JupyterHub for a class on this machine: real users, the students' environment, the
formgrader as a hub service.

    state = start_hub(state_dir, accounts, courses, student_env)   # waits until it answers
    stop_hub(state_dir)                                            # processes, lock, state

The hub listens on 127.0.0.1 at a free port. Its configuration is the package's
``templates/jupyterhub_config.py`` (one text for every class) plus ``hub_settings.json``
(ports, users, courses, paths), both in ``state_dir`` (0700, root's), with its database,
cookie secret, pid files and ``logs/jupyterhub.log``. The hub runs as root (it starts each
user's server as that user) in a process group of its own, recorded in ``hub.pid``.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from grader.classroom.repo_lock import lock_repository, unlock_repository
from grader.classroom.python_env import reachable_by_everyone
from grader.course.layout import REPO_ROOT

TEMPLATE = Path(__file__).parent / "templates" / "jupyterhub_config.py"
SETTINGS = "hub_settings.json"
PID_FILE = "hub.pid"
LOG = Path("logs") / "jupyterhub.log"
IP = "127.0.0.1"
START_TIMEOUT = 90
PROXY = "configurable-http-proxy"


class HubUnavailable(RuntimeError):
    """A hub cannot run on this machine (the sentence says why)."""


@dataclass(frozen=True)
class HubCourse:
    """One course the hub serves: its formgrader runs as ``instructor`` in ``root``."""
    course_id: str
    root: Path
    instructor: str
    graders: tuple      # user names that reach the formgrader (instructor, TAs)
    students: tuple


@dataclass(frozen=True)
class RunningHub:
    url: str            # http://127.0.0.1:PORT
    admin_token: str    # a token of the hub service "class-admin" (admin:users, tokens, ...)
    state_dir: Path
    pid: int


def proxy_command():
    """configurable-http-proxy: the one `make setup` installed into the environment
    (``npm install --prefix .venv``), else the one on PATH."""
    local = Path(sys.prefix) / "node_modules" / ".bin" / PROXY
    if local.exists():
        return str(local)
    return shutil.which(PROXY)


def unavailable_reason():
    """None if a hub can run here, else why not (for a test's skip, or the command's error)."""
    if os.geteuid() != 0:
        return "needs root: the hub starts each user's server as that Unix user"
    if shutil.which("node") is None:
        return "node is not installed (configurable-http-proxy runs on it): run `make setup`"
    if proxy_command() is None:
        return "configurable-http-proxy is not installed (npm): run `make setup`"
    try:
        import jupyterhub  # noqa: F401
    except ImportError:
        return "jupyterhub is not installed: run `make setup` (the `hub` extra)"
    if not reachable_by_everyone(REPO_ROOT.parent):
        return (f"the repository sits in {REPO_ROOT.parent}, a folder the class's graders "
                f"cannot enter; clone it somewhere they can (e.g. /srv)")
    return None


def free_port():
    """A TCP port nothing listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind((IP, 0))
        return probe.getsockname()[1]


def _course_environment(student_env):
    """What the formgrader service runs with: the students' environment plus the repository
    (the grader and its hidden checks; only graders may enter it)."""
    return {"PATH": f"{student_env}/bin:/usr/local/bin:/usr/bin:/bin", "PYTHONPATH": str(REPO_ROOT),
            "OMP_NUM_THREADS": "1", "COURSE_MAX_THREADS": "1", "LANG": "C.UTF-8",
            **_data_dir()}


def _data_dir():
    data = os.environ.get("COURSE_DATA_DIR")
    return {"COURSE_DATA_DIR": data} if data else {}


def hub_settings(accounts, courses, student_env):
    """The values hub_settings.json holds (see templates/jupyterhub_config.py)."""
    python = str(Path(student_env) / "bin" / "python")
    return {
        "ip": IP, "port": free_port(), "hub_port": free_port(), "proxy_api_port": free_port(),
        "proxy_command": [proxy_command()], "student_python": python,
        "users": sorted(a.name for a in accounts),
        "admins": sorted(a.name for a in accounts if a.role == "instructor"),
        "admin_token": secrets.token_hex(32),
        "user_environment": {"PATH": f"{student_env}/bin:/usr/local/bin:/usr/bin:/bin",
                             "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8", **_data_dir()},
        "courses": [{"id": c.course_id, "root": str(c.root), "instructor": c.instructor,
                     "graders": list(c.graders), "students": list(c.students),
                     "port": free_port(), "environment": _course_environment(student_env)}
                    for c in courses],
    }


def write_hub_config(state_dir, settings):
    """jupyterhub_config.py and hub_settings.json in ``state_dir`` (root's alone: the
    settings hold the admin token)."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    state_dir.chmod(0o700)
    (state_dir / LOG).parent.mkdir(exist_ok=True)
    config = state_dir / "jupyterhub_config.py"
    shutil.copyfile(TEMPLATE, config)
    settings_path = state_dir / SETTINGS
    settings_path.write_text(json.dumps(settings, indent=2))
    settings_path.chmod(0o600)
    return config


def _answers(url, timeout=2.0):
    try:
        with urllib.request.urlopen(f"{url}/hub/api/", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_up(url, process, log):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyterhub exited ({process.returncode}); its log "
                               f"{log}:\n{log.read_text()[-4000:]}")
        if _answers(url):
            return
        time.sleep(0.2)
    raise RuntimeError(f"jupyterhub did not answer at {url} within {START_TIMEOUT} s; "
                       f"see {log}")


def start_hub(state_dir, accounts, courses, student_env, graders_group):
    """Start a hub for these accounts and courses; returns a RunningHub once it answers.
    The repository is closed to all but ``graders_group`` meanwhile (``repo_lock``)."""
    reason = unavailable_reason()
    if reason:
        raise HubUnavailable(reason)
    state_dir = Path(state_dir)
    settings = hub_settings(accounts, courses, student_env)
    config = write_hub_config(state_dir, settings)
    lock_repository(graders_group, state_dir)
    url = f"http://{IP}:{settings['port']}"
    log = state_dir / LOG
    with open(log, "ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=state_dir,
            stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)         # its own process group: stopped as one
    (state_dir / PID_FILE).write_text(f"{process.pid}\n")
    try:
        _wait_until_up(url, process, log)
    except BaseException:
        stop_hub(state_dir)
        raise
    return RunningHub(url=url, admin_token=settings["admin_token"], state_dir=state_dir,
                      pid=process.pid)


def _alive(pid):
    try:        # reap it if it is our child (started by start_hub in this process)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _end_group(pgid, grace=15.0):
    """SIGTERM the process group (the hub then stops the servers and the proxy it started),
    SIGKILL what is left after ``grace`` seconds."""
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while _alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _pids_in(state_dir, names):
    pids = []
    for name in names:
        path = Path(state_dir) / name
        if path.is_file() and path.read_text().strip().isdigit():
            pids.append(int(path.read_text().strip()))
    return pids


def stop_hub(state_dir):
    """Stop the hub started in ``state_dir`` (its process group, then the proxy if it
    outlived it), and reopen the repository. Idempotent."""
    state_dir = Path(state_dir)
    for pid in _pids_in(state_dir, [PID_FILE]):
        _end_group(pid)
    for pid in _pids_in(state_dir, ["proxy.pid"]):     # the proxy has a session of its own
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    for name in (PID_FILE, "proxy.pid", "jupyterhub.pid"):
        (state_dir / name).unlink(missing_ok=True)
    unlock_repository(state_dir)


def read_settings(state_dir):
    """hub_settings.json of a hub started in ``state_dir``."""
    return json.loads((Path(state_dir) / SETTINGS).read_text())


def stop_hubs_under(folders):
    """Stop every hub whose state folder is ``<folder>/hub`` or ``<folder>/*/hub`` (where
    ``make hub`` and the hub test keep it): a class torn down after a crash must not leave
    a hub running, nor the repository closed. Returns the state folders stopped."""
    stopped = []
    for folder in map(Path, folders):
        for settings in [*folder.glob(f"hub/{SETTINGS}"), *folder.glob(f"*/hub/{SETTINGS}")]:
            stop_hub(settings.parent)
            stopped.append(settings.parent)
    return stopped
