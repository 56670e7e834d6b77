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


def _as_batch(X):
    X = np.ascontiguousarray(X, dtype=np.float64)
    return X if X.ndim == 4 else X[None]


def _plain(value):
    """A float array for the trusted side to check, or None for something that is not one."""
    try:
        value = value.detach().cpu().numpy() if hasattr(value, "detach") else value
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError, AttributeError, RuntimeError):
        return None


def time_against_loops(namespace, name, inputs, warm_up):
    """Run time of the student's ``name(X, K)`` and of a loop over output pixels, each pair
    of ``inputs`` used ONCE (fresh values every repetition, so results cached between calls
    cannot help), alternated in this process. X may be (C, H, W) or (N, C, H, W).

    Returns {"student": median seconds, "loops": median seconds, "outputs": the student's
    result for each pair}; the trusted side checks the outputs and judges the ratio.
    """
    function = student_function(namespace, name)
    function(*(np.array(a, dtype=np.float64) for a in warm_up))    # imports, first-call costs
    student, loops, outputs = [], [], []
    for X, K in inputs:                               # alternate: shared machine noise hits both
        X, K = np.array(X, dtype=np.float64), np.array(K, dtype=np.float64)
        result = []
        student.append(_seconds(lambda: result.append(function(X.copy(), K.copy()))))
        loops.append(_seconds(lambda: _loop_baseline(_as_batch(X), K)))
        outputs.append(_plain(result[0]))
    return {"student": float(np.median(student)), "loops": float(np.median(loops)),
            "outputs": outputs}


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

    previous, settrace = sys.gettrace(), sys.settrace
    switched = []
    # Code that switches the counter off (sys.settrace(None) around a loop) would hide the
    # loop: during the call sys.settrace only records that it was asked.
    sys.settrace = lambda *_: switched.append(True)
    settrace(global_trace)
    try:
        function(*args)
    finally:
        settrace(previous)
        sys.settrace = settrace
    if switched:
        raise RuntimeError("your code calls sys.settrace, which switches off the counter of "
                           "the Python lines it runs: loops cannot be judged")
    return count[0]


def count_student_lines(namespace, name, calls, warm_up=None):
    """``lines_run`` of the student's ``name(*args)`` for each ``args`` in ``calls``, after
    one uncounted ``warm_up`` call (first-call imports). A loop over output pixels runs more
    lines for a larger image, a vectorized version runs the same lines. Returns {"counts",
    "outputs"}: the trusted side checks the results of the counted calls (each on inputs
    the function has not seen before), so caching results between calls cannot help."""
    function = student_function(namespace, name)
    if warm_up is not None:
        function(*warm_up)
    counts, outputs = [], []
    for args in calls:
        result = []
        counts.append(lines_run(lambda *a: result.append(function(*a)), *args))
        outputs.append(_plain(result[0]))
    return {"counts": counts, "outputs": outputs}


TOOLS = {"time_against_loops": time_against_loops, "count_student_lines": count_student_lines}
