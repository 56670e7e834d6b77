"""Hidden checks for conv1d(x, w, b=None, stride=1, padding=0, dilation=1): equals F.conv1d.

Each limitation is charged once. The unbatched input (C_in, L) is charged in
test_single_channel, the batched input (N, C_in, L) in test_multi_channel; every other test
calls conv1d in the input form it is shown to handle (a batched case one sample at a time, an
unbatched one as a batch of one) and says so in a note. The bias, stride, padding and dilation
are each charged in their own test: test_random_against_torch leaves out those whose own test
fails, and test_errors checks "the kernel does not fit" for dilation only if conv1d uses it.
"""

import numpy as np

from grader.checking import (BY_HAND, Case, Raised, attempt, case_is_right, check_cases_with_bias,
                             expect_value_error, fail, load_reference, note, points)
from grader.errors import StudentCodeError

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
# A conv1d written with the student's own helpers is re-checked with correct copies of
# them when they are wrong, so a helper's mistake is charged only to the helper's part.
TRUSTED_CALLEES = ("conv1d_output_length", "correlate1d", "convolve1d")


def _describe(x, w, b, options):
    text = f"x of shape {tuple(np.shape(x))}, w of shape {tuple(np.shape(w))}"
    if b is not None:
        text += ", with bias"
    for key, value in options.items():
        text += f", {key}={value}"
    return text


# The notebook: "numpy only (no torch, np.convolve/np.correlate, unfold or sliding_window_view)".
FORBID = BY_HAND + ("stride_tricks",)


def _call(student, x, w, b=None, **options):
    args = (x, w) if b is None else (x, w, b)
    return student.call("conv1d", *args, forbid=FORBID, **options)


def _outcome(call):
    """``call()``, or Raised when the student's code raised anything (probes only)."""
    try:
        return call()
    except StudentCodeError as error:
        return Raised(error)


def _close(got, expected):
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return got.shape == np.shape(expected) and np.allclose(got, expected, atol=1e-6, rtol=1e-6)


class _Forms:
    """Which input forms the student's conv1d handles (probed on a small random case), and
    the conversions used in a test, for its note."""

    def __init__(self, student):
        rng = np.random.default_rng(409)
        x, w = rng.normal(size=(2, 3, 9)), rng.normal(size=(2, 3, 3))
        self.batched = _close(_outcome(lambda: _call(student, x, w)), ref.conv1d(x, w))
        self.unbatched = _close(_outcome(lambda: _call(student, x[1], w)), ref.conv1d(x[1], w))
        self.used = set()

    def convert(self, batched, charged):
        """How to call a case: as it is, "one by one" (batched, only unbatched works) or
        "as a batch" (unbatched, only batched works). ``charged``: the form this test charges
        (its cases are always called as they are)."""
        form = "batched" if batched else "unbatched"
        if form == charged or getattr(self, form) or not (self.batched or self.unbatched):
            return None
        self.used.add(form)
        return "one by one" if batched else "as a batch"

    def note(self):
        if "batched" in self.used:
            note("The cases with a batched x (N, C_in, L) were checked one sample at a time: "
                 "your conv1d handles an unbatched x but not a batched one (that is charged "
                 "in the multi-channel test only).")
        if "unbatched" in self.used:
            note("The cases with an unbatched x (C_in, L) were checked as a batch of one: "
                 "your conv1d handles a batched x but not an unbatched one (that is charged "
                 "in the single-channel test only).")


def _stacked(outputs):
    try:
        return np.stack([np.asarray(out, dtype=np.float64) for out in outputs])
    except (TypeError, ValueError):
        return outputs            # ragged or not numeric: the comparison reports it


def _form_call(student, forms, x, w, b=None, charged=None, **options):
    """(x as called, a function calling conv1d on it in the form the student handles)."""
    how = forms.convert(np.ndim(x) == 3, charged)
    if how == "one by one":
        return x, lambda: _stacked([_call(student, xi, w, b, **options) for xi in x])
    if how == "as a batch":
        x = np.asarray(x, dtype=np.float64)[None]
    return x, lambda: _call(student, x, w, b, **options)


def _case(student, forms, x, w, b=None, charged=None, **options):
    x, call = _form_call(student, forms, x, w, b, charged, **options)
    case = Case(attempt(call), ref.conv1d(x, w, b, **options), _describe(x, w, b, options),
                mis.conv1d_candidates(x, w, b, **options))
    case.unbatched = np.ndim(x) == 2
    if b is not None:  # b added along the length axis fails to broadcast: see _check
        _, retry = _form_call(student, forms, x, w, None, charged, **options)
        case.without_bias = retry
    return case


