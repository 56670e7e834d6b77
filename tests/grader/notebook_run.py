"""Run a notebook top to bottom in a fresh kernel (tests, benchmarks, the nbgrader baseline).

The kernel talks over IPC sockets in a private directory rather than TCP on localhost:
jupyter_client picks free TCP ports and releases them before the kernel binds them, a race
when several kernels and grading workers start at once (the test suite runs two xdist
workers). A per-cell timeout turns a hung cell into an error, not a stalled run.
"""

import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

CELL_TIMEOUT = 300   # seconds per cell; quick-mode cells take under 20 s


def execute(notebook, workdir, cell_timeout=CELL_TIMEOUT, allow_errors=False):
    """Execute ``notebook`` (a path or a NotebookNode) with ``workdir`` as its working
    directory. Returns (executed NotebookNode, wall seconds); raises nbclient's errors
    (with ``allow_errors``, a failing cell keeps its error output and the run goes on)."""
    if not isinstance(notebook, nbformat.NotebookNode):
        notebook = nbformat.read(str(notebook), as_version=4)
    with tempfile.TemporaryDirectory(prefix="kernel-ipc-") as sockets:
        manager = KernelManager(kernel_name="python3", transport="ipc",
                                ip=str(Path(sockets) / "kernel"))
        client = NotebookClient(notebook, km=manager, timeout=cell_timeout,
                                kernel_name="python3", allow_errors=allow_errors,
                                resources={"metadata": {"path": str(workdir)}})
        started = time.perf_counter()
        try:
            client.execute()
        finally:
            if manager.has_kernel:   # a kernel manager we pass in is ours to shut down
                manager.shutdown_kernel(now=True)
        return notebook, time.perf_counter() - started
