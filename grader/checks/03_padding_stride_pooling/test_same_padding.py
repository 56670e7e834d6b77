"""Hidden checks for same_padding(k, dilation=1): per-side padding that keeps the size at stride 1.

A float result (/ instead of //) is charged by test_odd_kernels; test_dilation grades the values
of a function shown to return floats on the basic case. Dilation is charged by test_dilation;
the error test leaves out dilation=0 when the student's function gets a basic dilated case wrong.
"""

from grader.checking import (Case, Raised, attempt, check_cases, expect_value_error, fail,
                             load_reference, note, points)
from grader.errors import StudentCodeError

GRADES = ("same_padding",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, k, dilation=None, floats_charged_elsewhere=False):
    args = (k,) if dilation is None else (k, dilation)
    d = 1 if dilation is None else dilation
    got = attempt(lambda: student.call("same_padding", *args))
    if isinstance(got, float):
        if not (floats_charged_elsewhere and got.is_integer()):
            fail(f"For k={k}, dilation={d}: return an int (a number of cells), not a float: "
                 "use // instead of /.")
        got = int(got)
    return Case(got, ref.same_padding(k, d), f"k={k}, dilation={d}",
                mis.same_padding_candidates(k, d))


def _equals(value, target):
    if isinstance(value, (Raised, bool)):
        return False
    try:
        return bool(value == target)
    except (TypeError, ValueError):
        return False


@points(1)
def test_odd_kernels(student):
    "Odd kernels without dilation: 1, 3, 5, 7, 11."
    check_cases([_case(student, k) for k in (3, 1, 5, 7, 11)], exact=True)


@points(1)
def test_dilation(student):
    "Dilated kernels: the effective kernel d(k-1)+1 decides the padding."
    basic = attempt(lambda: student.call("same_padding", 3))
    floats = isinstance(basic, float)         # test_odd_kernels fails on this very call
    check_cases([_case(student, k, d, floats) for k, d in
                 [(3, 2), (5, 3), (3, 4), (2, 2), (4, 2), (7, 1)]], exact=True)
    if floats:
        note("Your same_padding returns floats (test_odd_kernels grades that); their values "
             "are graded here.")


@points(1)
def test_even_effective_kernel_raises(student):
    "An even effective kernel (k=2, 4, 6; k=4 with dilation 3) cannot be padded symmetrically: ValueError."
    basic = attempt(lambda: student.call("same_padding", 3, 1))
    if isinstance(basic, Raised):
        fail(f"For k=3, dilation=1 (an odd kernel), your same_padding raised "
             f"{basic.error.exc_type}: only an even effective kernel (or k < 1, dilation < 1) "
             "raises.")
    for k, d in [(2, 1), (4, 1), (4, 3), (6, 1)]:
        try:
            student.call("same_padding", k, d)
        except StudentCodeError as error:
            if error.exc_type != "ValueError":
                raise
            continue
        fail(f"For k={k}, dilation={d}: {mis.SAME_EVEN}")
    dilated = attempt(lambda: student.call("same_padding", 3, 2))
    handles_dilation = _equals(dilated, 2) or not _equals(basic, 1)   # wrong everywhere: kept
    for k, d in [(0, 1), (3, 0)] if handles_dilation else [(0, 1)]:
        expect_value_error(lambda: student.call("same_padding", k, d), f"k={k}, dilation={d}")
    if not handles_dilation:
        note("Not checked here: dilation=0, as your same_padding gets a dilated kernel wrong "
             "(test_dilation grades that).")
