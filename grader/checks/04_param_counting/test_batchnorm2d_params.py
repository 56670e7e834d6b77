"""Hidden checks for batchnorm2d_params(c)."""

from grader.checking import (Case, attempt, check_cases, expect_value_error, fail, load_reference,
                             points)

GRADES = ("batchnorm2d_params",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _by_formula(student):
    """Every test of this part fails when the function counts with library layers."""
    used = mis.library_counting(student.source_of("batchnorm2d_params"))
    if used:
        fail("batchnorm2d_params " + mis.BUILT_LAYER.format(used=", ".join(used)))


@points(1)
def test_batchnorm2d_params(student):
    "Trainable parameters of BatchNorm2d(c) for several c; c < 1 raises ValueError."
    _by_formula(student)
    cases = [Case(attempt(lambda c=c: student.call("batchnorm2d_params", c)),
                  ref.batchnorm2d_params(c), f"batchnorm2d_params({c})", mis.batchnorm_candidates(c))
             for c in (64, 1, 37, 512)]
    check_cases(cases, exact=True)
    expect_value_error(lambda: student.call("batchnorm2d_params", 0), "batchnorm2d_params(0)")
