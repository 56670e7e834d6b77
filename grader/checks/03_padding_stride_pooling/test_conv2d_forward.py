"""Hidden checks for conv2d_forward(x, w, b, stride=1, padding=0, dilation=1): equals F.conv2d.

By hand (BY_HAND_2D): no library convolution, unfold/fold, as_strided or
sliding_window_view; np.pad, loops, matmul and einsum are fine.

Each feature is charged by one test (CHARGED_BY). A feature the student's function gets wrong
on a small probe (while the basic probe is right) is not charged again: the other tests check
their cases in a form it handles (no bias when the bias is wrong, a zero bias for b=None,
non-square arrays cropped square, stride 1, no padding, no dilation), leave out a case that has
no such form, and say so.
"""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, Raised, attempt, case_is_right, check_cases_with_bias,
                             expect_value_error, fail, load_reference, note, points)

GRADES = ("conv2d_forward",)
TRUSTED_CALLEES = ("pad2d", "conv_output_size")

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")

CHARGED_BY = {"bias": "test_plain", "b=None": "test_plain", "non-square images": "test_plain",
              "non-square kernels": "test_plain", "stride": "test_stride",
              "floor": "test_stride", "padding": "test_padding", "dilation": "test_dilation"}
CHANGES = {"bias": "no bias (b=None)", "b=None": "b=None passed as a zero bias",
           "non-square images": "images cropped square",
           "non-square kernels": "kernels cropped square", "stride": "stride 1",
           "floor": "stride 1 where the stride does not divide the size",
           "padding": "no padding", "dilation": "no dilation"}
BIAS_NONE = ("b=None must work: it means a layer without bias (nothing is added), e.g. "
             "`if b is not None: out += b[None, :, None, None]`.")
NON_SQUARE = {"non-square kernels": "the kernel may be non-square: KH = w.shape[2] rows and "
                                    "KW = w.shape[3] columns, each with its own output size.",
              "non-square images": "the image may be non-square: H = x.shape[2] and W = "
                                   "x.shape[3] give their own output sizes."}
FLOOR_RAISES = ("a stride that does not divide the size is fine: windows that do not fit are "
                "dropped (conv_output_size floors), so do not raise.")


def _describe(x, w, b, options):
    text = f"x of shape {tuple(np.shape(x))}, w of shape {tuple(np.shape(w))}"
    text += ", with bias" if b is not None else ", b=None"
    return text + "".join(f", {key}={value}" for key, value in options.items())


def _call(student, x, w, b, **options):
    return attempt(lambda: student.call("conv2d_forward", x, w, b, forbid=BY_HAND_2D, **options))


def _gets_right(student, x, w, b, **options):
    got = _call(student, x, w, b, **options)
    if isinstance(got, Raised):
        return False
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    expected = ref.conv2d_forward(x, w, b, **options)
    return got.shape == expected.shape and np.allclose(got, expected, atol=1e-6, rtol=1e-6)


def _lacking(student, features):
    """The features (among ``features``) whose probe the student's function gets wrong while
    it gets the basic probe right (a function wrong on the basic case too lacks nothing)."""
    if not features:
        return set()
    rng = np.random.default_rng(320)
    x, w, bias = rng.normal(size=(1, 2, 7, 7)), rng.normal(size=(2, 2, 3, 3)), rng.normal(size=2)
    with_bias, without = _gets_right(student, x, w, bias), _gets_right(student, x, w, None)
    if not (with_bias or without):
        return set()
    lacking = {"b=None"} if not without else {"bias"} if not with_bias else set()
    b = bias if with_bias else None       # the other probes use the bias form that works
    probes = {"non-square images": (x[..., :5], w, b, {}),
              "non-square kernels": (x, w[..., :2], b, {}), "stride": (x, w, b, {"stride": 2}),
              "floor": (x[..., :6, :6], w, b, {"stride": 2}), "padding": (x, w, b, {"padding": 1}),
              "dilation": (x, w, b, {"dilation": 2})}
    return (lacking & set(features)) | {
        feature for feature in set(features) - {"bias", "b=None"}
        if not _gets_right(student, *probes[feature][:3], **probes[feature][3])}


def _divides(x, w, options):
    """Whether the stride divides the span on both axes (no partial window to drop)."""
    s, p, d = (mis._pair(options.get(key, default)) for key, default in
               (("stride", 1), ("padding", 0), ("dilation", 1)))
    return all((x.shape[2 + a] + 2 * p[a] - d[a] * (w.shape[2 + a] - 1) - 1) % s[a] == 0
               for a in (0, 1))


