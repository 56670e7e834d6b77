"""Run the untrusted worker inside bubblewrap (``bwrap``).

The worker sees only what the student's code needs, read-only: the system libraries, the
Python installation and its environment, the worker runtime (``gradeworker/``) and the
course library (``source_lib/``). It gets a private writable scratch directory (its cwd and
HOME), a private /tmp, no network, its own PID/IPC/UTS namespaces, and runs as an
unprivileged uid with limits on address space, CPU time, processes and file size. The
repository (``grader/checks``, reference code, solutions), the gradebook, other
submissions, the datasets and the grader's HOME are simply not there.

When bwrap cannot run (macOS, containers without namespaces) ``probe()`` says why, and
``grader.sandbox.launch`` falls back to the plain subprocess launcher.
"""

import functools
import itertools
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from grader.course.layout import REPO_ROOT
from grader.sandbox.plain import WorkerLauncher

RUNTIME_PACKAGES = ("gradeworker", "source_lib")   # mounted alone, read-only
INSIDE_ROOT = "/opt/course"                         # where they appear in the sandbox
INSIDE_SCRATCH = "/scratch"
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")
UNSANDBOXED_WARNING = ("NOT SANDBOXED: bubblewrap (bwrap) cannot run here ({reason}); student "
                       "code ran in a plain subprocess that can read the grader's files.")


class SandboxUnavailable(RuntimeError):
    """bwrap is missing or cannot create namespaces on this machine."""


def _parents(path):
    """Directories to create (0755) so that ``path`` can be mounted and traversed."""
    return [str(p) for p in reversed(Path(path).parents) if str(p) != "/"]


def _bind_with_parents(args, source, target, created, writable=False):
    for parent in _parents(target):
        if parent not in created:
            created.add(parent)
            args += ["--perms", "0755", "--dir", parent]
    args += ["--bind" if writable else "--ro-bind", str(source), str(target)]


def _python_dirs():
    """The Python installation and the environment, as real paths (symlinks resolved)."""
    dirs = {os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix)}
    # an environment may link its site-packages from elsewhere (a class's shared
    # interpreter, grader.classroom.python_env); nested in the prefix otherwise
    dirs |= {os.path.realpath(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")}
    interpreter = os.path.realpath(sys.executable)
    if not any(interpreter.startswith(d + os.sep) for d in dirs):
        dirs.add(os.path.dirname(interpreter))
    # a nested one is covered by its parent
    return sorted(d for d in dirs if not any(d != o and d.startswith(o + os.sep) for o in dirs))


def bwrap_arguments(scratch_dir, as_root):
    """The bwrap command line (without the program to run)."""
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    if not as_root:   # an ordinary user needs a user namespace to mount anything
        args.append("--unshare-user")
    # The private /tmp first: the environment or the scratch may live under the host's
    # /tmp, and their binds must land on top of it, not be hidden by it.
    args += ["--perms", "1777", "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
    created = set()
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        if os.path.exists(path):
            _bind_with_parents(args, path, path, created)
    for path in _python_dirs():
        _bind_with_parents(args, path, path, created)
    for package in RUNTIME_PACKAGES:
        _bind_with_parents(args, REPO_ROOT / package, f"{INSIDE_ROOT}/{package}", created)
    _bind_with_parents(args, scratch_dir, INSIDE_SCRATCH, created, writable=True)
    args += ["--chdir", INSIDE_SCRATCH]
    return args


_launchers = itertools.count()


def _fresh_uid():
    """An unprivileged uid of this launcher's own: RLIMIT_NPROC counts per uid, so two
    launchers (job slots) sharing one would eat into each other's process budget."""
    return 200000 + (os.getpid() * 64 + next(_launchers)) % 1_000_000


class BubblewrapLauncher(WorkerLauncher):
    """Starts ``python -m gradeworker.worker`` inside bwrap; see the module docstring."""

    sandboxed = True
    cpu_seconds = 900           # CPU time of one worker (the per-call wall clocks are shorter)
    max_processes = 64          # threads count too; a fork bomb stops here
    file_bytes = 64 << 20

    def __init__(self):
        self.as_root = os.geteuid() == 0
        # as root, the worker drops to an unprivileged uid of its own (RLIMIT_NPROC is not
        # enforced for uid 0, and the uid must not be shared with the grader's processes)
        self.uid = _fresh_uid() if self.as_root else os.getuid()

    def environment(self, scratch_dir):
        env = super().environment(INSIDE_SCRATCH)
        env.pop("COURSE_DATA_DIR", None)             # datasets are never visible inside
        env.update(PYTHONPATH=INSIDE_ROOT, PATH="/usr/bin:/bin", USER="student",
                   LOGNAME="student", COURSE_CACHE_DIR=f"{INSIDE_SCRATCH}/cache")
        if self.as_root:
            env["GRADEWORKER_DROP_TO"] = str(self.uid)
        return env

    def command(self, scratch_dir=None, module="gradeworker.worker", extra_env=None):
        inside = bwrap_arguments(scratch_dir, self.as_root)
        inside[0] = shutil.which("bwrap") or "bwrap"
        env = dict(self.environment(scratch_dir), **(extra_env or {}))
        for name, value in env.items():
            inside += ["--setenv", name, value]
        return inside + [sys.executable, "-m", module]

    def limits(self):
        super().limits()
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_NPROC, (self.max_processes, self.max_processes))

    def start(self, scratch_dir, stderr_file):
        if self.as_root:
            os.chown(scratch_dir, self.uid, self.uid)
        return subprocess.Popen(self.command(scratch_dir), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=stderr_file, cwd=scratch_dir,
                                preexec_fn=self.limits, env={}, start_new_session=True)


@functools.lru_cache(maxsize=1)
def probe():
    """None if bwrap can run the worker's sandbox here, else the reason it cannot."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed"
    scratch = Path(os.environ.get("TMPDIR", "/tmp"))
    args = bwrap_arguments(str(scratch), os.geteuid() == 0) + ["/bin/true"]
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"bwrap failed to start: {error}"
    if done.returncode != 0:
        return f"bwrap cannot create its namespaces: {done.stderr.strip()[:200]}"
    return None
