"""Hidden checks for conv2d_params(c_in, c_out, k, bias=True, groups=1).

(kh, kw) kernels and bias=False are charged in test_random_layers, groups in test_groups.
test_groups calls a case with a (kh, kw) kernel or bias=False in the basic form (a square
kernel, the default bias) when the function is wrong on the random test's cases of that form;
test_invalid_arguments checks the groups errors only if the function uses groups. Each says
so in a note.
"""

import numpy as np

from grader.checking import (Case, Raised, attempt, check_cases, expect_value_error, fail,
                             load_reference, note, points)
from grader.errors import StudentCodeError

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


def _random_specs():
    rng = np.random.default_rng(401)
    specs = [(5, 7, (3, 5), {}), (16, 9, 1, {"bias": False})]
    while len(specs) < 12:
        c_in, c_out = (int(v) for v in rng.integers(1, 70, size=2))
        k = (int(rng.integers(1, 8)) if rng.random() < 0.6
             else tuple(int(v) for v in rng.integers(1, 8, size=2)))
        specs.append((c_in, c_out, k, {"bias": bool(rng.random() < 0.6)}))
    return specs


@points(1)
def test_random_layers(student):
    "Random channels, square and (kh, kw) kernels, with and without bias."
    _by_formula(student)
    specs = _random_specs()
    cases = [_case(student, c_in, c_out, k, **options) for c_in, c_out, k, options in specs]
    pairs = [case for case, spec in zip(cases, specs) if isinstance(spec[2], tuple)]
    if all(_right(case) for case in cases if case not in pairs):
        for case in pairs:
            if isinstance(case.got, Raised):
                fail(f"For {case.context}: {mis.KERNEL_PAIR} Yours raised "
                     f"{case.got.error.exc_type}: {case.got.error.message[:200]}")
    check_cases(cases, exact=True)


def _right(case):
    try:
        return (not isinstance(case.got, (Raised, bool)) and bool(case.got == case.expected))
    except (TypeError, ValueError):
        return False


def _forms_failing(student):
    """The forms (kernels given as (kh, kw), bias=False) on whose random-test cases (with
    only that form) the function is wrong."""
    failing = []
    for form, has in [("(kh, kw) kernels", lambda k, options: isinstance(k, tuple)
                       and options.get("bias", True)),
                      ("bias=False", lambda k, options: not isinstance(k, tuple)
                       and not options.get("bias", True))]:
        if not all(_right(_case(student, c_in, c_out, k, **options))
                   for c_in, c_out, k, options in _random_specs() if has(k, options)):
            failing.append(form)
    return failing


def _groups_specs():
    rng = np.random.default_rng(402)
    specs = [(32, 32, 3, {"groups": 32}), (12, 24, 3, {"groups": 4, "bias": False}),
             (6, 9, (1, 3), {"groups": 3})]
    while len(specs) < 9:
        g = int(rng.integers(2, 6))
        c_in, c_out = g * int(rng.integers(1, 9)), g * int(rng.integers(1, 9))
        specs.append((c_in, c_out, int(rng.integers(1, 6)),
                      {"groups": g, "bias": bool(rng.random() < 0.5)}))
    return specs


@points(1)
def test_groups(student):
    "Grouped and depthwise (groups = C_in) convolutions."
    _by_formula(student)
    specs = _groups_specs()
    cases = [_case(student, c_in, c_out, k, **options) for c_in, c_out, k, options in specs]
    failing = [] if all(map(_right, cases)) else _forms_failing(student)
    if failing:
        cases = []
        for c_in, c_out, k, options in specs:
            if "(kh, kw) kernels" in failing and isinstance(k, tuple):
                k = k[0]
            if "bias=False" in failing:
                options = {key: value for key, value in options.items() if key != "bias"}
            cases.append(_case(student, c_in, c_out, k, **options))
    check_cases(cases, exact=True)
    if failing:
        instead = {"(kh, kw) kernels": "a square kernel", "bias=False": "the default bias"}
        note(f"Checked without {' and '.join(failing)} (with "
             f"{' and '.join(instead[form] for form in failing)} instead): your conv2d_params "
             "is wrong there, which is charged in the random-layers test only.")


def _uses_groups(student):
    """The count changes with groups (the function does not ignore them)."""
    try:
        grouped = student.call("conv2d_params", 4, 6, 3, groups=2)
        plain = student.call("conv2d_params", 4, 6, 3)
    except StudentCodeError:
        return False
    try:
        return bool(grouped != plain)
    except (TypeError, ValueError):
        return True


@points(1)
def test_invalid_arguments(student):
    "Groups that do not divide the channels, zero channels or kernel size raise ValueError."
    _by_formula(student)
    uses_groups = _uses_groups(student)
    for args, options, why in [((6, 8, 3), {"groups": 4}, "groups does not divide c_in"),
                               ((8, 6, 3), {"groups": 4}, "groups does not divide c_out"),
                               ((0, 8, 3), {}, "c_in=0"), ((3, 8, 0), {}, "k=0"),
                               ((4, 4, 3), {"groups": 0}, "groups=0")]:
        if "groups" in options and not uses_groups:
            continue
        expect_value_error(lambda: student.call("conv2d_params", *args, **options),
                           f"conv2d_params{args} with {options or 'defaults'} ({why})")
    if not uses_groups:
        note("The invalid groups were not checked: your conv2d_params gives the same count "
             "with and without groups, which is charged in the groups test only.")
