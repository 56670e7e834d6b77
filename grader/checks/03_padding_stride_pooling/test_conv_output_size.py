"""Hidden checks for conv_output_size(n, k, padding=0, stride=1, dilation=1)."""

import numpy as np

from grader.checking import Case, attempt, check_cases, expect_value_error, load_reference, points

GRADES = ("conv_output_size",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, n, k, **options):
    got = attempt(lambda: student.call("conv_output_size", n, k, **options))
    settings = "".join(f", {key}={value}" for key, value in options.items())
    return Case(got, ref.conv_output_size(n, k, **options), f"n={n}, k={k}{settings}",
                mis.output_size_candidates(n, k, **options))


@points(1)
def test_lecture_examples(student):
    "Lecture examples: 32 with 5x5 (no padding, padding 2), 7 with 3x3 stride 2, AlexNet's 227 with 11x11 stride 4."
    check_cases([_case(student, 32, 5), _case(student, 32, 5, padding=2),
                 _case(student, 7, 3, stride=2), _case(student, 227, 11, stride=4),
                 _case(student, 7, 3, dilation=2)], exact=True)


@points(1)
def test_stride_and_floor(student):
    "Strides that do not divide the span evenly: the last partial window is dropped (floor)."
    rng = np.random.default_rng(301)
    cases = [_case(student, 8, 3, stride=2), _case(student, 10, 4, stride=3),
             _case(student, 9, 2, stride=4, padding=1)]
    while len(cases) < 10:
        k, s = int(rng.integers(1, 7)), int(rng.integers(2, 6))
        n = int(rng.integers(k, 60))
        if (n - k) % s:
            cases.append(_case(student, n, k, stride=s))
    check_cases(cases, exact=True)


@points(1)
def test_padding_and_dilation(student):
    "Padding and dilation, separately and together with stride."
    rng = np.random.default_rng(302)
    cases = [_case(student, 10, 3, padding=1), _case(student, 12, 3, dilation=2),
             _case(student, 15, 4, padding=2, dilation=3),
             _case(student, 28, 5, padding=2, stride=3, dilation=2)]
    while len(cases) < 14:
        k = int(rng.integers(1, 8))
        options = {"padding": int(rng.integers(0, 4)), "stride": int(rng.integers(1, 5)),
                   "dilation": int(rng.integers(1, 4))}
        n = int(rng.integers(max(1, options["dilation"] * (k - 1) + 1), 70))
        cases.append(_case(student, n, k, **options))
    check_cases(cases, exact=True)


@points(1)
def test_argument_order(student):
    "Keyword-free calls: the order is (n, k, padding, stride, dilation)."
    cases = []
    for n, k, p, s, d in [(11, 3, 2, 3, 1), (20, 5, 1, 2, 2), (9, 2, 3, 1, 1)]:
        got = attempt(lambda: student.call("conv_output_size", n, k, p, s, d))
        cases.append(Case(got, ref.conv_output_size(n, k, p, s, d),
                          f"conv_output_size({n}, {k}, {p}, {s}, {d})",
                          mis.output_size_candidates(n, k, p, s, d)))
    check_cases(cases, exact=True)


@points(1)
def test_edge_cases_and_errors(student):
    "A kernel exactly as large as the padded input gives 1; bad arguments or a kernel that does not fit raise ValueError."
    check_cases([_case(student, 5, 5), _case(student, 3, 5, padding=1),
                 _case(student, 1, 1), _case(student, 7, 3, dilation=3)], exact=True)
    for n, k, options, why in [(10, 3, {"stride": 0}, "stride=0"),
                               (10, 3, {"dilation": 0}, "dilation=0"),
                               (10, 3, {"padding": -1}, "padding=-1"),
                               (4, 6, {}, "the kernel does not fit"),
                               (5, 3, {"dilation": 3}, "the dilated kernel does not fit"),
                               (2, 7, {"padding": 2}, "the kernel does not fit the padded input")]:
        settings = "".join(f", {key}={value}" for key, value in options.items())
        expect_value_error(lambda: student.call("conv_output_size", n, k, **options),
                           f"n={n}, k={k}{settings} ({why})")
