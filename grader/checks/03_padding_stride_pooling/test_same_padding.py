"""Hidden checks for same_padding(k, dilation=1): per-side padding that keeps the size at stride 1."""

from grader.checking import (Case, attempt, check_cases, expect_value_error, fail, load_reference,
                             points)
from grader.errors import StudentCodeError

GRADES = ("same_padding",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, k, dilation=None):
    args = (k,) if dilation is None else (k, dilation)
    d = 1 if dilation is None else dilation
    got = attempt(lambda: student.call("same_padding", *args))
    if isinstance(got, float):
        fail(f"For k={k}, dilation={d}: return an int (a number of cells), not a float: "
             "use // instead of /.")
    return Case(got, ref.same_padding(k, d), f"k={k}, dilation={d}",
                mis.same_padding_candidates(k, d))


@points(1)
def test_odd_kernels(student):
    "Odd kernels without dilation: 1, 3, 5, 7, 11."
    check_cases([_case(student, k) for k in (3, 1, 5, 7, 11)], exact=True)


@points(1)
def test_dilation(student):
    "Dilated kernels: the effective kernel d(k-1)+1 decides the padding."
    check_cases([_case(student, 3, 2), _case(student, 5, 3), _case(student, 3, 4),
                 _case(student, 2, 2), _case(student, 4, 2), _case(student, 7, 1)], exact=True)


@points(1)
def test_even_effective_kernel_raises(student):
    "An even effective kernel (k=2, 4, 6; k=4 with dilation 3) cannot be padded symmetrically: ValueError."
    for k, d in [(2, 1), (4, 1), (4, 3), (6, 1)]:
        try:
            student.call("same_padding", k, d)
        except StudentCodeError as error:
            if error.exc_type != "ValueError":
                raise
            continue
        fail(f"For k={k}, dilation={d}: {mis.SAME_EVEN}")
    for k, d in [(0, 1), (3, 0)]:
        expect_value_error(lambda: student.call("same_padding", k, d), f"k={k}, dilation={d}")
