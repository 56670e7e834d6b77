"""The bubblewrap sandbox around the worker: what student code can see and do inside it.

`make test` installs bubblewrap (see the Makefile), so the sandbox must be active here.
"""

import os

import nbformat
import pytest

from grader.course.layout import REPO_ROOT
from grader.errors import StudentCodeError, StudentTimeout, WorkerCrashed
from grader.grading.definitions import extract_definitions
from grader.grading.student import StudentProxy
from grader.sandbox import bubblewrap, launch

pytestmark = pytest.mark.xdist_group("sandbox")

PROBES = '''
import os
import socket

def exists(path):
    return os.path.exists(path)

def listing(path):
    return sorted(os.listdir(path))

def identity():
    return {"uid": os.getuid(), "cwd": os.getcwd(), "home": os.environ.get("HOME"),
            "data": os.environ.get("COURSE_DATA_DIR"), "pid": os.getpid()}

def write(path):
    with open(path, "w") as handle:
        handle.write("x")
    return True

def connect(host, port):
    socket.create_connection((host, port), timeout=2).close()
    return True

def import_grader():
    import grader
    return grader.__file__

def fork_bomb(n):
    children = 0
    try:
        for _ in range(n):
            if os.fork() == 0:
                import time
                time.sleep(2)
                os._exit(0)
            children += 1
    except OSError as error:
        return ["stopped", children, type(error).__name__]
    return ["not stopped", children]

def allocate(gib):
    return len(bytearray(gib << 30))

def big_file(mib):
    with open("big.bin", "wb") as handle:
        for _ in range(mib):
            handle.write(b"x" * (1 << 20))
    return True

def parent_cwd():
    return os.readlink(f"/proc/{os.getppid()}/cwd")
'''


@pytest.fixture(scope="module")
def student():
    if bubblewrap.probe() is not None:
        pytest.fail(f"the sandbox must work where the suite runs: {bubblewrap.probe()}")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(PROBES)]
    with StudentProxy(extract_definitions(notebook), launcher=bubblewrap.BubblewrapLauncher(),
                      default_timeout=20) as proxy:
        yield proxy


@pytest.mark.parametrize("path", [REPO_ROOT / "grader" / "checks", REPO_ROOT / "course",
                                  REPO_ROOT / ".git", REPO_ROOT / "grader",
                                  os.environ.get("COURSE_DATA_DIR", "/work/shared/data")])
def test_grader_files_are_invisible(student, path):
    assert student.call("exists", str(path)) is False


def test_the_graders_home_shows_only_the_way_to_python(student):
    home = os.path.expanduser("~")
    mounted = [d for d in bubblewrap._python_dirs() if d.startswith(home + os.sep)]
    expected = sorted({d[len(home) + 1:].split(os.sep)[0] for d in mounted})
    assert student.call("listing", home) == expected if mounted else \
        student.call("exists", home) is False


def test_only_the_runtime_is_mounted(student):
    assert student.call("listing", bubblewrap.INSIDE_ROOT) == ["gradeworker", "source_lib"]
    with pytest.raises(StudentCodeError) as error:
        student.call("import_grader")
    assert error.value.exc_type == "ModuleNotFoundError"


def test_unprivileged_in_a_private_scratch(student):
    seen = student.call("identity")
    assert seen["uid"] != 0
    assert seen["cwd"] == seen["home"] == bubblewrap.INSIDE_SCRATCH
    assert seen["data"] is None
    assert student.call("write", "notes.txt") is True
    assert student.call("write", "/tmp/notes.txt") is True


@pytest.mark.parametrize("path", ["/usr/lib/evil", str(REPO_ROOT / "evil"), "/etc/evil"])
def test_no_writes_outside_scratch(student, path):
    with pytest.raises(StudentCodeError) as error:
        student.call("write", path)
    assert error.value.exc_type in {"OSError", "PermissionError", "FileNotFoundError"}


@pytest.mark.parametrize("host", ["127.0.0.1", "1.1.1.1"])
def test_no_network(student, host):
    with pytest.raises(StudentCodeError) as error:
        student.call("connect", host, 80)
    assert error.value.exc_type in {"OSError", "ConnectionRefusedError", "TimeoutError"}


def test_no_view_of_the_grading_process(student):
    # in its own PID namespace the worker's parent is bwrap's init, owned by another uid
    try:
        seen = student.call("parent_cwd")
    except StudentCodeError as error:
        assert error.exc_type == "PermissionError"
        return
    assert not seen.startswith(str(REPO_ROOT))


def test_fork_bomb_is_stopped(student):
    outcome = student.call("fork_bomb", 500)
    assert outcome[0] == "stopped" and outcome[1] < bubblewrap.BubblewrapLauncher.max_processes


def test_memory_bomb_fails_in_the_worker_only(student):
    with pytest.raises((StudentCodeError, WorkerCrashed, StudentTimeout)):
        student.call("allocate", 16)
    assert student.call("identity")["uid"] != 0          # a fresh worker answers again


def test_file_size_is_limited(student):
    with pytest.raises((StudentCodeError, WorkerCrashed)):
        student.call("big_file", (bubblewrap.BubblewrapLauncher.file_bytes >> 20) + 16)


def test_launcher_falls_back_loudly(monkeypatch):
    monkeypatch.setenv("GRADER_SANDBOX", "off")
    chosen, warning = launch.launcher()
    assert not getattr(chosen, "sandboxed", False) and "NOT SANDBOXED" in warning
    with pytest.raises(bubblewrap.SandboxUnavailable):
        monkeypatch.setattr(bubblewrap, "probe", lambda: "bwrap is not installed")
        launch.launcher(require=True)


# ------------------------------------------------ the fork server (one sandbox per job slot)
LEFTOVERS = '''
import os
import subprocess

def leave_traces():
    open("/tmp/trace.txt", "w").write("x")
    open("trace.txt", "w").write("x")
    if os.fork() == 0:          # a background process that outlives this worker
        os.setsid()
        import time
        time.sleep(60)
        os._exit(0)
    return True

def traces():
    alive = [p for p in os.listdir("/proc") if p.isdigit() and p not in ("1", str(os.getpid()))
             and open(f"/proc/{p}/cmdline", "rb").read()]
    return [os.path.exists("/tmp/trace.txt"), os.path.exists("trace.txt"),
            os.path.exists("../1/trace.txt"), len(alive)]

def kill_the_fork_server():
    os.kill(os.getppid(), 9)
    return True

def answer():
    return 42
'''


@pytest.fixture(scope="module")
def fork_server():
    from grader.sandbox.forkserver import ZygoteLauncher
    launcher = ZygoteLauncher()
    yield launcher
    launcher.close()


def _leftovers_proxy(launcher):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(LEFTOVERS)]
    return StudentProxy(extract_definitions(notebook), launcher=launcher, default_timeout=20)


def test_a_forked_worker_sees_nothing_of_the_previous_one(fork_server):
    with _leftovers_proxy(fork_server) as first:
        assert first.call("leave_traces") is True
    with _leftovers_proxy(fork_server) as second:
        # files gone, the background process killed; only the zygote itself remains
        assert second.call("traces") == [False, False, False, 1]


def test_killing_the_fork_server_costs_only_a_restart(fork_server):
    with _leftovers_proxy(fork_server) as student:
        student.call("kill_the_fork_server")
        assert student.call("answer") == 42
    with _leftovers_proxy(fork_server) as student:
        assert student.call("answer") == 42
