"""Hidden checks for conv2d_backward_naive(dout, cache) -> (dx, dw, db).

Graded through results only: the student's conv2d_forward_naive makes the cache and the
student's backward consumes it in the same worker call (tool ``forward_backward``); the
gradients are compared with the reference (equal to torch's autograd of F.conv2d).
By hand: no library conv, unfold/fold, window views, autograd or torch.nn.grad.
"""

import numpy as np

from grader.checking import load_reference, points

GRADES = ("conv2d_backward_naive",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pairs = load_reference(__file__, "pairs")


def _cases(student, rng, n, c_in, c_out, h, w_, kh, kw, stride=1, padding=0, bias=True,
           integer=False):
    if integer:
        x = rng.integers(-3, 4, size=(n, c_in, h, w_)).astype(float)
        w = rng.integers(-2, 3, size=(c_out, c_in, kh, kw)).astype(float)
    else:
        x, w = rng.normal(size=(n, c_in, h, w_)), rng.normal(size=(c_out, c_in, kh, kw))
    b = rng.normal(size=c_out) if bias else None
    out, cache = ref.conv2d_forward_naive(x, w, b, stride, padding)
    dout = rng.normal(size=out.shape)
    context = (f"x {x.shape}, w {w.shape}, stride={stride}, padding={padding}"
               + ("" if bias else ", b=None"))
    return pairs.backward_cases(
        student, ("conv2d_forward_naive", "conv2d_backward_naive"), (x, w, b, stride, padding),
        dout, out, ref.conv2d_backward_naive(dout, cache),
        (("dx", "dw", "db"), mis.conv2d_backward_candidates(dout, cache), context,
         mis.shape_message), pairs.BACKWARD_FORBID)


def _groups(student, seed, table):
    rng = np.random.default_rng(seed)
    return [_cases(student, rng, *shape, **options) for shape, options in table]


PLAIN = (521, [((2, 3, 4, 7, 6, 3, 2), {}), ((1, 1, 1, 5, 5, 3, 3), {}),
               ((3, 2, 3, 6, 7, 2, 4), {})])


def _check(student, seed, table):
    """Graded on the cases the student's own forward could set up (see pairs.check_backward)."""
    pairs.check_backward(_groups(student, seed, table), basic=lambda: _groups(student, *PLAIN))


@points(1)
def test_plain(student):
    "Stride 1, no padding: batch > 1, C_in != C_out, odd non-square images and kernels."
    pairs.check_backward(_groups(student, *PLAIN))


@points(1)
def test_stride(student):
    "Stride 2 and 3 (windows overlapping or not), and a stride that drops the last row."
    # square kernels (and in the tests below): non-square ones are charged by test_plain
    _check(student, 522, [((2, 2, 3, 9, 8, 3, 3), {"stride": 2}),
                          ((1, 3, 2, 10, 7, 2, 2), {"stride": 2}),
                          ((2, 1, 2, 11, 9, 3, 3), {"stride": 3})])


@points(1)
def test_padding(student):
    "Padding 1 and 2 with stride 1 and 2: dx has the shape of the unpadded x."
    _check(student, 523, [((2, 2, 3, 5, 6, 3, 3), {"padding": 1}),
                          ((1, 3, 2, 4, 7, 3, 3), {"padding": 2}),
                          ((2, 2, 2, 7, 6, 3, 3), {"padding": 1, "stride": 2})])


@points(2)
def test_random(student):
    "Random shapes, square kernels (1-4), strides (1-3) and paddings (0-2)."
    rng = np.random.default_rng(524)
    table = []
    while len(table) < 8:
        kh, s, p = (int(v) for v in (rng.integers(1, 5), rng.integers(1, 4), rng.integers(0, 3)))
        kw = kh
        h, w_ = int(rng.integers(max(1, kh - 2 * p), 11)), int(rng.integers(max(1, kw - 2 * p), 11))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 5)), h, w_,
                 kh, kw)
        table.append((shape, {"stride": s, "padding": p}))   # b=None: test_edge_cases
    _check(student, 525, table)


@points(1)
def test_edge_cases(student):
    "1x1 kernels, a kernel as large as the padded image, integer inputs, b=None."
    _check(student, 526, [((2, 3, 2, 5, 4, 1, 1), {"stride": 2}),
                          ((2, 2, 3, 4, 4, 6, 6), {"padding": 1}),
                          ((2, 2, 2, 5, 6, 3, 3), {"integer": True, "stride": 2, "padding": 1}),
                          ((1, 2, 2, 4, 4, 2, 2), {"bias": False})])
