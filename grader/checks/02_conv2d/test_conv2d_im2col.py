"""Hidden checks for conv2d_im2col(X, K, b=None): vectorized (im2col), batched or not, and fast.

Speed is judged twice, both independently of the grading machine's speed: the
number of Python lines the student's code runs must not grow with the image
(no loop over output pixels, rows or columns), and, in the same worker, it must
be at least MIN_SPEEDUP times faster than a loop over output pixels. Both are measured
on inputs the function has never seen (fresh random values for every counted or timed
call, whose results are checked too), so results cached between calls cannot help.

Batched and unbatched X are each charged by their own test, non-square kernels by
test_unbatched. The other tests (edge cases, errors, loops, speed) use square kernels and
give X in a form the student's function is shown to handle (``_form``), so one missing
feature is not charged again by tests about something else.
"""

import numpy as np

from grader.checking import (BY_HAND_2D, Case, attempt, check_cases_with_bias, expect,
                             expect_close, expect_value_error, fail, load_reference, points)
from grader.errors import MissingDefinition, StudentCodeError

GRADES = ("conv2d_im2col",)
TRUSTED_CALLEES = ()   # it must be fast by itself: no trusted (or looping) helpers

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
square_kernels = load_reference(__file__, "square_kernels")

MIN_SPEEDUP = 20                          # versus one small dot product per output pixel
SPEED_SHAPES = ((2, 2, 36, 32), (4, 2, 3, 3))
LINE_SHAPES = (((2, 3, 8, 9), (2, 3, 26, 27)), (4, 3, 3, 3))
SPEED_REPEATS = 5
CACHED = ("conv2d_im2col gave wrong results on the fresh inputs it was {what} on, although "
          "it is right on others of the same shape: it seems to reuse results of earlier "
          "calls (a cache). Compute every call from its own input.")

NOT_VECTORIZED = ("conv2d_im2col runs more Python lines for a larger image: it loops over "
                  "output pixels (or rows or columns). Gather all patches with a fixed number "
                  "of array operations (a loop over the KH*KW kernel offsets is fine) and "
                  "compute the output with one matrix product.")


def _call(student, X, K, b):
    args = (X, K) if b is None else (X, K, b)
    return student.call("conv2d_im2col", *args, forbid=BY_HAND_2D, timeout=20)


def _case(student, X, K, b=None, context=None):
    got = attempt(lambda: _call(student, X, K, b))
    case = Case(got, ref.conv2d_im2col(X, K, b),
                context or mis.describe(X=X, K=K) + (", with bias" if b is not None else ""),
                mis.conv2d_im2col_candidates(X, K, b))
    case.kernel_shape = np.shape(K)
    if b is not None:  # b added along the width axis fails to broadcast
        case.without_bias = lambda: _call(student, X, K, None)
    return case


def _check(cases):
    check_cases_with_bias(cases, mis.BIAS_PER_POSITION)


def _random(rng, n, c_in, c_out, h, w, kh, kw, bias):
    shape = (c_in, h, w) if n is None else (n, c_in, h, w)
    return (rng.normal(size=shape), rng.normal(size=(c_out, c_in, kh, kw)),
            rng.normal(size=c_out) if bias else None)


def _right(student, X, K):
    got = attempt(lambda: _call(student, X, K, None))
    try:
        return bool(np.allclose(np.asarray(got, dtype=np.float64), ref.conv2d_im2col(X, K)))
    except (TypeError, ValueError):
        return False


def _form(student):
    """"batched" or "unbatched": a form of X the student's function handles (batched when
    both or neither work: then the tests about that form charge it)."""
    rng = np.random.default_rng(2400)
    X, K = rng.normal(size=(2, 2, 5, 6)), rng.normal(size=(3, 2, 2, 2))
    if _right(student, X, K) or not _right(student, X[0], K):
        return "batched"
    return "unbatched"


def _shaped(X, form):
    """A batched X (N, C, H, W) as the first image (C, H, W) for the unbatched form."""
    return X if form == "batched" else X[0]


@points(2)
def test_unbatched(student):
    "Unbatched X (C_in, H, W), with and without bias: C_in != C_out, odd and non-square shapes."
    rng = np.random.default_rng(2401)
    shapes = [(3, 2, 7, 9, 3, 2, False), (2, 4, 8, 6, 2, 3, True), (1, 3, 6, 7, 3, 3, True),
              (4, 1, 5, 8, 2, 2, False), (2, 5, 9, 5, 4, 1, True), (3, 3, 6, 6, 3, 3, True)]
    square_kernels.check_cases_square([_case(student, *_random(rng, None, *s)) for s in shapes],
                                      _check)


@points(2)
def test_batched(student):
    "Batched X (N, C_in, H, W) with N > 1, with and without bias."
    # square kernels: a non-square one is charged by test_unbatched alone
    rng = np.random.default_rng(2402)
    shapes = [(2, 3, 2, 7, 9, 3, 3, False), (3, 2, 4, 8, 6, 2, 2, True),
              (4, 1, 3, 6, 7, 3, 3, True), (1, 2, 2, 5, 6, 2, 2, True),
              (2, 4, 1, 9, 5, 4, 4, False)]
    _check([_case(student, *_random(rng, *s)) for s in shapes])


