"""02_conv2d: naming a square kernel assumed (one of KH, KW used for both axes).

On a non-square kernel such code usually fails before it returns anything: numpy cannot
broadcast the KH x KH window against the KH x KW kernel, or an index runs out of range. The
student would see numpy's error; this names the mistake instead, when it is the only thing
wrong: every case that raised has a non-square kernel and every square case is right.
(A slip that returns values is named by the SQUARE_KERNEL candidate in misconceptions.)
"""

from grader.checking import Raised, case_is_right, check_cases, fail, load_reference

mis = load_reference(__file__, "misconceptions")


def _square(case):
    return case.kernel_shape[-1] == case.kernel_shape[-2]


def check_cases_square(cases, check=check_cases):
    """``check(cases)`` after naming a square kernel assumed (cases carry ``kernel_shape``)."""
    raised = [case for case in cases if isinstance(case.got, Raised)]
    square = [case for case in cases if _square(case)]
    if (raised and square and not any(map(_square, raised))
            and all(map(case_is_right, square))):
        error = raised[0].got.error
        fail(f"For {raised[0].context}: {mis.SQUARE_KERNEL} (On this non-square kernel your "
             f"code raised {error.exc_type}.)")
    check(cases)
