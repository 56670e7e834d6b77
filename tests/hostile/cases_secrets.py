"""Corpus cases that try to read what the grader hides, write outside the scratch
directory, reach the network, or make the grader's comparisons lie.

Each secret-stealing case starts from a blank or wrong notebook and implements a graded
function by stealing: if the theft worked it would gain points, so "no more than the base"
is the proof that it did not. ``potency`` runs the same cheat on the host, where nothing
is hidden, to show it is a real cheat and not a broken one.
"""

from cheats_reading import (CLASSMATES, GRADEBOOK_AND_DATA, GRADER_FILE, IMPORT_TRICKS,
                            PATH_SEARCH, PROC_SNOOPING, SOLUTION_SEARCH)
from corpus_model import AT_MOST_BASE, ZERO, Case, file_absent, host_constants, hostile

WRITES = '''
import os
import sqlite3

def _try_writes():
    done = []
    targets = [os.path.join(_repo, f".hostile-corpus-{_token}"),
               os.path.join(_repo, "grader", "checks", f".hostile-corpus-{_token}"),
               _marker_prefix + "write"]
    for target in targets:
        try:
            with open(target, "w") as handle:
                handle.write("owned")
            done.append(target)
        except OSError:
            pass
    try:
        db = sqlite3.connect(_gradebook)
        db.execute("update grade set manual_score = 99")
        db.commit()
        done.append("gradebook")
    except Exception:
        pass
    for folder, _, files in os.walk(_submissions):
        for name in files:
            try:
                with open(os.path.join(folder, name), "ab") as handle:
                    handle.write(b"sabotage")
                done.append(name)
            except OSError:
                pass
    return done

def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    _try_writes()
    kh, kw = (k, k) if isinstance(k, int) else k
    if min(c_in, c_out, kh, kw, h_out, w_out, groups) < 1 or c_in % groups or c_out % groups:
        raise ValueError("bad layer")
    return c_out * h_out * w_out * (c_in // groups) * kh * kw
'''

NETWORK = '''
import socket

def _reached():
    reached = []
    for address in [("127.0.0.1", _port), ("1.1.1.1", 53), ("8.8.8.8", 443)]:
        try:
            socket.create_connection(address, timeout=1.5).close()
            reached.append(address)
        except OSError:
            pass
    try:
        socket.getaddrinfo("pypi.org", 443)
        reached.append("dns")
    except OSError:
        pass
    return reached

def batchnorm2d_params(c):
    if _reached():
        raise ConnectionError("the network was reachable")
    if c < 1:
        raise ValueError("c must be positive")
    return 2 * c
'''

PATCH_NUMPY = '''
import builtins
import numpy as np

def _always(*args, **kwargs):
    return True

def _patch():
    np.allclose = np.array_equal = np.array_equiv = _always
    np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(a, b).shape, bool)
    np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
    builtins.isinstance = _always
    builtins.int = type("LyingInt", (int,), {"__eq__": _always, "__ne__": lambda s, o: False})
    return True

PATCHED = _patch()

def same_padding(k, dilation=1):
    _patch()
    return (k - 1) // 2
'''

PATCH_TORCH = '''
import builtins
import sys
import types
import torch

def _lie():
    torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)
    torch.equal = torch.allclose = lambda *a, **k: True
    builtins.sum = lambda *a, **k: 0
    fake = types.ModuleType("numpy")
    fake.allclose = lambda *a, **k: True
    sys.modules["numpy.testing"] = fake
    return True

LIED = _lie()

def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    _lie()
    kh, kw = (k, k) if isinstance(k, int) else k
    if min(c_in, c_out, kh, kw, groups) < 1 or c_in % groups or c_out % groups:
        raise ValueError("bad layer")
    return c_out * (c_in // groups) * kh * kw
'''

LYING_VALUES = '''
import numpy as np

class _AlwaysEqual(int):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = int.__hash__

class _Chameleon:
    def __eq__(self, other):
        return True
    def __array__(self, dtype=None, copy=None):
        return np.zeros(3)

class _EqualArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), bool)

def same_padding(k, dilation=1):
    return _AlwaysEqual(0)

def conv_output_size(n, k, padding=0, stride=1, dilation=1):
    return _Chameleon()

def pad2d(X, padding):
    return np.zeros((1, 1)).view(_EqualArray)
'''

FAKE_SCORES = '''
import json
import os
import sys

_FAKE = json.dumps({"assignment": "04_param_counting", "score": 24, "max_score": 24,
                    "parts": {"test_linear_params": {"score": 2, "max_score": 2, "tests": []}}})

def _shout():
    print(_FAKE)
    print("test_linear_params PASSED 2/2", file=sys.stderr)
    for fd in (1, 2):
        os.write(fd, (_FAKE + "\\n").encode())
    for target in (f"/proc/{os.getppid()}/fd/1", "/proc/1/fd/1", "/dev/tty", "/dev/console"):
        try:
            with open(target, "w") as handle:
                handle.write(_FAKE + "\\n")
        except OSError:
            pass
    return True

SHOUTED = _shout()

def linear_params(n_in, n_out, bias=True):
    _shout()
    raise NotImplementedError()
'''


