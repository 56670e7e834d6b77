"""An interpreter every account of the class can run, with this environment's packages.

The class's users run nbgrader, the grader and their kernels themselves. The environment
the course was installed into may use a Python installation only root can reach (a pyenv
Python under ``/root``, mode 0700): then every command a student runs fails with
"Permission denied" before Python starts. ``class_python`` then builds, in a folder of the
class, a venv everyone can run:

    base/   the installation's interpreter, libpython and standard library, hard-linked
            (about 4,000 files, no tests, no site-packages); the executable's library path,
            which names the old place, rewritten to ``$ORIGIN/../lib``
    venv/   a venv of that base whose site-packages, data (share/, etc/) are symbolic
            links to this environment's (which everyone can read) and whose commands
            (nbgrader, jupyter, alembic ...) start the new interpreter

Building it takes about a second; nothing of the environment's 60,000 files is copied (a
hard link changes the target's inode, so linking and unlinking them all cost a minute of
disk writes on a busy machine). The grader's sandbox mounts the base, the venv and the
site-packages' real folder. The system's own Python of the same minor version is no
substitute: 3.11.2's ``re`` rejects patterns that packages tested on 3.11.7 use (soupsieve's,
which nbconvert's HTML export needs).
"""

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

from grader.classroom.accounts import GRADER_ROLES, PATH
from grader.course.layout import REPO_ROOT

# the standard library's parts no class command needs (about 130 MB of tests)
SKIPPED_STDLIB = ("test", "site-packages", "idlelib", "turtledemo")
# a venv's own entries: made by `venv` for the new interpreter, never linked
OWN_ENTRIES = {"bin", "lib", "lib64", "include", "pyvenv.cfg"}


class ClassPythonUnavailable(RuntimeError):
    """No interpreter with the course's packages can be offered to every account."""


def reachable_by_everyone(path):
    """Whether any user can reach ``path`` (every directory on its real path searchable by
    others) and read it (and run it, if it is executable for its owner)."""
    real = Path(os.path.realpath(path))
    for folder in [*reversed(real.parents)] + ([real] if real.is_dir() else []):
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    mode = os.stat(real).st_mode
    if real.is_dir():
        return bool(mode & stat.S_IROTH)
    return bool(mode & stat.S_IROTH) and (not mode & stat.S_IXUSR or bool(mode & stat.S_IXOTH))


def _site_packages():
    return Path(os.path.realpath(sysconfig.get_paths()["purelib"]))


def _this_environment_is_shared():
    paths = [sys.executable, sys.prefix, sys.base_prefix, _site_packages(), REPO_ROOT]
    return all(reachable_by_everyone(p) for p in paths)


def _interpreter_name():
    return f"python{sys.version_info.major}.{sys.version_info.minor}"


def _unshare_runpath(executable, old_base):
    """Point the copied executable's library path (RUNPATH: the old installation's lib/,
    where libpython is) at the copy's own lib/, in place (a shorter, NUL-padded string)."""
    data = executable.read_bytes()
    old = f"{old_base}/lib".encode() + b"\0"
    new = b"$ORIGIN/../lib\0"
    if old not in data:
        return          # a static build, or one without a library path
    patched = data.replace(old, new + b"\0" * (len(old) - len(new)))
    executable.unlink()                 # a hard link: the original must stay as it is
    executable.write_bytes(patched)
    executable.chmod(0o755)


def link_or_copy(source, target):
    """A hard link, or a copy across file systems."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_retargeted(script, target, python):
    """Write the Python script ``script`` to ``target`` with its ``#!`` line naming
    ``python``; False, writing nothing, when ``script`` is not a ``#!`` Python script."""
    first, _, rest = Path(script).read_bytes().partition(b"\n")
    if not (first.startswith(b"#!") and b"python" in first):
        return False
    target.write_bytes(b"#!" + str(python).encode() + b"\n" + rest)
    target.chmod(0o755)
    return True


