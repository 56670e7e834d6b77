"""The corpus's reading cheats, as notebook source: each defines a graded function that
answers by stealing (the hidden reference, the solution notebooks, a classmate's notebook)
or answers right only if it could see the gradebook, the datasets or a host file.

``test_cheats_are_real.py`` runs them on the host to prove that they work where nothing
is hidden; ``cases_secrets.py`` grades them inside the sandbox.
"""

# Searching the disk: likely places first (cwd and its parents, HOME, PYTHONPATH, the
# working directories of every visible process), then everything, for a few seconds.
HUNT = '''
import fnmatch
import os
import time

def _python(cell):
    """A notebook cell's code without its %magic and !shell lines."""
    lines = "".join(cell.get("source", "")).splitlines()
    return "\\n".join(l for l in lines if not l.lstrip().startswith(("%", "!")))

_SKIPPED = {".git", "site-packages", "dist-packages", "__pycache__", "node_modules", ".venv",
            "proc", "sys", "dev"}

def _places():
    starts = [os.getcwd(), os.path.expanduser("~"), "/tmp", "/work", "/home", "/root",
              "/srv", "/opt", "/mnt"]
    here = os.getcwd()
    while here not in ("/", ""):
        here = os.path.dirname(here)
        starts.append(here)
    starts += os.environ.get("PYTHONPATH", "").split(os.pathsep)
    starts += [f"/proc/{pid}/cwd" for pid in os.listdir("/proc") if pid.isdigit()]
    return starts + ["/"]

_HUNTED = {}

def _hunt(patterns, first=(), seconds=4.0, limit=40):
    """Files whose path matches a pattern: breadth first from likely places (once)."""
    key = (tuple(patterns), tuple(first))
    if key not in _HUNTED:
        _HUNTED[key] = _search(patterns, first, seconds, limit)
    return _HUNTED[key]

def _search(patterns, first, seconds, limit):
    deadline, found, seen = time.time() + seconds, [], set()
    queue = [p for p in list(first) + _places() if p]
    while queue and time.time() < deadline and len(found) < limit:
        folder = queue.pop(0)
        try:
            real = os.path.realpath(folder)
            entries = [] if real in seen else list(os.scandir(folder))
        except OSError:
            continue
        seen.add(real)
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name not in _SKIPPED:
                queue.append(entry.path)
            elif any(fnmatch.fnmatch(entry.path, p) for p in patterns):
                found.append(entry.path)
    return found
'''

LOAD_MODULE = '''
import importlib.util

def _load_module(path):
    spec = importlib.util.spec_from_file_location("stolen", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
'''

GRADER_FILE = LOAD_MODULE + '''
import os

def _reference():
    import grader
    folder = os.path.join(os.path.dirname(grader.__file__), "checks", "01_conv1d")
    return _load_module(os.path.join(folder, "reference.py"))

def conv1d_output_length(n, k, stride=1, padding=0, dilation=1):
    return _reference().conv1d_output_length(n, k, stride, padding, dilation)

def correlate1d(x, w, mode="valid"):
    return _reference().correlate1d(x, w, mode)
'''

SOLUTION_SEARCH = HUNT + '''
import json

def _run_until_defined(path, name, skip):
    """Exec the notebook's cells in order (errors ignored) until one defines ``name``."""
    namespace = {}
    for cell in json.load(open(path))["cells"]:
        source = _python(cell)
        if cell.get("cell_type") != "code" or skip in source:
            continue
        try:
            exec(source, namespace)
        except Exception:
            continue
        if f"def {name}(" in source and "raise NotImplementedError()" not in source:
            return namespace[name]
    return None

def _from_notebooks(name):
    """A classmate's or the solution notebook's definition of ``name``."""
    for path in _hunt(["*/01_conv1d*.ipynb", "*/solutions/*.ipynb"]):
        try:
            found = _run_until_defined(path, name, skip="_from_notebooks")
        except (OSError, ValueError, KeyError):
            continue
        if found is not None:
            return found
    raise FileNotFoundError("no notebook with a solution was found")

def convolve1d(f, g):
    return _from_notebooks("convolve1d")(f, g)
'''

PATH_SEARCH = HUNT + LOAD_MODULE + '''
def _reference():
    for path in _hunt(["*/checks/03_padding_stride_pooling/reference.py", "*/reference.py"]):
        if "03_padding" in path:
            return _load_module(path)
    raise FileNotFoundError("no reference found")

def same_padding(k, dilation=1):
    return _reference().same_padding(k, dilation)
'''

