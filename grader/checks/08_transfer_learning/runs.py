"""Trusted-side helpers of 08's checks: the student's function runs on a spec model in the
worker (``gradeworker.tools.transfer``); the reference and the wrong versions run here on an
identical model, through the same code. Loaded with ``load_reference(__file__, "runs")``."""

from grader.errors import StudentCodeError
from gradeworker.tools import transfer

TOOL_OF = {"freeze": "freeze_run", "replace_head": "replace_head_run",
           "count_trainable": "count_run", "extract_features": "extract_run",
           "param_groups": "groups_run"}


def student_run(student, name, **options):
    """The report of the student's ``name`` (its faults named after ``name``)."""
    try:
        return student.tool(TOOL_OF[name], timeout=30, **options)
    except StudentCodeError as error:
        raise StudentCodeError(name, error.exc_type, error.message) from None


def trusted_run(name, function, **options):
    """The same report for a trusted ``function`` standing for ``name``; None when that
    function cannot run on this model (a wrong version that does not apply)."""
    try:
        return getattr(transfer, TOOL_OF[name])({name: function}, **options)
    except (AttributeError, RuntimeError, TypeError, ValueError, KeyError):
        return None


def matching(name, got, candidates, field, **options):
    """The message of the first wrong version whose report has the student's ``field``."""
    for function, message in candidates:
        report = trusted_run(name, function, **options)
        if report is not None and report[field] == got[field]:
            return message
    return None


def listed(names, limit=3):
    """`a`, `b`, `c` and 2 more."""
    shown = ", ".join(f"`{n}`" for n in sorted(names)[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