def _check(cases):
    check_cases_with_bias(cases, mis.BIAS_PER_POSITION)


def _random(rng, n, c_in, c_out, length, k, bias=False):
    shape = (c_in, length) if n is None else (n, c_in, length)
    x = rng.normal(size=shape)
    w = rng.normal(size=(c_out, c_in, k))
    b = rng.normal(size=c_out) if bias else None
    return x, w, b


def _form_rejected(forms, cases, unbatched, message):
    """A case of the charged form that raised while the other form works: name it."""
    works, fails = ((forms.batched, forms.unbatched) if unbatched
                    else (forms.unbatched, forms.batched))
    for case in cases:
        if works and not fails and case.unbatched == unbatched and isinstance(case.got, Raised):
            error = case.got.error
            fail(f"For {case.context}: {message} Yours raised {error.exc_type}: "
                 f"{error.message[:200]}")


@points(1)
def test_single_channel(student):
    "One input and one output channel (unbatched and batched): a plain cross-correlation."
    forms = _Forms(student)
    rng = np.random.default_rng(401)
    cases = [_case(student, forms, [[1.0, 2.0, -1.0, 0.5, 3.0]], [[[2.0, -1.0, 0.5]]],
                   charged="unbatched")]
    for n, length, k in [(None, 9, 3), (None, 6, 6), (None, 7, 1), (2, 10, 4), (1, 5, 2)]:
        x, w, _ = _random(rng, n, 1, 1, length, k)
        cases.append(_case(student, forms, x, w, charged="unbatched"))
    _form_rejected(forms, cases, True, mis.UNBATCHED_REJECTED)
    _check(cases)
    forms.note()


@points(1)
def test_multi_channel(student):
    "Several input and output channels, batched and unbatched, no bias."
    forms = _Forms(student)
    rng = np.random.default_rng(402)
    cases = []
    for n, c_in, c_out, length, k in [(None, 3, 2, 8, 3), (4, 2, 5, 11, 4), (2, 4, 3, 6, 2),
                                      (3, 5, 1, 9, 5), (None, 2, 4, 5, 5)]:
        x, w, _ = _random(rng, n, c_in, c_out, length, k)
        cases.append(_case(student, forms, x, w, charged="batched"))
    _form_rejected(forms, cases, False, mis.BATCHED_REJECTED)
    _check(cases)
    forms.note()


BIAS_SHAPES = [(2, 3, 4, 6, 3), (None, 2, 3, 7, 2), (3, 1, 5, 9, 4), (2, 4, 2, 8, 3)]
KNOBS = {"stride": (404, [(2, 2, 3, 11, 3, 2), (None, 1, 2, 13, 2, 3),
                          (3, 3, 2, 16, 4, 4), (1, 2, 2, 9, 3, 2)]),
         "padding": (405, [(2, 2, 3, 8, 3, 1), (None, 1, 2, 6, 5, 2),
                           (3, 3, 2, 7, 4, 3), (1, 2, 1, 4, 6, 1)]),
         "dilation": (406, [(2, 2, 3, 12, 3, 2), (None, 1, 2, 14, 4, 3),
                            (3, 3, 2, 10, 2, 3), (1, 2, 2, 9, 3, 2)])}


def _bias_cases(student, forms):
    rng = np.random.default_rng(403)
    cases = []
    for n, c_in, c_out, length, k in BIAS_SHAPES:
        x, w, b = _random(rng, n, c_in, c_out, length, k, bias=True)
        cases.append(_case(student, forms, x, w, b))
    return cases


def _knob_cases(student, forms, knob):
    """Cases that vary one of stride/padding/dilation; rows are (n, c_in, c_out, L, K, value)."""
    seed, table = KNOBS[knob]
    rng = np.random.default_rng(seed)
    cases = []
    for n, c_in, c_out, length, k, value in table:
        x, w, _ = _random(rng, n, c_in, c_out, length, k)
        cases.append(_case(student, forms, x, w, **{knob: value}))
    return cases


@points(1)
def test_bias(student):
    "A bias vector b of shape (C_out,), batched and unbatched."
    forms = _Forms(student)
    _check(_bias_cases(student, forms))
    forms.note()


def _one_knob(student, knob):
    forms = _Forms(student)
    _check(_knob_cases(student, forms, knob))
    forms.note()


