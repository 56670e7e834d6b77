"""Hidden checks for conv_output_size(n, k, padding=0, stride=1, dilation=1).

Each feature is charged by one test: padding and stride by the lecture examples (and
padding again by test_padding_and_dilation, which names it), the floor by
test_stride_and_floor, dilation by test_padding_and_dilation, the positional order by
test_argument_order. The other tests leave out the cases that need a feature the
student's function gets wrong on a small probe (its basic case being right), and say so.
"""

import numpy as np

from grader.checking import (Case, Raised, attempt, check_cases, expect_value_error, fail,
                             load_reference, note, points)

GRADES = ("conv_output_size",)
TRUSTED_CALLEES = ()

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")

FLOOR_RAISES = ("a stride that does not divide n + 2p - d(k-1) - 1 is fine: the last partial "
                "window is dropped (floor division), so return the floor instead of raising.")
BASIC = (32, 5, {})
# feature -> (a case needing that feature only, the test that grades the feature)
PROBES = {"padding": ((10, 3, {"padding": 1}), "test_lecture_examples"),
          "stride": ((7, 3, {"stride": 2}), "test_lecture_examples"),
          "floor": ((8, 3, {"stride": 2}), "test_stride_and_floor"),
          "dilation": ((12, 3, {"dilation": 2}), "test_padding_and_dilation")}


def _settings(options):
    return "".join(f", {key}={value}" for key, value in options.items())


def _case(student, n, k, **options):
    got = attempt(lambda: student.call("conv_output_size", n, k, **options))
    return Case(got, ref.conv_output_size(n, k, **options), f"n={n}, k={k}{_settings(options)}",
                mis.output_size_candidates(n, k, **options))


def _right(got, expected):
    if isinstance(got, (Raised, bool, np.bool_)):
        return False
    try:
        return bool(got == expected)
    except (TypeError, ValueError):
        return False


def _gets_right(student, n, k, options):
    got = attempt(lambda: student.call("conv_output_size", n, k, **options))
    return _right(got, ref.conv_output_size(n, k, **options))


def _lacking(student, features):
    """The features (among ``features``) whose probe the student's function gets wrong
    while it gets the basic case right (a function wrong everywhere lacks nothing here)."""
    if not _gets_right(student, *BASIC):
        return {}
    return {feature: PROBES[feature][1] for feature in features
            if not _gets_right(student, *PROBES[feature][0])}


def _needs(n, k, padding=0, stride=1, dilation=1):
    """The features a (valid or invalid) case depends on."""
    needs = set()
    if padding != 0:
        needs.add("padding")
    if stride != 1:
        needs.add("stride")
    if dilation != 1:
        needs.add("dilation")
    if stride >= 1 and (n + 2 * padding - dilation * (k - 1) - 1) % stride:
        needs.add("floor")
    return needs


def _keep(lacking, cases, left_out):
    """The (n, k, options) cases that need none of the lacking features; the features of the
    others are added to ``left_out``."""
    kept = []
    for n, k, options in cases:
        missing = _needs(n, k, **options) & set(lacking)
        if missing:
            left_out.extend(sorted(missing))
        else:
            kept.append((n, k, options))
    return kept


def _left_out_note(lacking, left_out):
    if left_out:
        where = " and ".join(sorted({lacking[feature] for feature in left_out}))
        note(f"Not checked here: the cases with {', '.join(sorted(set(left_out)))}, which "
             f"your conv_output_size gets wrong on a small case ({where} grades that).")


@points(1)
def test_lecture_examples(student):
    "Lecture examples: 32 with 5x5 (no padding, padding 2), 7 with 3x3 stride 2, AlexNet's 227 with 11x11 stride 4."
    check_cases([_case(student, 32, 5), _case(student, 32, 5, padding=2),
                 _case(student, 7, 3, stride=2), _case(student, 227, 11, stride=4)], exact=True)


@points(1)
def test_stride_and_floor(student):
    "Strides that do not divide the span evenly: the last partial window is dropped (floor)."
    rng = np.random.default_rng(301)
    table = [(8, 3, {"stride": 2}), (10, 4, {"stride": 3}), (9, 2, {"stride": 4, "padding": 1})]
    while len(table) < 10:
        k, s = int(rng.integers(1, 7)), int(rng.integers(2, 6))
        n = int(rng.integers(k, 60))
        if (n - k) % s:
            table.append((n, k, {"stride": s}))
    lacking, left_out = _lacking(student, ["padding"]), []
    cases = [_case(student, n, k, **options) for n, k, options in _keep(lacking, table, left_out)]
    for case in cases:      # every case is valid: a ValueError asserts that the stride divides
        if isinstance(case.got, Raised) and case.got.error.exc_type == "ValueError":
            fail(f"For {case.context}: {FLOOR_RAISES}")
    check_cases(cases, exact=True)
    _left_out_note(lacking, left_out)


