"""The Python environment the hub runs students' servers in: no grader, no answers.

It is built once from the student distribution (``python -m grader student-bundle``: the
leak-scanned wheel of ``source_lib``) and cached, keyed by what it is made of (the
library's sources, pyproject.toml, the installed packages, the interpreter, this recipe). The third-party packages (torch, jupyterlab, nbgrader, jupyterhub, ...) are the
ones already installed in the instructor's environment, hard-linked (copied across file
systems) rather than downloaded again, so the build runs offline and takes seconds; the
instructor's own distribution (``cnn-course``: the editable install that points into this
repository, where the hidden checks and solutions live) is left out, and ``source_lib``
comes from the students' wheel. Measured here: 9-16 s for the first build (7 s of it the
bundle, the rest hard links; no disk space), a few milliseconds to find the cached one.

Every class account must be able to run it, so it is a venv of this Python where everyone
can run it (``grader.classroom.python_env.shared_base``: pyenv's sits in root's 0700 home)
and lives outside every home, in ``COURSE_HUB_ENV_DIR`` (default ``/var/cache/cnn-course``).
Its packages are hard links, not symbolic links to the instructor's environment: that one
usually sits inside this repository (``.venv``), which students may not enter.
"""

import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from grader.classroom.python_env import link_or_copy, shared_base, write_retargeted
from grader.course.layout import REPO_ROOT

ENV_DIR_VARIABLE = "COURSE_HUB_ENV_DIR"
DEFAULT_ENV_DIR = Path("/var/cache/cnn-course")
INSTRUCTOR_DISTRIBUTION = "cnn_course"      # its dist-info and editable finder start so
STUDENT_DISTRIBUTION = "cnn_course_student"
# Server extensions a student's server loads: the Assignment List (fetch, submit,
# feedback) and Validate; never the formgrader, the course list or create-assignment.
STUDENT_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
}
STUDENT_HIDDEN_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list")


class StudentEnvError(RuntimeError):
    """The students' environment cannot be built here (the sentence says why)."""


def env_root():
    return Path(os.environ.get(ENV_DIR_VARIABLE) or DEFAULT_ENV_DIR)


def _site_packages():
    return Path(sysconfig.get_paths()["purelib"])


def _is_instructors(name):
    """Site-packages entries of the instructor's own distribution (it reaches the repo):
    cnn_course-0.1.0.dist-info, __editable__.cnn_course-0.1.0.pth and its finder module;
    not cnn_course_student-*, the students' own."""
    return re.match(r"^(__editable__[._]_?)?cnn_course_\d",
                    name.lower().replace("-", "_")) is not None


def _points_into_repo(entry):
    """A .pth or egg-link that would put the repository on students' sys.path."""
    if entry.suffix not in (".pth", ".egg-link") or not entry.is_file():
        return False
    return str(REPO_ROOT) in entry.read_text(errors="replace")


def environment_key():
    """What the environment is made of: the students' library and its declared packages
    (the wheel is built from these), the installed packages, the interpreter, this recipe."""
    site = _site_packages()
    packages = sorted(p.name for p in site.iterdir() if p.name.endswith(".dist-info")
                      and not _is_instructors(p.name))
    digest = hashlib.sha256((REPO_ROOT / "pyproject.toml").read_bytes())
    digest.update(Path(__file__).read_bytes())      # how it is built
    library = REPO_ROOT / "source_lib"
    for path in sorted(library.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(library)).encode() + path.read_bytes())
    digest.update(json.dumps([packages, os.path.realpath(sys.base_prefix), sys.version]).encode())
    return digest.hexdigest()[:16]


def _link_tree(source, target, skip=lambda entry: False):
    """Copy ``source`` into ``target`` as hard links (a plain copy across file systems)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in sorted(source.iterdir()):
        if skip(entry):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target / entry.name, copy_function=link_or_copy,
                            symlinks=True)
        else:
            link_or_copy(entry, target / entry.name)


def _write_scripts(env, final):
    """The instructor environment's commands (jupyter, jupyter-lab, nbgrader, ...) for
    this environment's interpreter: a terminal on the hub finds them on PATH."""
    ours = Path(sys.prefix) / "bin"
    python = final / "bin" / "python"       # where the environment ends up
    for script in sorted(ours.iterdir()):
        target = env / "bin" / script.name
        if target.exists() or script.is_symlink() or not script.is_file():
            continue
        write_retargeted(script, target, python)


def _write_new(path, text):
    """Write ``path`` as a file of its own (it may be a hard link into the instructor's
    environment, which must stay as it is)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_text(text)


def _write_student_config(env):
    """Jupyter settings of the environment: the students' extensions only."""
    config = env / "etc" / "jupyter"
    _write_new(config / "jupyter_server_config.d" / "nbgrader.json", json.dumps(
        {"ServerApp": {"jpserver_extensions": STUDENT_SERVER_EXTENSIONS}}, indent=2))
    _write_new(config / "labconfig" / "page_config.json", json.dumps(
        {"disabledExtensions": {name: True for name in STUDENT_HIDDEN_PLUGINS}}, indent=2))
    # the hub has no internet to offer news from: students are not asked about them
    _write_new(env / "share" / "jupyter" / "lab" / "settings" / "overrides.json", json.dumps(
        {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                          "checkForUpdates": False}}, indent=2))


def _build(env, wheel, final):
    interpreter = shared_base(env.parent / f"python-{platform.python_version()}")
    subprocess.run([str(interpreter), "-m", "venv", "--without-pip", str(env)],
                   check=True, capture_output=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    _link_tree(_site_packages(), env / "lib" / version / "site-packages",
               skip=lambda e: _is_instructors(e.name) or _points_into_repo(e)
               or e.name == "__pycache__")
    _write_scripts(env, final)
    for folder in ("share/jupyter", "etc/jupyter"):     # JupyterLab's pages, nbgrader's
        if (Path(sys.prefix) / folder).is_dir():        # lab extensions, kernel specs,
            _link_tree(Path(sys.prefix) / folder, env / folder)     # server extensions
    _write_student_config(env)
    done = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "-q",
                           "--no-deps", "--no-index", "--disable-pip-version-check",
                           str(wheel)], capture_output=True, text=True)
    if done.returncode != 0:
        raise StudentEnvError(f"installing the students' wheel failed:\n{done.stderr}")
    for folder in [env, *env.rglob("*")]:       # root's umask may be stricter than 022
        if folder.is_dir() and not folder.is_symlink():
            folder.chmod(0o755)


def build_student_env(log=print):
    """The students' environment (found in the cache or built now); returns its folder."""
    root = env_root()
    env = root / f"student-env-{environment_key()}"
    if (env / ".complete").exists():
        return env
    from grader.authoring.student_bundle import build_bundle
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    log(f"building the students' environment in {env}")
    partial = root / f".{env.name}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        with tempfile.TemporaryDirectory(prefix="bundle-") as scratch:
            build_bundle(Path(scratch) / "bundle")      # scanned for leaks file by file
            _build(partial, next((Path(scratch) / "bundle").glob(
                f"{STUDENT_DISTRIBUTION}-*.whl")), final=env)
        (partial / ".complete").write_text("built from the student bundle\n")
        shutil.rmtree(env, ignore_errors=True)
        os.replace(partial, env)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return env
