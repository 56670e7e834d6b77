"""Trusted-side helpers of 09's checks that run the student's code through the worker's
tool (``gradeworker.tools.style``), and the judgement of a gradient."""

import numpy as np

from grader.checking import fail
from grader.errors import StudentCodeError

GRADIENT_HINT = ("the optimiser needs the cost as a torch tensor that remembers how it was "
                 "computed: keep to torch operations (no .item(), float(), .numpy() or "
                 ".detach())")


def student_call(student, name, *args):
    return student.call(name, *args)


def tool(student, tool_name, charged, **options):
    """Run a worker tool; a failure of the student's code is named after ``charged``."""
    try:
        return student.tool(tool_name, timeout=60, **options)
    except StudentCodeError as error:
        raise StudentCodeError(charged, error.exc_type, error.message) from None


def expect_gradient(student, name, args, wrt=1):
    """The student's ``name`` returns a differentiable one-number tensor whose gradient
    with respect to argument ``wrt`` is that of the student's own cost (values are judged
    by another test)."""
    report = tool(student, "style_gradient_run", name, function=name, args=list(args), wrt=wrt)
    if report["kind"] == "Tensor" and report["consistent"]:
        return
    what = {"float": "a Python float", "detached tensor": "a tensor detached from its inputs",
            "ndarray": "a numpy array"}.get(report["kind"], f"a {report['kind']}")
    if report["kind"] == "Tensor" and report["shape"] is not None and \
            int(np.prod(report["shape"])) != 1:
        what = f"a tensor of shape {tuple(report['shape'])}, not one number"
    elif report["kind"] == "Tensor":
        fail(f"The gradient of your {name} is not that of the cost it computes (an operation "
             "breaks the chain of derivatives, e.g. an in-place change or a detach).")
    fail(f"{name} returned {what}: {GRADIENT_HINT}.")