@points(1)
def test_padding_and_dilation(student):
    "Padding and dilation, separately and together with stride; the lecture's 7 with 3x3 dilation 2."
    rng = np.random.default_rng(302)
    table = [(10, 3, {"padding": 1}), (12, 3, {"dilation": 2}),
             (15, 4, {"padding": 2, "dilation": 3}),
             (28, 5, {"padding": 2, "stride": 3, "dilation": 2})]
    while len(table) < 14:
        k = int(rng.integers(1, 8))
        options = {"padding": int(rng.integers(0, 4)), "stride": int(rng.integers(1, 5)),
                   "dilation": int(rng.integers(1, 4))}
        n = int(rng.integers(max(1, options["dilation"] * (k - 1) + 1), 70))
        table.append((n, k, options))
    table.append((7, 3, {"dilation": 2}))          # the lecture example
    lacking, left_out = _lacking(student, ["stride", "floor"]), []
    check_cases([_case(student, n, k, **options) for n, k, options in
                 _keep(lacking, table, left_out)], exact=True)
    _left_out_note(lacking, left_out)


@points(1)
def test_argument_order(student):
    "Keyword-free calls: the order is (n, k, padding, stride, dilation)."
    cases, order_only = [], []
    for n, k, p, s, d in [(11, 3, 2, 3, 1), (20, 5, 1, 2, 2), (9, 2, 3, 1, 1)]:
        got = attempt(lambda: student.call("conv_output_size", n, k, p, s, d))
        by_name = attempt(lambda: student.call("conv_output_size", n, k, padding=p, stride=s,
                                               dilation=d))
        cases.append(Case(got, ref.conv_output_size(n, k, p, s, d),
                          f"conv_output_size({n}, {k}, {p}, {s}, {d})",
                          mis.output_size_candidates(n, k, p, s, d)))
        # the same wrong outcome with the arguments named: the order is right, the value is
        # graded by the other tests
        order_only.append(not _right(got, cases[-1].expected) and _same_outcome(got, by_name))
    if any(_right(case.got, case.expected) for case in cases):   # else: wrong everywhere
        cases = [case for case, skip in zip(cases, order_only) if not skip]
    else:
        order_only = []
    check_cases(cases, exact=True)
    if any(order_only):
        note(f"Graded on the order only for {sum(order_only)} call(s): your conv_output_size "
             "gives the same wrong result (or error) with the arguments named, so the order is "
             "right there (the other tests grade the values).")


def _same_outcome(first, second):
    if isinstance(first, Raised) or isinstance(second, Raised):
        return (isinstance(first, Raised) and isinstance(second, Raised)
                and first.error.exc_type == second.error.exc_type)
    return _right(first, second)


@points(1)
def test_edge_cases_and_errors(student):
    "A kernel exactly as large as the padded input gives 1; bad arguments or a kernel that does not fit raise ValueError."
    lacking, left_out = _lacking(student, ["padding", "stride", "dilation"]), []
    table = _keep(lacking, [(5, 5, {}), (3, 5, {"padding": 1}), (1, 1, {}),
                            (7, 3, {"dilation": 3})], left_out)
    check_cases([_case(student, n, k, **options) for n, k, options in table], exact=True)
    bad = [(10, 3, {"stride": 0}, "stride=0"), (10, 3, {"dilation": 0}, "dilation=0"),
           (10, 3, {"padding": -1}, "padding=-1"), (4, 6, {}, "the kernel does not fit"),
           (5, 3, {"dilation": 3}, "the dilated kernel does not fit"),
           (2, 7, {"padding": 2}, "the kernel does not fit the padded input")]
    for n, k, options, why in bad:
        missing = _needs(n, k, **options) & set(lacking)
        if missing:
            left_out.extend(sorted(missing))
            continue
        expect_value_error(lambda: student.call("conv_output_size", n, k, **options),
                           f"n={n}, k={k}{_settings(options)} ({why})")
    _left_out_note(lacking, left_out)
