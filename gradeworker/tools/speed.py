"""02: how a vectorized exercise scales (line counts) and how fast it runs against loops."""

import sys
import time

import numpy as np

from gradeworker.tools.common import student_function


def _loop_baseline(X, K):
    """Multi-channel correlation with a Python loop over output values, one small dot
    product (patch . kernel) each: what an honest loop version costs."""
    n, c, h, w = X.shape
    c_out, _, kh, kw = K.shape
    weights = K.reshape(c_out, -1)
    out = np.empty((n, c_out, h - kh + 1, w - kw + 1))
    for image in range(n):
        for o in range(c_out):
            for i in range(h - kh + 1):
                for j in range(w - kw + 1):
                    out[image, o, i, j] = weights[o] @ X[image, :, i:i + kh, j:j + kw].ravel()
    return out


def _seconds(function):
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def time_against_loops(namespace, name, X, K, repeats=5):
    """Median run time of the student's ``name(X, K)`` and of a loop over output pixels
    on the same (N, C, H, W) input, measured alternately in this process.

    Returns {"student": seconds, "loops": seconds}; the trusted side judges the ratio.
    """
    function = student_function(namespace, name)
    X = np.ascontiguousarray(X, dtype=np.float64)
    K = np.ascontiguousarray(K, dtype=np.float64)
    function(X.copy(), K.copy())                      # warm-up (imports, caches)
    student, loops = [], []
    for _ in range(int(repeats)):                     # alternate: shared machine noise hits both
        student.append(_seconds(lambda: function(X.copy(), K.copy())))
        loops.append(_seconds(lambda: _loop_baseline(X, K)))
    return {"student": float(np.median(student)), "loops": float(np.median(loops))}


def lines_run(function, *args):
    """Python line events executed during ``function(*args)``, in every frame: the
    student's cells, code they exec'd or wrote to a file under any name, and the Python
    parts of the libraries they call (a fixed number of lines per call, whatever the data
    size). Machine-independent; imports (``<frozen ...>`` frames) are left out."""
    count = [0]

    def local(frame, event, arg):
        if event == "line":
            count[0] += 1
        return local

    def global_trace(frame, event, arg):
        return None if frame.f_code.co_filename.startswith("<frozen") else local

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        function(*args)
    finally:
        sys.settrace(previous)
    return count[0]


def count_student_lines(namespace, name, calls):
    """``lines_run`` of the student's ``name(*args)`` for each ``args`` in ``calls``: a list
    of counts. A loop over output pixels runs more lines for a larger image, a vectorized
    version runs the same lines."""
    function = student_function(namespace, name)
    return [lines_run(function, *args) for args in calls]


TOOLS = {"time_against_loops": time_against_loops, "count_student_lines": count_student_lines}