class _Forms:
    """The cases of one test, each in a form the student's function handles."""

    def __init__(self, student, features=()):
        self.student, self.lacking = student, _lacking(student, set(features))
        self.changed, self.left_out = set(), []   # features changed; those of left-out cases

    def adapt(self, x, w, b, options):
        """(x, w, b, options) changed where the student lacks a feature, or None."""
        lacking, options, changed = self.lacking, dict(options), set()
        if "b=None" in lacking and b is None:
            b = np.zeros(w.shape[0])
            changed.add("b=None")
        if "bias" in lacking and b is not None:
            b = None
            changed.add("bias")
        if "non-square images" in lacking and x.shape[2] != x.shape[3]:
            x = x[:, :, :min(x.shape[2:]), :min(x.shape[2:])]
            changed.add("non-square images")
        if "non-square kernels" in lacking and w.shape[2] != w.shape[3]:
            w = w[:, :, :min(w.shape[2:]), :min(w.shape[2:])]
            changed.add("non-square kernels")
        for key, default in (("padding", 0), ("dilation", 1)):
            if key in lacking and options.get(key, default) != default:
                options[key] = default
                changed.add(key)
        if options.get("stride", 1) != 1:
            if "stride" in lacking or ("floor" in lacking and not _divides(x, w, options)):
                options["stride"] = 1
                changed.add("stride" if "stride" in lacking else "floor")
        try:
            ref.conv2d_forward(x, w, b, **options)
        except ValueError:          # no such form: the kernel no longer fits
            self.left_out.append(changed)
            return None
        self.changed |= changed
        return x, w, b, options

    def case(self, x, w, b=None, **options):
        adapted = self.adapt(x, w, b, options)
        return None if adapted is None else _case(self.student, *adapted[:3], **adapted[3])

    def say(self):
        if self.changed or self.left_out:
            parts = [f"{CHANGES[f]} ({CHARGED_BY[f]})" for f in sorted(self.changed)]
            if self.left_out:
                needed = sorted(set().union(*self.left_out))
                parts.append(f"{len(self.left_out)} case(s) left out, as they need "
                             + " and ".join(f"{f} ({CHARGED_BY[f]})" for f in needed))
            note("Checked in a form your conv2d_forward handles, as it (or a function it calls) "
                 "gets a small case with these features wrong (their own tests grade them): "
                 + "; ".join(parts) + ".")


def _case(student, x, w, b=None, **options):
    got = _call(student, x, w, b, **options)
    case = Case(got, ref.conv2d_forward(x, w, b, **options), _describe(x, w, b, options),
                mis.conv2d_candidates(x, w, b, **options))
    if b is not None:  # b added along the width axis fails to broadcast: see _check
        case.without_bias = lambda: student.call("conv2d_forward", x, w, None,
                                                 forbid=BY_HAND_2D, **options)
    return case


def _check(student, cases, forms=None):
    check_cases_with_bias([case for case in cases if case is not None], mis.BIAS_PER_POSITION)
    if forms is not None:
        forms.say()


def _random(rng, n, c_in, c_out, h, w_, kh, kw, bias=False):
    x = rng.normal(size=(n, c_in, h, w_))
    w = rng.normal(size=(c_out, c_in, kh, kw))
    return x, w, (rng.normal(size=c_out) if bias else None)


@points(1)
def test_plain(student):
    "Stride 1, no padding: single and multiple channels, odd non-square images and kernels, bias or None."
    rng = np.random.default_rng(321)
    cases, arrays = [], []
    for n, c_in, c_out, h, w_, kh, kw, bias in [(1, 1, 1, 5, 6, 3, 3, False),
                                                (2, 3, 4, 7, 5, 3, 2, True),
                                                (3, 2, 5, 6, 9, 1, 4, True),
                                                (2, 4, 2, 5, 5, 5, 5, False),
                                                (1, 3, 3, 8, 7, 2, 3, True)]:
        arrays.append(_random(rng, n, c_in, c_out, h, w_, kh, kw, bias))
        cases.append(_case(student, *arrays[-1]))
    wrong = [(case, x, w, b) for case, (x, w, b) in zip(cases, arrays) if not case_is_right(case)]
    lacking = _lacking(student, NON_SQUARE) if wrong else set()
    for case, x, w, b in wrong:     # name the feature this test charges
        if b is None and isinstance(case.got, Raised) and not isinstance(
                _call(student, x, w, np.zeros(w.shape[0])), Raised):
            fail(f"For {case.context}: {BIAS_NONE}")
        for feature, array in (("non-square kernels", w), ("non-square images", x)):
            if feature in lacking and array.shape[2] != array.shape[3]:
                fail(f"For {case.context}: {NON_SQUARE[feature]}")
    _check(student, cases)


def _knob_cases(student, seed, table, floor=False):
    """The knob's own cases; b=None and non-square arrays in a form the student handles."""
    rng = np.random.default_rng(seed)
    forms = _Forms(student, ("bias", "b=None", "non-square images", "non-square kernels"))
    cases = [forms.case(*_random(rng, *shape), **options) for shape, options in table]
    cases = [case for case in cases if case is not None]
    raised = [case for case in cases
              if isinstance(case.got, Raised) and case.got.error.exc_type == "ValueError"]
    if floor and raised and "floor" in _lacking(student, {"floor"}):   # asserts that it divides
        fail(f"For {raised[0].context}: {FLOOR_RAISES}")
    _check(student, cases, forms)


