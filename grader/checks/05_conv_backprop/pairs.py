"""Trusted-side helpers of the 05 checks: run the student's forward/backward pair through the
worker tool ``forward_backward`` (the cache never leaves the worker) and build diagnosable
cases per gradient component. Loaded with ``load_reference(__file__, "pairs")``."""

import numpy as np

from grader.checking import (BY_HAND_2D, NO_AUTOGRAD, NO_POOLING, Case, CheckFailed, Raised,
                             check_cases, fail)
from grader.errors import BadReturnValue, ForbiddenOperation, StudentCodeError
from grader.checking.source_scan import forbidden_in_source

BACKWARD_FORBID = BY_HAND_2D + NO_AUTOGRAD         # by-hand backward functions
POOL_FORBID = BY_HAND_2D + NO_POOLING + NO_AUTOGRAD


def scan(student, name, groups):
    """The static half of the forbidden-operation rule (the tool arms the tripwires)."""
    used = forbidden_in_source(student.source_of(name), groups,
                               own_names=set(getattr(student, "sources", {})))
    if used:
        raise ForbiddenOperation(name, used)


def raise_error(error):
    if error["type"] == "BadReturn":
        raise BadReturnValue(error["stage"], error["message"])
    raise StudentCodeError(error["stage"], error["type"], error["message"])


def run_pair(student, forward, backward, args, dout=None, forbid_forward=(),
             forbid_backward=()):
    """(out, grads) of the student's forward then backward(dout, cache), in one worker call."""
    if forbid_forward:
        scan(student, forward, forbid_forward)
    if dout is not None and forbid_backward:
        if not student.has(backward):
            raise StudentCodeError(backward, "NameError", f"`{backward}` is not defined")
        scan(student, backward, forbid_backward)
    report = student.tool("forward_backward", forward, backward, list(args),
                          None if dout is None else np.asarray(dout, dtype=np.float64),
                          tuple(forbid_forward), tuple(forbid_backward), timeout=20)
    for stage, name in (("forward", forward), ("backward", backward)):
        if report["forbidden"].get(stage):
            raise ForbiddenOperation(name, report["forbidden"][stage])
    if report["error"]:
        raise_error(report["error"])
    return report["out"], report["grads"]


def as_components(name, grads, count):
    """The student's gradients as a list of ``count`` float arrays (one for a single array)."""
    if count == 1:
        grads = [grads]
    if not isinstance(grads, (list, tuple)) or len(grads) != count:
        fail(f"`{name}` must return {'(dx, dw, db)' if count == 3 else 'dx'}.")
    out = []
    for grad in grads:
        try:
            out.append(np.asarray(grad, dtype=np.float64))
        except (TypeError, ValueError):
            fail(f"`{name}` returned a {type(grad).__name__} where an array of gradients is due.")
    return out


def gradient_cases(name, got, expected, labels, candidates, context, shape_message):
    """One Case per component; a wrong shape with a telling message fails at once."""
    if isinstance(got, Raised):
        return [Case(got, e, context) for e in expected]
    got = as_components(name, got, len(expected))
    cases = []
    for g, e, label, cands in zip(got, expected, labels, candidates):
        # a shape explained by a misconception is diagnosed by check_cases itself
        explained = any(np.shape(c) == g.shape for c, _ in cands)
        message = shape_message(label, g.shape, np.shape(e))
        if message and not explained:
            raise CheckFailed(f"For {context}: {message}")
        cases.append(Case(g, e, f"{context} ({label})", cands))
    return cases


def check_gradients(cases):
    check_cases(cases)