def _copy_base(base, copy):
    """The interpreter, libpython and the standard library of ``base``, hard-linked."""
    name = _interpreter_name()
    (copy / "bin").mkdir(parents=True)
    link_or_copy(base / "bin" / name, copy / "bin" / name)
    _unshare_runpath(copy / "bin" / name, base)
    for library in (base / "lib").iterdir():
        if library.name.startswith("libpython"):
            target = copy / "lib" / library.name
            target.parent.mkdir(exist_ok=True)
            if library.is_symlink():
                target.symlink_to(os.readlink(library))
            else:
                link_or_copy(library, target)
    shutil.copytree(base / "lib" / name, copy / "lib" / name, symlinks=True,
                    copy_function=link_or_copy, ignore=lambda folder, names: [
                        n for n in names if n in SKIPPED_STDLIB])
    (copy / "lib" / name / "site-packages").mkdir()


def shared_base(folder):
    """This Python installation's interpreter where everyone can run it: the installation
    itself, or a hard-linked copy of its core in ``folder / "base"`` (made once; the hub's
    students' environment, grader.classroom.student_env, is a venv of it too)."""
    base = Path(os.path.realpath(sys.base_prefix))
    if reachable_by_everyone(base / "bin" / _interpreter_name()):
        return base / "bin" / _interpreter_name()
    python = Path(folder) / "base" / "bin" / _interpreter_name()
    if not python.exists():
        _copy_base(base, Path(folder) / "base")
    return python


def _copy_tools(old_bin, new_bin):
    """The environment's commands, their ``#!`` line naming the new interpreter."""
    for path in sorted(Path(old_bin).iterdir()):
        target = new_bin / path.name
        if target.exists() or path.is_symlink() or not path.is_file():
            continue        # the venv's own python links and activate scripts stay
        if not write_retargeted(path, target, new_bin / "python"):
            link_or_copy(path, target)


def build_class_python(folder):
    """Build the shared environment in ``folder`` (see the module docstring); returns
    its python."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    if not reachable_by_everyone(_site_packages()):
        raise ClassPythonUnavailable(f"this environment's packages ({_site_packages()}) are "
                                     f"not readable by other users")
    venv = folder / "venv"
    done = subprocess.run([str(shared_base(folder)), "-m", "venv", "--without-pip", str(venv)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ClassPythonUnavailable(f"could not make a venv in {venv}: {done.stderr.strip()}")
    own = venv / "lib" / _interpreter_name() / "site-packages"
    own.rmdir()
    own.symlink_to(_site_packages())
    for entry in Path(sys.prefix).iterdir():
        if entry.name not in OWN_ENTRIES and entry.is_dir():
            (venv / entry.name).symlink_to(os.path.realpath(entry))
    _copy_tools(Path(sys.prefix) / "bin", venv / "bin")
    return venv / "bin" / "python"


def class_python(folder):
    """An interpreter every account can run with this environment's packages: this one
    when everyone can reach it, else one built in ``folder``. Raises
    ClassPythonUnavailable (with the reason) when neither is possible."""
    if _this_environment_is_shared():
        return Path(sys.executable)
    if not reachable_by_everyone(REPO_ROOT):
        raise ClassPythonUnavailable(f"the repository {REPO_ROOT} is not readable by other "
                                     f"users: the class's nbgrader cannot import the grader")
    python = Path(folder) / "venv" / "bin" / "python"
    return python if python.exists() else build_class_python(folder)


def user_environment(python, account=None, extra=None):
    """What a class account's commands need in their environment: the class interpreter's
    tools first on PATH (nbgrader runs `alembic`), the course's settings passed through;
    for an instructor or TA (``account`` None: any grader) this repository first on the
    import path (the environment's editable install may name another checkout)."""
    env = {"PATH": f"{Path(python).parent}{os.pathsep}{PATH}"}
    if account is None or account.role in GRADER_ROLES:
        env["PYTHONPATH"] = str(REPO_ROOT)
    for name in ("COURSE_DATA_DIR", "COURSE_MAX_THREADS", "OMP_NUM_THREADS", "COURSE_QUICK"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    env.update(extra or {})
    return env
