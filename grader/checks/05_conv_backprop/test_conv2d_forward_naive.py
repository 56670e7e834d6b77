"""Hidden checks for conv2d_forward_naive(x, w, b, stride=1, padding=0) -> (out, cache).

Only ``out`` is compared (the cache is the student's own business; it is checked through
conv2d_backward_naive). By hand: BY_HAND_2D (no library conv, unfold/fold, window views).
"""

import numpy as np

from grader.checking import BY_HAND_2D, Case, attempt, check_cases, fail, load_reference, points
from grader.errors import StudentCodeError

GRADES = ("conv2d_forward_naive",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pairs = load_reference(__file__, "pairs")
forward_mis = load_reference(__file__, "forward_misconceptions")

NO_BIAS = "the bias b[o] must be added to every output of channel o."
FLIPPED = "the kernel is flipped: a conv layer computes a cross-correlation (no flip), like F.conv2d."


def _out(student, x, w, b, stride, padding):
    return pairs.run_pair(student, "conv2d_forward_naive", "conv2d_backward_naive",
                          (x, w, b, stride, padding), forbid_forward=BY_HAND_2D)[0]


def _case(student, rng, n, c_in, c_out, h, w_, kh, kw, stride=1, padding=0, bias=True):
    x, w = rng.normal(size=(n, c_in, h, w_)), rng.normal(size=(c_out, c_in, kh, kw))
    b = rng.normal(size=c_out) if bias else None
    expected = ref.conv2d_forward_naive(x, w, b, stride, padding)[0]
    candidates = [(ref.conv2d_forward_naive(x, w, None, stride, padding)[0], NO_BIAS),
                  (ref.conv2d_forward_naive(x, w[:, :, ::-1, ::-1], b, stride, padding)[0], FLIPPED)]
    candidates += forward_mis.conv_forward_candidates(x, w, b, stride, padding)
    got = attempt(lambda: _out(student, x, w, b, stride, padding))
    return Case(got, expected, f"x {x.shape}, w {w.shape}, stride={stride}, padding={padding}"
                + ("" if bias else ", b=None"), candidates if bias else candidates[1:])


@points(1)
def test_plain(student):
    "Stride 1, no padding; several channels, odd non-square images and kernels, b or None."
    rng = np.random.default_rng(511)
    check_cases([_case(student, rng, 2, 3, 4, 7, 6, 3, 2), _case(student, rng, 1, 1, 1, 5, 5, 3, 3),
                 _case(student, rng, 3, 2, 3, 6, 9, 1, 4, bias=False)])


@points(1)
def test_stride_and_padding(student):
    "Stride 2 and 3, padding 1 and 2, together."
    # square kernels, all with a bias: non-square kernels and b=None are charged by test_plain
    rng = np.random.default_rng(512)
    check_cases([_case(student, rng, 2, 2, 3, 9, 8, 3, 3, stride=2),
                 _case(student, rng, 1, 3, 2, 5, 7, 3, 3, padding=1),
                 _case(student, rng, 2, 2, 2, 10, 11, 4, 4, stride=3, padding=2),
                 _case(student, rng, 3, 1, 4, 6, 5, 2, 2, stride=2, padding=1)])


@points(1)
def test_errors(student):
    "Channel mismatch, wrong ranks, a bias of the wrong shape, a kernel that does not fit: ValueError."
    rng = np.random.default_rng(513)
    x, w, b = rng.normal(size=(2, 3, 6, 5)), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2)
    check_cases([_case(student, rng, 2, 3, 2, 6, 5, 3, 3)])
    for xx, ww, bb, why in [(x, w[:, :2], b, "channel mismatch"), (x[0], w, b, "x of rank 3"),
                            (x, w, rng.normal(size=3), "a bias with C_out + 1 entries"),
                            (x, rng.normal(size=(2, 3, 7, 3)), b, "a kernel taller than x")]:
        try:
            _out(student, xx, ww, bb, 1, 0)
        except StudentCodeError as error:
            if error.exc_type == "ValueError":
                continue
            if error.exc_type == "NotImplementedError":
                raise
            fail(f"For {why}, your function raised {error.exc_type}; it should raise ValueError.")
        fail(f"For {why}, your function returned a result instead of raising ValueError.")
