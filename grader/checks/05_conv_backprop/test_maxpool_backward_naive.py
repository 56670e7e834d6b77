"""Hidden checks for maxpool_backward_naive(dout, cache) -> dx (equal to torch's max_pool2d
backward): through the student's own forward, in one worker call. Ties go to the FIRST
maximum of the window in row-major order; overlapping windows accumulate.
No library pooling/conv, unfold/fold, window views or autograd.
"""

import numpy as np

from grader.checking import load_reference, points

GRADES = ("maxpool_backward_naive",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pairs = load_reference(__file__, "pairs")


def _cases(student, rng, x, k, s=None):
    out, cache = ref.maxpool_forward_naive(x, k, s)
    dout = rng.normal(size=out.shape)
    return pairs.backward_cases(
        student, ("maxpool_forward_naive", "maxpool_backward_naive"), (x, k, s), dout, out,
        [ref.maxpool_backward_naive(dout, cache)],
        (("dx",), [mis.maxpool_backward_candidates(dout, cache)],
         f"x {x.shape}, kernel_size={k}, stride={s}", mis.shape_message), pairs.POOL_FORBID)


def _groups(student, seed, table, integer=False):
    rng = np.random.default_rng(seed)
    groups = []
    for shape, k, s in table:
        x = rng.integers(0, 3, size=shape).astype(float) if integer else rng.normal(size=shape)
        groups.append(_cases(student, rng, x, k, s))
    return groups


NON_OVERLAPPING = (541, [((2, 3, 6, 8), 2, None), ((1, 2, 7, 9), 3, 3), ((3, 1, 5, 7), (2, 3), None)])


def _check(student, seed, table, integer=False):
    """Graded on the cases the student's own forward could set up (see pairs.check_backward)."""
    pairs.check_backward(_groups(student, seed, table, integer),
                         basic=lambda: _groups(student, *NON_OVERLAPPING))


@points(1)
def test_non_overlapping(student):
    "stride = kernel (default): 2x2, 3x3 and (2, 3) windows, odd sizes."
    pairs.check_backward(_groups(student, *NON_OVERLAPPING))


@points(2)
def test_overlapping(student):
    "Overlapping windows (stride < kernel): kernel 3 stride 2, kernel 3 stride 1, (3, 2) stride (2, 1)."
    _check(student, 542, [((2, 3, 9, 7), 3, 2), ((1, 2, 5, 6), 3, 1), ((2, 2, 8, 7), (3, 2), (2, 1)),
                          ((2, 2, 6, 6), 2, 1)])


@points(1)
def test_ties(student):
    "Integer inputs with many equal maxima in a window, overlapping and not: the first maximum wins."
    _check(student, 543, [((2, 2, 6, 6), 2, None), ((2, 2, 7, 6), 3, 2), ((1, 3, 5, 5), 2, 1)],
           integer=True)


@points(1)
def test_random(student):
    "Random sizes, kernels and strides (strides larger than the kernel too)."
    rng = np.random.default_rng(544)
    table = []
    for _ in range(6):
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(k[0], 10)),
                 int(rng.integers(k[1], 10)))
        table.append((shape, k, s))
    _check(student, 545, table)
