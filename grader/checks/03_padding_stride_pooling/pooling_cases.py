"""Shared hidden-check logic for maxpool2d_forward and avgpool2d_forward (trusted).

Pooling is "by hand" but vectorizing is allowed: loops, reshapes, and the
stride tricks (as_strided, sliding_window_view) are fine; library pooling,
convolutions, unfold/fold and scipy filters are not.

Each feature is charged by one test (CHARGED_BY): stride=None by test_default_stride, (h, w)
pairs by test_overlapping_windows, dropping the partial windows (floor) by
test_stride_larger_than_kernel. When the student's function gets a small case with one of
them wrong (while the basic case is right), the other tests check their cases in a form it
handles (an int window with the image cropped so that the output keeps its size, the stride
given, the image cropped to the windows that fit) and say so.
"""

import numpy as np

from grader.checking import (BY_HAND, NO_POOLING, Case, Raised, attempt, case_is_right, check_cases,
                             expect_value_error, fail, load_reference, note)

FORBID = NO_POOLING + BY_HAND + ("fold",)   # everything but the stride tricks

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pool_mis = load_reference(__file__, "pooling_misconceptions")
FUNCTIONS = {"max": "maxpool2d_forward", "avg": "avgpool2d_forward"}
CHARGED_BY = {"default stride": "test_default_stride", "pairs": "test_overlapping_windows",
              "floor": "test_stride_larger_than_kernel"}
CHANGES = {"default stride": "the stride given instead of stride=None",
           "pairs": "an int kernel_size and stride instead of (h, w) pairs (the image cropped "
                    "so that the output keeps its size)",
           "floor": "the image cropped to the windows that fit"}
NO_DEFAULT = ("stride=None (also when no stride is given) must work: the stride is then the "
              "kernel size, as in PyTorch.")
PAIRS = ("kernel_size and stride may be (h, w) pairs: the first value is for the rows, the "
         "second for the columns (as_pair gives both).")
FLOOR_RAISES = ("a size the windows do not tile exactly is fine: the windows that do not fit "
                "are dropped (floor), so do not raise.")


def _reference(kind, x, kernel_size, stride):
    function = ref.maxpool2d_forward if kind == "max" else ref.avgpool2d_forward
    return function(x, kernel_size, stride)


def _gets_right(student, kind, x, kernel_size, stride):
    got = attempt(lambda: student.call(FUNCTIONS[kind], x, kernel_size, stride, forbid=FORBID))
    if isinstance(got, Raised):
        return False
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = _reference(kind, x, kernel_size, stride)
    return got.shape == expected.shape and np.allclose(got, expected, atol=1e-6, rtol=1e-6)


def _lacking(student, kind, features):
    """The features (among ``features``) whose probe the student's function gets wrong while
    it gets the basic case right (a function wrong on the basic case too lacks nothing)."""
    x = np.random.default_rng(330).normal(size=(1, 2, 4, 6))
    if not features or not _gets_right(student, kind, x, 2, 2):
        return set()
    probes = {"default stride": (x, 2, None), "pairs": (x, (2, 3), (2, 3)),
              "floor": (x[:, :, :, :5], 2, 2)}
    return {feature for feature in features
            if not _gets_right(student, kind, *probes[feature])}


class Forms:
    """The cases of one test, each in a form the student's function handles."""

    def __init__(self, student, kind, features=()):
        self.student, self.kind = student, kind
        self.lacking = _lacking(student, kind, set(features))
        self.changed = set()

    def adapt(self, x, k, s, pass_stride):
        """(x, kernel_size, stride, pass_stride) changed where the student lacks a feature."""
        changed = set()
        if "pairs" in self.lacking:
            (kh, kw), m = mis._pair(k), min(mis._pair(k))
            if isinstance(k, (tuple, list)):
                x, k = x[:, :, :x.shape[2] - (kh - m), :x.shape[3] - (kw - m)], m
                changed.add("pairs")
            if isinstance(s, (tuple, list)):
                s = max(s)
                changed.add("pairs")
        if "default stride" in self.lacking and s is None:
            s, pass_stride = k, True
            changed.add("default stride")
        if "floor" in self.lacking:
            (kh, kw), (sh, sw) = mis._pair(k), mis._pair(k if s is None else s)
            rows = (x.shape[2] - kh) // sh * sh + kh if x.shape[2] >= kh else x.shape[2]
            cols = (x.shape[3] - kw) // sw * sw + kw if x.shape[3] >= kw else x.shape[3]
            if (rows, cols) != x.shape[2:]:
                x = x[:, :, :rows, :cols]
                changed.add("floor")
        self.changed |= changed
        return x, k, s, pass_stride

    def case(self, x, kernel_size, stride=None, pass_stride=True):
        return case(self.student, self.kind, *self.adapt(x, kernel_size, stride, pass_stride))

    def name_lacking(self, cases, feature, message, applies):
        """Fail naming ``feature`` on the first case ``applies`` to that the student gets
        wrong, when a probe shows that the student's function lacks that feature."""
        wrong = [case for case in cases if applies(case) and not case_is_right(case)]
        if wrong and feature in _lacking(self.student, self.kind, {feature}):
            fail(f"For {wrong[0].context}: {message}")

    def say(self):
        if self.changed:
            parts = [f"{CHANGES[f]} ({CHARGED_BY[f]})" for f in sorted(self.changed)]
            note(f"Checked in a form your {FUNCTIONS[self.kind]} handles, as it (or a function "
                 "it calls) gets a small case with these features wrong (their own tests grade "
                 "them): " + "; ".join(parts) + ".")


