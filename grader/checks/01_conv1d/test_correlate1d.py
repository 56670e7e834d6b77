"""Hidden checks for correlate1d(x, w, mode="valid"): cross-correlation, modes valid/same/full.

Each limitation is charged once: modes 'same' and 'full' in their own tests, a kernel longer
than the input in those modes in test_edge_cases (the mode tests leave such a case out when it
raised), and test_edge_cases grades its 'same' and 'full' cases only if that mode is right on
the mode test's ordinary inputs (each case it leaves out is named in a note).
"""

import numpy as np

from grader.checking import (BY_HAND, Case, Raised, attempt, case_is_right, check_cases, expect_close,
                             expect_value_error, fail, load_reference, note, points)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
TRUSTED_CALLEES = ("convolve1d",)  # correlation = convolution with the flipped kernel


def _case(student, x, w, mode, context, wrong_message=None, pass_mode=True):
    if pass_mode:
        got = attempt(lambda: student.call("correlate1d", x, w, mode=mode, forbid=BY_HAND))
    else:
        got = attempt(lambda: student.call("correlate1d", x, w, forbid=BY_HAND))
    case = Case(got, ref.correlate1d(x, w, mode), f"mode={mode!r}, {context}",
                mis.correlate1d_candidates(x, w, mode), wrong_message)
    case.mode = mode
    return case


@points(2)
def test_valid_mode(student):
    "Mode 'valid' (also the default) on random signals with asymmetric kernels."
    rng = np.random.default_rng(201)
    cases = []
    for i, (n, k) in enumerate([(10, 3), (8, 4), (16, 5), (7, 2), (12, 6)]):
        x, w = rng.normal(size=n), rng.normal(size=k)
        cases.append(_case(student, x, w, "valid", f"n={n}, k={k}", pass_mode=i % 2 == 0))
    for _ in range(3):
        k = int(rng.integers(2, 8))
        n = int(rng.integers(k, 25))
        x, w = rng.normal(size=n), rng.normal(size=k)
        cases.append(_case(student, x, w, "valid", f"n={n}, k={k}"))
    check_cases(cases)


MODE_CASES = {"same": (202, [(10, 4), (9, 3), (12, 2), (8, 6), (11, 5), (6, 8)]),
              "full": (203, [(10, 3), (7, 4), (5, 5), (3, 6), (13, 2)])}


def _mode_cases(student, mode):
    """(cases with k <= n, cases with a kernel longer than the input) of the mode's test."""
    seed, sizes = MODE_CASES[mode]
    rng = np.random.default_rng(seed)
    fitting, longer = [], []
    for n, k in sizes:
        x, w = rng.normal(size=n), rng.normal(size=k)
        (longer if k > n else fitting).append(_case(student, x, w, mode, f"n={n}, k={k}"))
    return fitting, longer


def _one_mode(student, mode):
    """The mode on random x and w; a case with a kernel longer than the input that raised
    is charged in test_edge_cases, not here."""
    fitting, longer = _mode_cases(student, mode)
    raised = [case for case in longer if isinstance(case.got, Raised)]
    check_cases(fitting + [case for case in longer if case not in raised])
    if raised:
        note(f"Not checked here: {', '.join(case.context for case in raised)} (a kernel "
             "longer than the input), on which your correlate1d raised an error; that is "
             "charged in the edge-case test only.")


@points(1)
def test_same_mode(student):
    "Mode 'same': output as long as the input, for odd and even kernel lengths."
    _one_mode(student, "same")


@points(1)
def test_full_mode(student):
    "Mode 'full': every position where input and kernel overlap at all."
    _one_mode(student, "full")


@points(1)
def test_edge_cases(student):
    "Edge cases: length-1 kernel, kernel as long as (or longer than) the input, Python lists, integer arrays."
    rng = np.random.default_rng(204)
    cases = []
    for mode in ("valid", "same", "full"):
        cases.append(_case(student, rng.normal(size=6), np.array([-1.5]), mode,
                           "a length-1 kernel"))
        cases.append(_case(student, rng.normal(size=5), rng.normal(size=5), mode, "k == n"))
    cases += [
        _case(student, [1.0, 2.0, -1.0, 0.5, 3.0], [2.0, -1.0], "valid", "Python lists"),
        _case(student, [1.0, 2.0, -1.0, 0.5], [2.0, -1.0, 0.5, 1.0], "same", "Python lists"),
        _case(student, rng.integers(-5, 6, size=9), rng.integers(-3, 4, size=3), "valid",
              "integer arrays", mis.INT_INPUT),
        _case(student, rng.integers(-5, 6, size=9), np.array([0.5, 1.25, -0.75]), "full",
              "an integer signal with a float kernel", mis.INT_INPUT),
        _case(student, np.array([0.5, -1.0, 2.0]), np.array([1.0, -2.0, 0.5, 3.0, -1.5]), "same",
              "a kernel longer than the input"),
        _case(student, np.array([1.5, -0.5]), np.array([2.0, 1.0, -1.0, 0.5]), "full",
              "a kernel longer than the input"),
    ]
    # A mode that is wrong on ordinary inputs is charged in its own test: its edge cases here
    # would only repeat that.
    wrong_modes = [mode for mode in ("same", "full")
                   if not all(case_is_right(case) for case in cases if case.mode == mode)
                   and not all(map(case_is_right, _mode_cases(student, mode)[0]))]
    graded = [case for case in cases if case.mode not in wrong_modes]
    longer = [case for case in graded if case.context.endswith("longer than the input")]
    check_cases([case for case in graded if case not in longer])
    for case in longer:
        if isinstance(case.got, Raised):
            fail(f"For {case.context}: {mis.CORR_LONGER_KERNEL} Yours raised "
                 f"{case.got.error.exc_type}: {case.got.error.message[:200]}")
    check_cases(longer)
    if wrong_modes:
        note(f"The edge cases in mode {' and '.join(map(repr, wrong_modes))} were not checked: "
             "your correlate1d is wrong in that mode on ordinary inputs too, which is charged "
             "in that mode's own test only.")


@points(1)
def test_errors(student):
    "An unknown mode, and a kernel longer than the input in 'valid' mode, raise ValueError."
    x, w = np.array([1.0, -2.0, 3.0, 0.5]), np.array([0.5, 2.0])
    got = student.call("correlate1d", x, w, mode="valid", forbid=BY_HAND)
    expect_close(got, ref.correlate1d(x, w), "a small valid-mode example (before the error checks)",
                 misconceptions=mis.correlate1d_candidates(x, w, "valid"))
    for mode in ("circular", "Valid", "wrap"):
        expect_value_error(
            lambda: student.call("correlate1d", x, w, mode=mode, forbid=BY_HAND),
            f"the unknown mode {mode!r}")
    for signal, kernel in [(w, x), (x[:3], x)]:
        expect_value_error(
            lambda: student.call("correlate1d", signal, kernel, mode="valid", forbid=BY_HAND),
            f"mode='valid' with a kernel longer than the input (n={len(signal)}, k={len(kernel)})")
