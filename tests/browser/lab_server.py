"""A JupyterLab server started by a browser test, stopped whatever happens.

Bound to 127.0.0.1 on a free port with a random token, serving one temporary folder, with
nbgrader's lab and server extensions (installed with nbgrader) and its own settings folder:
no news pop-up, no update check, and every cell kept in the page (JupyterLab 4 otherwise
leaves cells outside the viewport out of the DOM, so a test could not read their outputs).
Its log goes to ``log`` beside the test's artifacts.
"""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from grader.classroom.hub import free_port

START_TIMEOUT = 90

SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/apputils-extension/announcements.jupyterlab-settings": {
        "fetchNews": "false"},
}


@dataclass
class LabServer:
    root: Path
    port: int
    token: str
    process: subprocess.Popen
    log: Path

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def url(self, path=""):
        """A page of this server with the token (the browser then keeps a cookie)."""
        separator = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{separator}token={self.token}"

    def api(self, path, method="GET"):
        """Call the server's REST API; the decoded JSON answer (None when it has no body,
        as a DELETE of ``kernels/<id>``)."""
        request = urllib.request.Request(f"{self.base}/api/{path.lstrip('/')}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None


def write_settings(folder):
    for name, values in SETTINGS.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def start_lab(root, state, env_overrides=None):
    """Start JupyterLab serving ``root`` (its working folder too: nbgrader reads
    ``root/nbgrader_config.py``); ``state``: a folder for its settings, runtime files and
    log. Returns a LabServer once the API answers."""
    root, state = Path(root), Path(state)
    state.mkdir(parents=True, exist_ok=True)
    write_settings(state / "settings")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(state / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(state / "workspaces"),
           "JUPYTER_RUNTIME_DIR": str(state / "runtime"), "PYTHONUNBUFFERED": "1",
           # nbgrader runs `alembic` (and the `jupyter` tools) from this interpreter's folder
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
           **(env_overrides or {})}
    env.pop("MPLBACKEND", None)         # the notebooks' %matplotlib inline decides
    argv = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
            "--ServerApp.open_browser=False"]
    log = state / "lab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(_dies_with_parent(argv), cwd=root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = LabServer(root, port, token, process, log)
    _wait_until_up(server)
    return server


def _dies_with_parent(argv):
    """The command, made to get SIGTERM when the test process dies, even by SIGKILL
    (util-linux's setpriv, Linux), so a killed test run leaves no JupyterLab behind (it
    stops its kernels itself on SIGTERM). Elsewhere the fixtures' finally blocks do."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *argv] if setpriv else argv


def _wait_until_up(server):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited ({server.process.returncode}):\n"
                               + server.log.read_text()[-3000:])
        try:
            server.api("status")
            return
        except OSError:
            time.sleep(0.3)
    stop_lab(server)
    raise RuntimeError(f"JupyterLab did not answer in {START_TIMEOUT} s:\n"
                       + server.log.read_text()[-3000:])


def stop_lab(server):
    """Stop the server and its kernels: SIGTERM to its process group (it shuts its
    kernels down), then any kernel still alive, found by this server's runtime folder
    (kernels run in sessions of their own, outside the group)."""
    if server.process.poll() is None:
        try:
            os.killpg(server.process.pid, signal.SIGTERM)
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=15)
        except ProcessLookupError:
            pass
    for stray in _kernels_of(server):
        try:
            os.kill(stray, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _kernels_of(server):
    """Processes whose command line names this server's runtime folder (its kernels)."""
    runtime = str(Path(server.log).parent / "runtime")
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if runtime in command:
            found.append(int(entry.name))
    return found