def case(student, kind, x, kernel_size, stride=None, pass_stride=True):
    name = FUNCTIONS[kind]
    if pass_stride:
        got = attempt(lambda: student.call(name, x, kernel_size, stride, forbid=FORBID))
    else:
        got = attempt(lambda: student.call(name, x, kernel_size, forbid=FORBID))
    context = f"x of shape {tuple(np.shape(x))}, kernel_size={kernel_size!r}"
    context += f", stride={stride!r}" if pass_stride else " (stride not given)"
    return Case(got, _reference(kind, x, kernel_size, stride), context,
                pool_mis.pool_candidates(kind, x, kernel_size, stride))


def default_stride(student, kind):
    rng = np.random.default_rng(331)
    forms = Forms(student, kind, ("pairs", "floor"))
    cases = [forms.case(rng.normal(size=shape), k, pass_stride=False)
             for shape, k in [((2, 3, 6, 8), 2), ((1, 2, 9, 6), 3), ((2, 1, 7, 5), 2),
                              ((3, 2, 4, 6), (2, 3))]]
    forms.name_lacking(cases, "default stride", NO_DEFAULT,
                       lambda case: isinstance(case.got, Raised))
    check_cases(cases)
    forms.say()


def overlapping(student, kind):
    rng = np.random.default_rng(332)
    forms = Forms(student, kind, ("floor",))
    cases = [forms.case(rng.normal(size=shape), k, s)
             for shape, k, s in [((2, 3, 7, 9), 3, 2), ((1, 2, 8, 7), 3, 1),
                                 ((2, 2, 9, 9), 4, 2), ((1, 3, 7, 8), (3, 2), (2, 1))]]
    forms.name_lacking(cases, "pairs", PAIRS, lambda case: "_size=(" in case.context
                       or "stride=(" in case.context)
    check_cases(cases)
    forms.say()


def strided(student, kind):
    rng = np.random.default_rng(333)
    forms = Forms(student, kind, ("pairs",))
    cases = [forms.case(rng.normal(size=shape), k, s)
             for shape, k, s in [((2, 2, 9, 7), 2, 3), ((1, 3, 10, 11), 2, 2),
                                 ((3, 1, 8, 9), (2, 3), (3, 2)), ((2, 4, 5, 7), 1, 2)]]
    forms.name_lacking(cases, "floor", FLOOR_RAISES, lambda case: isinstance(
        case.got, Raised) and case.got.error.exc_type == "ValueError")
    check_cases(cases)
    forms.say()


def edge_cases_and_errors(student, kind):
    rng = np.random.default_rng(334)
    forms = Forms(student, kind, ("default stride", "pairs"))
    check_cases([forms.case(rng.normal(size=(2, 3, 5, 4)), (5, 4)),
                 forms.case(rng.normal(size=(1, 2, 3, 3)), 1),
                 forms.case(rng.integers(-9, 10, size=(2, 2, 6, 6)), 3, 3),
                 forms.case(-np.abs(rng.normal(size=(1, 2, 4, 4))), 2)])
    name = FUNCTIONS[kind]
    x = rng.normal(size=(2, 3, 5, 6))
    for k, s, why in [(6, None, "a window taller than the image"),
                      (0, None, "kernel_size=0"), (2, 0, "stride=0")]:
        if s is None and "default stride" in forms.lacking:
            s = max(k, 1)
            forms.changed.add("default stride")
        expect_value_error(lambda: student.call(name, x, k, s, forbid=FORBID),
                           f"x of shape {x.shape}, kernel_size={k}, stride={s} ({why})")
    forms.say()