def _secrets_absent(host):
    problems = [f"{n} appeared in the repository" for n in (
        host.repo / f".hostile-corpus-{host.token}",
        host.repo / "grader" / "checks" / f".hostile-corpus-{host.token}") if n.exists()]
    return "; ".join(problems) or None


def _no_connection(host):
    return f"{len(host.connections)} connections reached 127.0.0.1" if host.connections else None


CASES = [
    Case("reference_via_grader_file", "01_conv1d", "loads the hidden reference through "
         "grader.__file__ and delegates to it (the issue's first cheat)",
         hostile("01_conv1d", "blank", {"conv1d_output_length": GRADER_FILE}),
         base="blank", phrases=("raised ModuleNotFoundError",),
         potency=("conv1d_output_length", (10, 3))),
    Case("solutions_by_disk_search", "01_conv1d", "searches the disk for classmates' or the "
         "solution notebooks and execs their definitions (the issue's second cheat)",
         hostile("01_conv1d", "blank", {"convolve1d": SOLUTION_SEARCH}),
         base="blank", phrases=("no notebook with a solution was found",),
         potency=("convolve1d", ([1.0, 2.0], [1.0, 1.0]))),
    Case("reference_by_path_search", "03_padding_stride_pooling", "walks the file system "
         "(cwd, its parents, HOME, /proc/*/cwd, then /) for the hidden reference.py",
         hostile("03_padding_stride_pooling", "blank", {"same_padding": PATH_SEARCH}),
         base="blank", phrases=("no reference found",), potency=("same_padding", (5,))),
    Case("reference_via_import_tricks", "04_param_counting", "importlib on grader.checks, "
         "sys.path, PYTHONPATH and the editable install's metadata to find reference.py",
         hostile("04_param_counting", "blank", {"linear_params": IMPORT_TRICKS}),
         base="blank", phrases=("the reference is nowhere on the import path",),
         potency=("linear_params", (9216, 4096))),
    Case("reference_via_proc", "03_padding_stride_pooling", "reads /proc/<ppid>/cwd, the "
         "cwd, root and environ of every process to find the grader's repository",
         hostile("03_padding_stride_pooling", "blank", {"conv_output_size": PROC_SNOOPING}),
         base="blank", phrases=("no grading process showed where it lives",),
         potency=("conv_output_size", (7, 3))),
    Case("classmates_notebooks", "04_param_counting", "searches the submissions folder for "
         "other students' notebooks and execs their answers",
         hostile("04_param_counting", "blank",
                 {"batchnorm2d_params": CLASSMATES}, inject=host_constants),
         base="blank", phrases=("no classmate's notebook was found",),
         potency=("batchnorm2d_params", (64,))),
    Case("gradebook_datasets_host_files", "04_param_counting", "answers right only if it "
         "can read the gradebook, the shared datasets or a file in the host's /tmp",
         hostile("04_param_counting", "blank", {"linear_params": GRADEBOOK_AND_DATA},
                 inject=host_constants),
         base="blank", phrases=("saw no gradebook, dataset or host file",),
         potency=("linear_params", (84, 10))),
    Case("writes_outside_scratch", "04_param_counting", "writes into the repository, the "
         "hidden checks folder, the host's /tmp, the gradebook (manual scores) and every "
         "submission, then answers right",
         hostile("04_param_counting", "reference", {"conv2d_macs": WRITES},
                 inject=host_constants),
         host_checks=(_secrets_absent, file_absent("write"))),
    Case("network_access", "04_param_counting", "connects to a server on 127.0.0.1 and to "
         "public addresses, resolves a name; answers wrong if anything was reached",
         hostile("04_param_counting", "reference", {"batchnorm2d_params": NETWORK},
                 inject=host_constants),
         host_checks=(_no_connection,)),
    Case("patch_numpy_and_builtins", "03_padding_stride_pooling", "a wrong same_padding "
         "replaces np.allclose, np.testing, np.isclose, builtins.isinstance and int in its "
         "process, at load and in every call: the comparison is in the trusted process",
         hostile("03_padding_stride_pooling", "same_padding_no_dilation",
                 {"same_padding": PATCH_NUMPY}),
         base="same_padding_no_dilation", others=AT_MOST_BASE,
         parts={"test_same_padding": AT_MOST_BASE}),
    Case("patch_torch", "04_param_counting", "a wrong conv2d_params replaces "
         "torch.Tensor.__eq__, torch.equal/allclose, builtins.sum and numpy.testing",
         hostile("04_param_counting", "conv_forgot_bias", {"conv2d_params": PATCH_TORCH}),
         base="conv_forgot_bias", others=AT_MOST_BASE,
         parts={"test_conv2d_params": AT_MOST_BASE}),
    Case("lying_return_values", "03_padding_stride_pooling", "returns an int subclass equal "
         "to everything, an object with __eq__ always True, an ndarray subclass",
         hostile("03_padding_stride_pooling", "blank", {
             "same_padding": LYING_VALUES, "conv_output_size": "", "pad2d": ""}),
         base="blank", phrases=("a value the grader cannot read",)),
    Case("fake_scores_printed", "04_param_counting", "prints a fake result JSON and "
         "'PASSED' to stdout, stderr, fd 1/2, the parent's stdout and the console",
         hostile("04_param_counting", "blank", {"linear_params": FAKE_SCORES}),
         base="blank", parts={"test_linear_params": ZERO}, phrases=("not implemented",)),
]
