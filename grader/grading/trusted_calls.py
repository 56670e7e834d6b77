"""Answer a worker's request to run a trusted graded function (see grader.grading.charging).

During a re-check the worker replaces a wrong graded function of the student's
by a stub that sends its arguments here; the trusted process computes the
result with the reference implementation and sends back only that value (or
the name of the exception it raised). Reference code and expected values of
the hidden tests never cross into the worker. The arguments come from
untrusted code, so they are bounded before any work is done with them.
"""

import numpy as np

from gradeworker import protocol

MAX_ARRAY_ELEMENTS = 1 << 22   # 32 MB of float64 per array argument
MAX_INTEGER = 1024             # sizes, paddings, strides: far above any check's inputs
MAX_ITEMS = 10_000             # elements of lists/tuples/dicts, counted recursively
_PASSED_THROUGH = ("ValueError", "TypeError", "IndexError", "ZeroDivisionError",
                   "OverflowError")


class _TooLarge(Exception):
    pass


def _check_bounds(value, budget):
    """Raise _TooLarge if ``value`` could make the reference use unbounded time or memory."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge()
    if isinstance(value, bool) or value is None or isinstance(value, (float, str)):
        return
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise _TooLarge()
    elif isinstance(value, np.ndarray):
        if value.size > MAX_ARRAY_ELEMENTS:
            raise _TooLarge()
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_bounds(item, budget)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_bounds(key, budget)
            _check_bounds(item, budget)


def answer(implementations, request):
    """The reply to one ``{"callback": name, "args": ..., "kwargs": ...}`` request."""
    function = implementations.get(request.get("callback"))
    if function is None:
        return {"error": "RuntimeError"}
    try:
        args = protocol.decode(request.get("args", []), tensors=False)
        kwargs = protocol.decode(request.get("kwargs", {"__dict__": []}), tensors=False)
        if not isinstance(args, list) or not isinstance(kwargs, dict) \
                or not all(isinstance(key, str) for key in kwargs):
            return {"error": "TypeError"}
        _check_bounds([args, kwargs], [MAX_ITEMS])
    except protocol.ProtocolError:
        return {"error": "TypeError"}
    except _TooLarge:
        return {"error": "ValueError"}
    try:
        return {"value": protocol.encode(function(*args, **kwargs))}
    except Exception as error:  # the reference rejected the input: tell only the kind
        kind = type(error).__name__
        return {"error": kind if kind in _PASSED_THROUGH else "RuntimeError"}