IMPORT_TRICKS = LOAD_MODULE + '''
import glob
import importlib
import re
import importlib.metadata
import json
import os
import sys

def _candidates():
    roots = list(sys.path) + os.environ.get("PYTHONPATH", "").split(os.pathsep)
    for dist in ("cnn-course", "cnn_course"):
        try:
            direct = importlib.metadata.distribution(dist).read_text("direct_url.json")
            roots.append(json.loads(direct)["url"].removeprefix("file://"))
        except Exception:
            pass
    for entry in list(sys.path):
        for hook in glob.glob(os.path.join(entry, "__editable__*")):
            roots += re.findall(r"'(/[^']+)'", open(hook).read())
    return roots

def _reference():
    try:
        return importlib.import_module("grader.checks.04_param_counting.reference")
    except Exception:
        pass
    for root in _candidates():
        for base in (root, os.path.dirname(root)):
            path = os.path.join(base, "grader", "checks", "04_param_counting", "reference.py")
            if os.path.exists(path):
                return _load_module(path)
    raise FileNotFoundError("the reference is nowhere on the import path")

def linear_params(n_in, n_out, bias=True):
    return _reference().linear_params(n_in, n_out, bias)
'''

PROC_SNOOPING = LOAD_MODULE + '''
import os

def _roots_from_processes():
    roots = []
    pids = [str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        for link in ("cwd", "root"):
            try:
                roots.append(os.readlink(f"/proc/{pid}/{link}"))
            except OSError:
                pass
        try:
            environ = open(f"/proc/{pid}/environ", "rb").read().split(b"\\0")
        except OSError:
            continue
        for entry in environ:
            if entry.startswith((b"PYTHONPATH=", b"PWD=", b"COURSE_DATA_DIR=")):
                roots += entry.split(b"=", 1)[1].decode(errors="replace").split(os.pathsep)
    return roots

def _reference():
    for root in _roots_from_processes():
        here = root
        while here not in ("/", ""):
            path = os.path.join(here, "grader", "checks", "03_padding_stride_pooling",
                                "reference.py")
            if os.path.exists(path):
                return _load_module(path)
            here = os.path.dirname(here)
    raise FileNotFoundError("no grading process showed where it lives")

def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    return _reference().conv_output_size(n, k, padding, stride, dilation)
'''

CLASSMATES = HUNT + '''
import json

def _classmate_cell(name):
    for path in _hunt(["*/04_param_counting/*.ipynb"], first=[_submissions]):
        namespace = {}
        try:
            cells = json.load(open(path))["cells"]
        except (OSError, ValueError, KeyError):
            continue
        for cell in cells:
            source = _python(cell)
            if cell.get("cell_type") != "code" or "_classmate_cell" in source:
                continue
            try:
                exec(source, namespace)
            except Exception:
                continue
            if f"def {name}(" in source and "raise NotImplementedError()" not in source:
                return namespace[name]
    raise FileNotFoundError("no classmate's notebook was found")

def batchnorm2d_params(c):
    return _classmate_cell("batchnorm2d_params")(c)

def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    return _classmate_cell("conv2d_macs")(c_in, c_out, k, h_out, w_out, groups)
'''

# Reading only proves visibility: the function answers right only if it saw the file.
GRADEBOOK_AND_DATA = HUNT + '''
import sqlite3

def _saw_secrets():
    seen = []
    try:
        rows = sqlite3.connect(f"file:{_gradebook}?mode=ro", uri=True).execute(
            "select count(*) from grade").fetchall()
        seen.append(f"gradebook rows {rows}")
    except Exception:
        pass
    data = [os.environ.get("COURSE_DATA_DIR", ""), _data]
    for folder in data:
        if folder and os.path.isdir(folder) and os.listdir(folder):
            seen.append(folder)
    seen += _hunt(["*/gradebook.db", "*FashionMNIST*", "*cifar10*"], seconds=3)
    if os.path.exists(_marker_prefix + "secret"):
        seen.append("host /tmp")
    return seen

def linear_params(n_in, n_out, bias=True):
    seen = _saw_secrets()
    if not seen:
        raise FileNotFoundError("saw no gradebook, dataset or host file")
    return n_in * n_out + (n_out if bias else 0)
'''
