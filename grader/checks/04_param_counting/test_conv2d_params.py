"""Hidden checks for conv2d_params(c_in, c_out, k, bias=True, groups=1)."""

import numpy as np

from grader.checking import (Case, attempt, check_cases, expect_value_error, fail, load_reference,
                             points)

GRADES = ("conv2d_params",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _by_formula(student):
    """Every test of this part fails when the function counts with library layers."""
    used = mis.library_counting(student.source_of("conv2d_params"))
    if used:
        fail("conv2d_params " + mis.BUILT_LAYER.format(used=", ".join(used)))


def _case(student, c_in, c_out, k, **options):
    got = attempt(lambda: student.call("conv2d_params", c_in, c_out, k, **options))
    settings = "".join(f", {key}={value}" for key, value in options.items())
    return Case(got, ref.conv2d_params(c_in, c_out, k, **options),
                f"conv2d_params({c_in}, {c_out}, {k}{settings})",
                mis.conv_params_candidates(c_in, c_out, k, **options))


@points(1)
def test_lecture_examples(student):
    "Lecture: 320, 18,496 and 36,928 for the three 3x3 layers; 6 filters 5x5x3."
    _by_formula(student)
    check_cases([_case(student, 1, 32, 3), _case(student, 32, 64, 3), _case(student, 64, 64, 3),
                 _case(student, 3, 6, 5)], exact=True)


@points(1)
def test_random_layers(student):
    "Random channels, square and (kh, kw) kernels, with and without bias."
    _by_formula(student)
    rng = np.random.default_rng(401)
    cases = [_case(student, 5, 7, (3, 5)), _case(student, 16, 9, 1, bias=False)]
    while len(cases) < 12:
        c_in, c_out = (int(v) for v in rng.integers(1, 70, size=2))
        k = int(rng.integers(1, 8)) if rng.random() < 0.6 else tuple(int(v) for v in rng.integers(1, 8, size=2))
        cases.append(_case(student, c_in, c_out, k, bias=bool(rng.random() < 0.6)))
    check_cases(cases, exact=True)


@points(1)
def test_groups(student):
    "Grouped and depthwise (groups = C_in) convolutions."
    _by_formula(student)
    rng = np.random.default_rng(402)
    cases = [_case(student, 32, 32, 3, groups=32), _case(student, 12, 24, 3, groups=4, bias=False),
             _case(student, 6, 9, (1, 3), groups=3)]
    while len(cases) < 9:
        g = int(rng.integers(2, 6))
        c_in, c_out = g * int(rng.integers(1, 9)), g * int(rng.integers(1, 9))
        cases.append(_case(student, c_in, c_out, int(rng.integers(1, 6)), groups=g,
                           bias=bool(rng.random() < 0.5)))
    check_cases(cases, exact=True)


@points(1)
def test_invalid_arguments(student):
    "Groups that do not divide the channels, zero channels or kernel size raise ValueError."
    _by_formula(student)
    for args, options, why in [((6, 8, 3), {"groups": 4}, "groups does not divide c_in"),
                               ((8, 6, 3), {"groups": 4}, "groups does not divide c_out"),
                               ((0, 8, 3), {}, "c_in=0"), ((3, 8, 0), {}, "k=0"),
                               ((4, 4, 3), {"groups": 0}, "groups=0")]:
        expect_value_error(lambda: student.call("conv2d_params", *args, **options),
                           f"conv2d_params{args} with {options or 'defaults'} ({why})")