@points(1)
def test_edge_cases(student):
    "Edge cases: 1x1 kernels, kernel as large as the image, one output channel, lists, integer arrays."
    rng = np.random.default_rng(2403)
    form = _form(student)

    def case(X, K, b=None, context=None):
        return _case(student, _shaped(X, form), K, b, context)
    lists = [[[[1.0, 2.0], [0.0, 1.0]]]]
    cases = [
        case(*_random(rng, 2, 3, 2, 4, 5, 1, 1, True), context="1x1 kernels"),
        case(*_random(rng, 1, 2, 3, 4, 4, 4, 4, True), context="kernel size == image size"),
        case(*_random(rng, 3, 2, 1, 5, 6, 2, 2, False), context="one output channel"),
        _case(student, lists if form == "batched" else lists[0], [[[[2.0]]], [[[-1.0]]]],
              [0.5, 1.0], "Python lists as input"),
        case(rng.integers(-5, 6, size=(2, 2, 5, 4)), rng.integers(-3, 4, size=(3, 2, 2, 2)),
             context="integer arrays"),
    ]
    _check(cases)


@points(1)
def test_errors(student):
    "Channel mismatch, inputs of the wrong rank, a bias of the wrong length, or a kernel too large raise ValueError."
    rng = np.random.default_rng(2404)
    X, K, b = _random(rng, 2, 2, 3, 5, 6, 2, 2, True)
    _check([_case(student, _shaped(X, _form(student)), K, b)])
    for x, k, b, what in [((2, 3, 6, 6), (2, 2, 3, 3), None, "channel mismatch"),
                          ((2, 6, 6), (2, 3, 3, 3), None, "channel mismatch"),
                          ((2, 6, 6), (2, 3, 3), None, "a 3-D kernel"),
                          ((6, 6), (2, 1, 3, 3), None, "a 2-D image"),
                          ((1, 2, 6, 6), (3, 2, 3, 3), 2, "a bias of the wrong length"),
                          ((2, 2, 4, 6), (1, 2, 5, 3), None, "a kernel taller than the image")]:
        X, K = rng.normal(size=x), rng.normal(size=k)
        B = None if b is None else rng.normal(size=b)
        expect_value_error(lambda: _call(student, X, K, B),
                           f"{mis.describe(X=X, K=K, b=B)} ({what})")


def _tool(student, tool_name, *args, **kwargs):
    """A worker tool on conv2d_im2col; faults are reported under the function's name."""
    try:
        return student.tool(tool_name, "conv2d_im2col", *args, **kwargs)
    except StudentCodeError as error:
        if error.exc_type == "LookupError":
            raise MissingDefinition("conv2d_im2col") from None
        raise StudentCodeError("conv2d_im2col", error.exc_type, error.message) from None


def _correct_on(student, X, K, what):
    """Speed is only judged for a correct result (and without forbidden operations)."""
    got = _call(student, X, K, None)
    expect_close(got, ref.conv2d_im2col(X, K), what,
                 wrong_message="the result is wrong; speed is judged only for a correct result.")


def _fresh(rng, X_shape, K_shape, form, count):
    """``count`` (X, K) pairs of new random values, X in the student's form."""
    batched = X_shape if form == "batched" else (1,) + X_shape[1:]
    return [(_shaped(rng.normal(size=batched), form), rng.normal(size=K_shape))
            for _ in range(count)]


def _same_results(inputs, outputs, what):
    """The measured calls must be right too: a cache keyed by the input would not be."""
    for (X, K), got in zip(inputs, outputs):
        expected = ref.conv2d_im2col(X, K)
        if got is None or got.shape != expected.shape or not np.allclose(got, expected):
            fail(CACHED.format(what=what))


@points(2)
def test_no_loop_over_output_pixels(student):
    "No Python loop over output pixels: the code runs as many Python lines for a large image as for a small one."
    rng = np.random.default_rng(2405)
    (small, large), k_shape = LINE_SHAPES
    form = _form(student)
    for X, K in _fresh(rng, small, k_shape, form, 1) + _fresh(rng, large, k_shape, form, 1):
        _correct_on(student, X, K, mis.describe(X=X, K=K))
    warm_up = _fresh(rng, small, k_shape, form, 1)[0]
    inputs = _fresh(rng, small, k_shape, form, 1) + _fresh(rng, large, k_shape, form, 1)
    report = _tool(student, "count_student_lines", [list(pair) for pair in inputs],
                   warm_up=list(warm_up), timeout=60)
    _same_results(inputs, report["outputs"], "counted")
    counts = report["counts"]
    rows_added = large[2] - small[2]
    # A vectorized version runs the same lines for both sizes; any loop over output
    # rows, columns or pixels adds at least one line per extra output row.
    expect(counts[1] - counts[0] < rows_added, NOT_VECTORIZED)


@points(2)
def test_speedup_over_loops(student):
    "At least 20x faster than a loop over output pixels, measured in the same process."
    rng = np.random.default_rng(2406)
    form = _form(student)
    # the unbatched image is twice as wide: as many output pixels as the batch of two
    x_shape = SPEED_SHAPES[0] if form == "batched" else (1, 2, 36, 62)
    X, K = _fresh(rng, x_shape, SPEED_SHAPES[1], form, 1)[0]
    _correct_on(student, X, K, mis.describe(X=X, K=K))
    inputs = _fresh(rng, x_shape, SPEED_SHAPES[1], form, SPEED_REPEATS)
    warm_up = _fresh(rng, x_shape, SPEED_SHAPES[1], form, 1)[0]
    seconds = _tool(student, "time_against_loops", [list(pair) for pair in inputs],
                    list(warm_up), timeout=120)
    _same_results(inputs, seconds["outputs"], "timed")
    speedup = seconds["loops"] / max(seconds["student"], 1e-9)
    expect(speedup >= MIN_SPEEDUP,
           f"conv2d_im2col is only {speedup:.1f}x faster than a simple loop over output pixels "
           f"(at least {MIN_SPEEDUP}x is required, on an input of shape {X.shape}). "
           "Build the patch matrix with a few large array operations (one slice per kernel "
           "offset), then do ONE matrix product; avoid Python loops over pixels and "
           "per-pixel np.array/np.append calls.")
