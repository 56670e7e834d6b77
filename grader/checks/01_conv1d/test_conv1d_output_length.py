"""Hidden checks for conv1d_output_length(n, k, stride=1, padding=0, dilation=1).

stride, padding and dilation are charged in test_stride_padding_dilation: test_errors starts
from the default options, and checks an error that needs an option only if the function uses
that option (its result changes with it), saying so in a note otherwise.
"""

import numpy as np

from grader.checking import (Case, attempt, check_cases, expect_value_error, load_reference, note,
                             points)
from grader.errors import StudentCodeError

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _case(student, n, k, **options):
    got = attempt(lambda: student.call("conv1d_output_length", n, k, **options))
    settings = ", ".join(f"{key}={value}" for key, value in options.items())
    context = f"n={n}, k={k}" + (f", {settings}" if settings else "")
    return Case(got, ref.conv1d_output_length(n, k, **options), context,
                    mis.output_length_candidates(n, k, **options))


@points(1)
def test_default_options(student):
    "Stride 1, no padding, no dilation, on random sizes (including k == n and k == 1)."
    rng = np.random.default_rng(301)
    cases = [_case(student, 10, 3), _case(student, 7, 7), _case(student, 9, 1)]
    for _ in range(6):
        k = int(rng.integers(1, 12))
        n = int(rng.integers(k, 60))
        cases.append(_case(student, n, k))
    check_cases(cases, exact=True)


@points(1)
def test_stride_padding_dilation(student):
    "Random sizes with stride, padding and dilation, separately and combined."
    rng = np.random.default_rng(302)
    cases = [
        _case(student, 10, 3, padding=1),
        _case(student, 11, 3, stride=2),
        _case(student, 12, 3, dilation=2),
        _case(student, 28, 5, stride=3, padding=2, dilation=2),
    ]
    while len(cases) < 14:
        k = int(rng.integers(1, 8))
        options = {"stride": int(rng.integers(1, 5)), "padding": int(rng.integers(0, 4)),
                   "dilation": int(rng.integers(1, 4))}
        n = int(rng.integers(options["dilation"] * (k - 1) + 1, 70))
        cases.append(_case(student, n, k, **options))
    check_cases(cases, exact=True)


# option -> (n, k, value): a fitting case whose length changes with the option
OPTION_PROBES = {"stride": (11, 3, 2), "padding": (10, 3, 1), "dilation": (8, 2, 2)}


def _uses(student, option):
    """The function's result changes when ``option`` is set (it does not ignore it)."""
    n, k, value = OPTION_PROBES[option]
    try:
        with_option = student.call("conv1d_output_length", n, k, **{option: value})
        without = student.call("conv1d_output_length", n, k)
    except StudentCodeError:
        return False
    try:
        return bool(with_option != without)
    except (TypeError, ValueError):
        return True


@points(1)
def test_errors(student):
    "stride < 1, dilation < 1, or a kernel that does not fit raise ValueError."
    check_cases([_case(student, 12, 5), _case(student, 18, 4), _case(student, 8, 2)], exact=True)
    used = {option: _uses(student, option) for option in OPTION_PROBES}
    skipped = []
    for options, what in [({"stride": 0}, "stride=0"), ({"dilation": 0}, "dilation=0"),
                          ({"stride": -1}, "stride=-1")]:
        if not all(used[option] for option in options):
            skipped.append(what)
            continue
        expect_value_error(lambda: student.call("conv1d_output_length", 10, 3, **options),
                               f"n=10, k=3, {what}")
    for n, k, options in [(4, 6, {}), (5, 3, {"dilation": 3}), (2, 5, {"padding": 1})]:
        settings = "".join(f", {key}={value}" for key, value in options.items())
        if not all(used[option] for option in options):
            skipped.append(f"n={n}, k={k}{settings}")
            continue
        expect_value_error(lambda: student.call("conv1d_output_length", n, k, **options),
                               f"n={n}, k={k}{settings} (the kernel does not fit)")
    if skipped:
        ignored = ", ".join(option for option in OPTION_PROBES if not used[option])
        note(f"Not checked: {'; '.join(skipped)}. Your function does not use {ignored} (its "
             "result does not change with it), which is charged in the stride/padding/dilation "
             "test only.")
