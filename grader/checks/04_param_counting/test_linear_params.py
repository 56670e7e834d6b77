"""Hidden checks for linear_params(n_in, n_out, bias=True)."""

import numpy as np

from grader.checking import (Case, attempt, check_cases, expect_value_error, fail, load_reference,
                             points)

GRADES = ("linear_params",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _by_formula(student):
    """Every test of this part fails when the function counts with library layers."""
    used = mis.library_counting(student.source_of("linear_params"))
    if used:
        fail("linear_params " + mis.BUILT_LAYER.format(used=", ".join(used)))


def _case(student, n_in, n_out, **options):
    got = attempt(lambda: student.call("linear_params", n_in, n_out, **options))
    settings = "".join(f", {key}={value}" for key, value in options.items())
    return Case(got, ref.linear_params(n_in, n_out, **options),
                f"linear_params({n_in}, {n_out}{settings})", mis.linear_candidates(n_in, n_out, **options))


@points(1)
def test_lecture_and_random(student):
    "The dense layer from 32x32x3 to 28x28x6 (lecture), AlexNet's head and random sizes."
    _by_formula(student)
    rng = np.random.default_rng(411)
    cases = [_case(student, 32 * 32 * 3, 28 * 28 * 6), _case(student, 9216, 4096),
             _case(student, 84, 10)]
    while len(cases) < 10:
        cases.append(_case(student, int(rng.integers(1, 500)), int(rng.integers(1, 500))))
    check_cases(cases, exact=True)


@points(1)
def test_no_bias_and_errors(student):
    "bias=False counts weights only; zero or negative sizes raise ValueError."
    _by_formula(student)
    check_cases([_case(student, 7, 3, bias=False), _case(student, 100, 1, bias=False),
                 _case(student, 1, 1)], exact=True)
    for args in [(0, 5), (5, 0), (-3, 4)]:
        expect_value_error(lambda: student.call("linear_params", *args), f"linear_params{args}")
