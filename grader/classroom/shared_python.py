"""This very Python, where every class account can run it.

The course's environment may sit on an interpreter that only root can reach: pyenv
installs under ``/root`` (mode 0700), as on this project's machines and CI. Another Python
of the same minor version is no substitute: Debian 12's ``/usr/bin/python3.11`` (3.11.2)
cannot compile soupsieve's selectors (atomic groups, fixed in later 3.11 releases), so
nbconvert's HTML export, and with it nbgrader's feedback, fails there.

So the installation itself (sys.base_prefix, without its own site-packages and test suite)
is copied as hard links (about a second, no extra disk) into ``<cache>/python-<version>``,
and the one file that names the old place is fixed: the ``python3.X`` executable finds
``libpython`` through an absolute RUNPATH, rewritten in place to ``$ORIGIN/../lib`` (a
shorter string in the same bytes, as ``patchelf --set-rpath`` does when it fits).
"""

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

RELOCATED_RUNPATH = b"$ORIGIN/../lib"


class SharedPythonUnavailable(RuntimeError):
    """No copy of this Python can be offered to every account (the sentence says why)."""


def reachable_by_others(path):
    """Whether any user may run ``path``: it and every folder above it are world-executable."""
    path = Path(os.path.realpath(path))
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def _executable():
    return Path(os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable))


def _relocate_runpath(binary, old_prefix):
    """Point the executable's RUNPATH at ``$ORIGIN/../lib`` (it names ``old_prefix/lib``)."""
    data = binary.read_bytes()
    old = str(Path(old_prefix) / "lib").encode() + b"\0"
    if data.count(old) == 0:
        return      # linked statically, or relative already: nothing names the old place
    if data.count(old) != 1 or len(RELOCATED_RUNPATH) + 1 > len(old):
        raise SharedPythonUnavailable(f"cannot relocate {binary}: its RUNPATH is unusual")
    new = RELOCATED_RUNPATH + b"\0" * (len(old) - len(RELOCATED_RUNPATH))
    binary.unlink()     # a hard link: the original must stay as it is
    binary.write_bytes(data.replace(old, new))
    binary.chmod(0o755)


def _copy_installation(prefix, target):
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    skipped = {prefix / "lib" / version / "site-packages", prefix / "lib" / version / "test"}

    def ignore(folder, names):
        return [n for n in names if Path(folder) / n in skipped or n == "__pycache__"]

    def link(source, destination):
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)
    shutil.copytree(prefix, target, symlinks=True, ignore=ignore, copy_function=link)
    (target / "lib" / version / "site-packages").mkdir(exist_ok=True)
    return target / "bin" / version


def shared_python(cache_root):
    """An interpreter of this exact Python version that every account can run: this one
    when they can reach it, else a relocated copy under ``cache_root`` (built once)."""
    executable = _executable()
    if reachable_by_others(executable):
        return executable
    prefix = Path(os.path.realpath(sys.base_prefix))
    target = Path(cache_root) / f"python-{platform.python_version()}"
    python = target / "bin" / executable.name
    if (target / ".complete").exists():
        return python
    partial = Path(cache_root) / f".{target.name}.{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        _relocate_runpath(_copy_installation(prefix, partial) .parent / executable.name,
                          prefix)
        done = subprocess.run([str(partial / "bin" / executable.name), "-c", "import ssl"],
                              capture_output=True, text=True, env={})
        if done.returncode != 0:
            raise SharedPythonUnavailable(f"the copy of {executable} does not run: "
                                          f"{done.stderr.strip()[-500:]}")
        (partial / ".complete").write_text(f"a copy of {prefix}\n")
        os.replace(partial, target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return python
