"""Hidden checks for conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1).

Groups are charged in test_random_and_groups: test_invalid_arguments checks groups that do
not divide the channels only if the function uses groups (its count changes with them).
"""

import numpy as np

from grader.checking import (Case, attempt, check_cases, expect_value_error, fail, load_reference,
                             note, points)
from grader.errors import StudentCodeError

GRADES = ("conv2d_macs",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _by_formula(student):
    """Every test of this part fails when the function counts with library layers."""
    used = mis.library_counting(student.source_of("conv2d_macs"))
    if used:
        fail("conv2d_macs " + mis.BUILT_LAYER.format(used=", ".join(used)))


def _case(student, *args, **options):
    got = attempt(lambda: student.call("conv2d_macs", *args, **options))
    settings = "".join(f", {key}={value}" for key, value in options.items())
    return Case(got, ref.conv2d_macs(*args, **options), f"conv2d_macs{args}{settings}",
                mis.conv_macs_candidates(*args, **options))


@points(1)
def test_inception_example(student):
    "Lecture: 5x5 conv 192 -> 32 on 28x28 directly and after a 1x1 bottleneck to 16."
    _by_formula(student)
    check_cases([_case(student, 192, 32, 5, 28, 28), _case(student, 192, 16, 1, 28, 28),
                 _case(student, 16, 32, 5, 28, 28)], exact=True)


@points(1)
def test_random_and_groups(student):
    "Random layers on non-square outputs, (kh, kw) kernels, grouped and depthwise."
    _by_formula(student)
    rng = np.random.default_rng(421)
    cases = [_case(student, 3, 8, (3, 5), 7, 11), _case(student, 32, 32, 3, 9, 5, groups=32),
             _case(student, 12, 18, 3, 6, 4, groups=3)]
    while len(cases) < 12:
        g = int(rng.integers(1, 5))
        cases.append(_case(student, g * int(rng.integers(1, 9)), g * int(rng.integers(1, 9)),
                           int(rng.integers(1, 6)), int(rng.integers(1, 30)),
                           int(rng.integers(1, 30)), groups=g))
    check_cases(cases, exact=True)


def _uses_groups(student):
    """The count changes with groups (the function does not ignore them)."""
    try:
        grouped = student.call("conv2d_macs", 4, 6, 3, 5, 5, groups=2)
        plain = student.call("conv2d_macs", 4, 6, 3, 5, 5)
    except StudentCodeError:
        return False
    try:
        return bool(grouped != plain)
    except (TypeError, ValueError):
        return True


@points(1)
def test_invalid_arguments(student):
    "Zero sizes or groups that do not divide the channels raise ValueError."
    _by_formula(student)
    uses_groups = _uses_groups(student)
    for args, options in [((6, 8, 3, 5, 5), {"groups": 4}), ((4, 4, 3, 0, 5), {}),
                          ((4, 4, 0, 5, 5), {}), ((0, 4, 3, 5, 5), {})]:
        if options and not uses_groups:
            note("Groups that do not divide the channels were not checked: your conv2d_macs "
                 "gives the same count with and without groups, which is charged in the "
                 "random-and-groups test only.")
            continue
        expect_value_error(lambda: student.call("conv2d_macs", *args, **options),
                           f"conv2d_macs{args} with {options or 'defaults'}")