@points(1)
def test_stride(student):
    "Stride 2, 3 and 4 on random shapes."
    _one_knob(student, "stride")


@points(1)
def test_padding(student):
    "Zero padding 1, 2 and 3 on random shapes."
    _one_knob(student, "padding")


@points(1)
def test_dilation(student):
    "Dilation 2 and 3 on random shapes."
    _one_knob(student, "dilation")


def _random_specs():
    rng = np.random.default_rng(407)
    specs = []
    while len(specs) < 12:
        k = int(rng.integers(1, 6))
        stride, padding, dilation = (int(rng.integers(1, 4)), int(rng.integers(0, 3)),
                                     int(rng.integers(1, 4)))
        length = int(rng.integers(max(1, dilation * (k - 1) + 1 - 2 * padding), 20))
        n = None if len(specs) % 3 == 0 else int(rng.integers(1, 4))
        x, w, b = _random(rng, n, int(rng.integers(1, 5)), int(rng.integers(1, 5)), length, k,
                          bias=len(specs) % 2 == 1)
        specs.append((x, w, b, {"stride": stride, "padding": padding, "dilation": dilation}))
    return specs


def _failing_options(student, forms):
    """The options (bias, stride, padding, dilation) whose own test fails."""
    failing = [] if all(map(case_is_right, _bias_cases(student, forms))) else ["bias"]
    return failing + [knob for knob in KNOBS
                      if not all(map(case_is_right, _knob_cases(student, forms, knob)))]


@points(2)
def test_random_against_torch(student):
    "Random N, C_in, C_out, L, K, stride, padding, dilation, with and without bias: equals torch's conv1d."
    forms = _Forms(student)
    specs = _random_specs()
    cases = [_case(student, forms, x, w, b, **options) for x, w, b, options in specs]
    if not all(map(case_is_right, cases)):
        left_out = _failing_options(student, forms)
        if left_out:
            cases = []
            for x, w, b, options in specs:
                options = {key: (1 if key != "padding" else 0) if key in left_out else value
                           for key, value in options.items()}
                try:
                    ref.conv1d(x, w, None, **options)
                except ValueError:          # without its padding the kernel does not fit
                    continue
                cases.append(_case(student, forms, x, w, None if "bias" in left_out else b,
                                   **options))
            _check(cases)
            note(f"Checked without {', '.join(left_out)}: {' and '.join(left_out)} "
                 f"{'goes' if len(left_out) == 1 else 'go'} wrong in your code, which is charged "
                 f"in {'its own test' if len(left_out) == 1 else 'their own tests'} only.")
            forms.note()
            return
    _check(cases)
    forms.note()


def _uses_dilation(student, forms):
    """conv1d gives another output with dilation=2 than without (it does not ignore it)."""
    rng = np.random.default_rng(410)
    x, w = rng.normal(size=(1, 2, 9)), rng.normal(size=(2, 2, 3))
    x, plain = _form_call(student, forms, x, w)
    _, dilated = _form_call(student, forms, x, w, dilation=2)
    plain, dilated = _outcome(plain), _outcome(dilated)
    return not isinstance(dilated, Raised) and not _close(dilated, plain)


@points(1)
def test_errors(student):
    "Channel mismatch between x and w, or a kernel that does not fit, raise ValueError."
    forms = _Forms(student)
    rng = np.random.default_rng(408)
    x, w, _ = _random(rng, 2, 3, 2, 8, 3)
    _check([_case(student, forms, x, w)])
    for c_in_x, c_in_w, n in [(3, 2, 2), (2, 3, 2), (2, 4, None)]:
        x, _, _ = _random(rng, n, c_in_x, 2, 8, 3)
        w = rng.normal(size=(2, c_in_w, 3))
        x, call = _form_call(student, forms, x, w)
        expect_value_error(call, f"{_describe(x, w, None, {})} (channel mismatch)")
    x, w, _ = _random(rng, 1, 2, 2, 4, 6)
    x, call = _form_call(student, forms, x, w)
    expect_value_error(call, f"{_describe(x, w, None, {})} (the kernel does not fit)")
    x, w, _ = _random(rng, 1, 2, 2, 6, 3)
    if _uses_dilation(student, forms):
        x, call = _form_call(student, forms, x, w, dilation=3)
        expect_value_error(call, f"{_describe(x, w, None, {'dilation': 3})} "
                                 "(the kernel does not fit)")
    else:
        note("A dilated kernel that does not fit was not checked: dilation goes wrong in "
             "your code, which is charged in the dilation test only.")
    forms.note()
