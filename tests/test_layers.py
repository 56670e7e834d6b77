"""The import layering of pyproject.toml's [tool.importlinter] contracts holds: the worker
runtime never imports the grader, the students' library imports neither, the grader's
layers only import downwards, and no package's modules import each other in a cycle."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_every_module_imports():
    """A module imported only lazily (the grading slot, the Dask backend) must not hide a
    broken import until a batch needs it: every shipped module is imported here."""
    code = ("import importlib, pkgutil\n"
            "for package in ('grader', 'gradeworker', 'source_lib'):\n"
            "    root = importlib.import_module(package)\n"
            "    for info in pkgutil.walk_packages(root.__path__, package + '.'):\n"
            "        if info.name not in ('grader.__main__', 'gradeworker.worker', "
            "'gradeworker.zygote'):\n"
            "            importlib.import_module(info.name)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