@points(1)
def test_stride(student):
    "Stride 2 and 3, and a (2, 3) pair."
    _knob_cases(student, 322, [((2, 2, 3, 9, 8, 3, 3, True), {"stride": 2}),
                               ((1, 3, 2, 11, 7, 2, 3, False), {"stride": 3}),
                               ((3, 1, 2, 10, 13, 3, 2, True), {"stride": (2, 3)})],
                floor=True)


@points(1)
def test_padding(student):
    "Zero padding 1 and 2, and a (2, 1) pair."
    _knob_cases(student, 323, [((2, 2, 3, 5, 6, 3, 3, True), {"padding": 1}),
                               ((1, 3, 2, 4, 7, 5, 3, False), {"padding": 2}),
                               ((2, 1, 2, 6, 5, 3, 3, True), {"padding": (2, 1)})])


@points(1)
def test_dilation(student):
    "Dilation 2 and 3, and a (1, 2) pair."
    _knob_cases(student, 324, [((2, 2, 3, 9, 10, 3, 3, True), {"dilation": 2}),
                               ((1, 2, 2, 11, 9, 2, 3, False), {"dilation": 3}),
                               ((2, 1, 3, 8, 9, 3, 3, True), {"dilation": (1, 2)})])


@points(2)
def test_random_against_torch(student):
    "Random N, C_in, C_out, H, W, kernels, stride, padding, dilation, bias or None: equals torch's conv2d."
    rng = np.random.default_rng(325)
    forms = _Forms(student, CHARGED_BY)
    cases = []
    while len(cases) < 10:
        kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
        options = {"stride": int(rng.integers(1, 4)), "padding": int(rng.integers(0, 3)),
                   "dilation": int(rng.integers(1, 3))}
        d, p = options["dilation"], options["padding"]
        h = int(rng.integers(max(1, d * (kh - 1) + 1 - 2 * p), 13))
        w_ = int(rng.integers(max(1, d * (kw - 1) + 1 - 2 * p), 13))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5)),
                 h, w_, kh, kw, len(cases) % 2 == 1)
        cases.append(forms.case(*_random(rng, *shape), **options))
    cases.append(forms.case(*_random(rng, 2, 3, 3, 9, 8, 3, 3, True), stride=2, padding=1,
                            dilation=2))
    _check(student, cases, forms)


@points(1)
def test_edge_cases(student):
    "A kernel as large as the padded image (1x1 output), 1x1 kernels, 1x1 images with padding, integer inputs."
    rng = np.random.default_rng(326)
    forms = _Forms(student, CHARGED_BY)
    cases = [forms.case(*_random(rng, 2, 2, 3, 4, 5, 4, 5, True)),
             forms.case(*_random(rng, 2, 2, 3, 3, 3, 5, 5, True), padding=1),
             forms.case(*_random(rng, 3, 4, 2, 5, 6, 1, 1, True), stride=2),
             forms.case(*_random(rng, 1, 2, 2, 1, 1, 3, 3, False), padding=1),
             forms.case(rng.integers(-3, 4, size=(2, 2, 5, 4)),
                        rng.integers(-2, 3, size=(3, 2, 2, 2)), np.array([1, -1, 2]), stride=2)]
    _check(student, cases, forms)


@points(1)
def test_errors(student):
    "Channel mismatch, wrong ranks, a bias of the wrong shape or a kernel that does not fit raise ValueError."
    rng = np.random.default_rng(327)
    forms = _Forms(student, ("bias", "b=None", "non-square images", "stride", "dilation"))
    x, w, b = _random(rng, 2, 3, 2, 6, 5, 3, 3, True)
    _check(student, [forms.case(x, w, b)])
    bad = [(x, rng.normal(size=(2, 2, 3, 3)), None, {}, "channel mismatch"),
           (x[0], w, None, {}, "an unbatched x of rank 3"),
           (x, w[0], None, {}, "a weight of rank 3"),
           (x, w, rng.normal(size=3), {}, "a bias with C_out + 1 entries"),
           (x, rng.normal(size=(2, 3, 7, 3)), None, {}, "a kernel taller than the image"),
           (x, w, None, {"dilation": 3}, "a dilated kernel that does not fit"),
           (x, w, None, {"stride": 0}, "stride=0")]
    for xx, ww, bb, options, why in bad:
        if set(options) & forms.lacking:    # an error about a knob the student lacks
            forms.left_out.append(set(options) & forms.lacking)
            continue
        if bb is None and "b=None" in forms.lacking:
            bb = np.zeros(ww.shape[0])
            forms.changed.add("b=None")
        expect_value_error(lambda: student.call("conv2d_forward", xx, ww, bb, forbid=BY_HAND_2D,
                                                **options),
                           f"{_describe(xx, ww, bb, options)} ({why})")
    forms.say()
