"""Trusted-side helpers of the 05 checks: run the student's forward/backward pair through the
worker tool ``forward_backward`` (the cache never leaves the worker) and build diagnosable
cases per gradient component. Loaded with ``load_reference(__file__, "pairs")``.

A backward pass is graded on the cache the student's OWN forward makes, so a case on which
that forward raises (or gives an output of the wrong shape, so that the dout of the right
shape cannot match its cache, and the backward is wrong too) cannot be checked: it is
charged to the forward's part only. A forward with wrong values of the right shape (no
bias, a flipped kernel) makes a consistent cache: the backward is graded as usual. The backward is graded on the cases that
could be checked, and a note says how many could not (``check_backward``).
"""

import numpy as np

from grader.checking import (BY_HAND_2D, NO_AUTOGRAD, NO_POOLING, Case, CheckFailed, Raised,
                             attempt, case_is_right, check_cases, fail, note)
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


class ForwardFailed(StudentCodeError):
    """The student's forward raised on a case of a backward check: the case cannot be set up."""


def raise_error(error, forward=None, forward_out=None):
    """Raise the student's error; ``forward_out`` (what the forward returned before the
    backward failed) travels on it."""
    if error["stage"] == forward:
        raise ForwardFailed(error["stage"], error["type"], error["message"])
    if error["type"] == "BadReturn":
        exception = BadReturnValue(error["stage"], error["message"])
    else:
        exception = StudentCodeError(error["stage"], error["type"], error["message"])
    exception.forward_out = forward_out
    raise exception


def _why(error):
    """What the forward did, in a few words (its message is shown in its own part)."""
    if error.exc_type == "NotImplementedError":
        return "it is not implemented yet"
    if error.exc_type == "BadReturn":
        return "it did not return (out, cache)"
    return f"it raised {error.exc_type}"


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
        raise_error(report["error"], forward if dout is not None else None, report["out"])
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


# ------------------------------------------------ backward passes on the student's own cache
class Unchecked:
    """A backward case the student's forward could not set up (charged to the forward)."""

    def __init__(self, forward, why):
        self.forward, self.why = forward, why


def _same_shape(got, expected):
    try:
        return np.shape(got) == np.shape(expected)
    except (TypeError, ValueError):
        return False


def _all_right(cases):
    return all(case_is_right(case) for case in cases)


def backward_cases(student, names, args, dout, expected_out, expected_grads, case_options,
                   forbid):
    """The gradient cases of one call of the student's forward then backward, or
    ``[Unchecked]`` when the forward raised, or gave an output of the wrong shape and the
    backward is wrong.

    ``names``: (forward, backward); ``case_options``: (labels, candidates, context,
    shape_message) for ``gradient_cases``."""
    forward, backward = names
    try:
        pair = attempt(lambda: run_pair(student, forward, backward, args, dout,
                                        forbid_backward=forbid))
    except ForwardFailed as error:            # NotImplementedError in the forward
        return [Unchecked(forward, _why(error))]
    if isinstance(pair, Raised) and isinstance(pair.error, ForwardFailed):
        return [Unchecked(forward, _why(pair.error))]
    got = pair if isinstance(pair, Raised) else pair[1]
    labels, candidates, context, shape_message = case_options
    out = getattr(pair.error, "forward_out", None) if isinstance(pair, Raised) else pair[0]
    consistent = out is None or _same_shape(out, expected_out)
    wrong_shape = Unchecked(forward, "its output has the wrong shape")
    try:
        cases = gradient_cases(backward, got, expected_grads, labels, candidates, context,
                               shape_message)
    except CheckFailed:
        if consistent:
            raise
        return [wrong_shape]
    if not consistent and not _all_right(cases):
        return [wrong_shape]
    return cases


def _split(groups):
    unchecked = [g[0] for g in groups if isinstance(g[0], Unchecked)]
    checked = [case for g in groups if not isinstance(g[0], Unchecked) for case in g]
    return unchecked, checked


def _reasons(unchecked):
    return "; ".join(sorted({u.why for u in unchecked}))


def check_backward(groups, basic=None):
    """Grade a backward pass on the calls its own forward could set up.

    ``groups``: one list per call (``backward_cases``); ``basic``: a function giving the
    groups of the basic cases, used when none of this test's calls could be checked."""
    unchecked, checked = _split(groups)
    if checked:
        check_cases(checked)
        if unchecked:
            note(f"{len(unchecked)} of these {len(groups)} cases could not be checked: your "
                 f"`{unchecked[0].forward}`, which makes the cache, failed on them "
                 f"({_reasons(unchecked)}; charged in its own part). Your backward is right "
                 "on the others.")
        return
    forward = unchecked[0].forward
    cannot = (f"None of these cases could be checked: your `{forward}`, which makes the "
              f"cache, failed on every one ({_reasons(unchecked)}; charged in its own part)")
    basic_checked = _split(basic())[1] if basic else []
    if not basic_checked:
        fail(cannot + ", the basic cases included. Fix it, and the backward will be graded.")
    check_cases(basic_checked)
    note(cannot + ". Your backward is right on the basic cases, so it keeps these points.")
