"""iou(box_a, box_b): corner boxes (x1, y1, x2, y2), continuous coordinates; two boxes ->
a number, (N, 4) x (M, 4) -> (N, M) by broadcasting."""

import numpy as np

from grader.checking import (attempt, check_cases, expect, fail, load_reference,
                             points, same)
from grader.errors import MissingDefinition, StudentCodeError

GRADES = ("iou",)

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")

BATCH_SHAPES = [(3, 5), (1, 4), (6, 1), (4, 4), (7, 2)]
NOT_VECTORISED = ("iou runs more Python lines for more boxes: compute the (N, M) result for "
                  "all pairs at once by broadcasting, e.g. box_a[:, None, :] against "
                  "box_b[None, :, :], with no Python loop over pairs.")


def _pair(student, a, b, context):
    return cases.value_case(student, "iou", (a, b), ref.iou, wrong.IOU_MISTAKES, context,
                            post=cases.number)


@points(2)
def test_pairs(student):
    """Two boxes at a time: random overlapping, distant and touching boxes of random sizes."""
    rng = np.random.default_rng(1001)
    found = []
    for a in cases.boxes(rng, 10):
        b = cases.near(rng, a)
        found.append(_pair(student, a, b, f"the boxes {_text(a)} and {_text(b)}"))
    for a in cases.boxes(rng, 3):     # apart in both directions, touching along an edge
        for b in (a + np.tile(rng.uniform(6, 9, size=2), 2),
                  np.array([a[2], a[1] - 1, a[2] + 2, a[3] + 1])):
            found.append(_pair(student, a, b, f"the boxes {_text(a)} and {_text(b)}"))
    check_cases(found)


def _text(box):
    return "(" + ", ".join(f"{v:.2f}" for v in box) + ")"


@points(2)
def test_batched(student):
    """(N, 4) and (M, 4) boxes: the (N, M) IoU of every pair, equal to your pairwise results.

    (N, 4) and (M, 4) boxes -> the (N, M) IoU of every pair, several N and M: equal to
    your own results for the pairs one at a time (a mistake in those is charged by the
    test on pairs, not again here)."""
    rng = np.random.default_rng(1002)
    found = []
    for n, m in BATCH_SHAPES:
        a = cases.boxes(rng, n)
        b = np.concatenate([[cases.near(rng, a[i % n])] for i in range(m)])
        found.append((a, b, cases.value_case(student, "iou", (a, b), ref.iou, wrong.IOU_MISTAKES,
                                             f"box_a of shape ({n}, 4) and box_b of shape "
                                             f"({m}, 4)")))
    for a, b, case in found:     # box i against box i only: the other shapes cannot pair
        paired = wrong._paired(a, b)
        if paired is not None and not hasattr(case.got, "error") and same(case.got, paired) \
                and not same(case.got, case.expected):
            fail(f"For {case.context}: {wrong.PAIRED}")
    for a, b, case in found:
        if hasattr(case.got, "error"):
            raise case.got.error
        if not same(case.got, case.expected) and not _own_pairs_agree(student, a, b, case.got):
            check_cases([case])
            fail(f"For {case.context}, your batched result differs from your own IoU of the "
                 "pairs taken one at a time.")


def _own_pairs_agree(student, a, b, got):
    """Whether ``got`` is the student's own iou of each pair (wrong values: charged by
    test_pairs)."""
    own = [[cases.number(attempt(lambda x=x, y=y: student.call("iou", x, y))) for y in b]
           for x in a]
    if any(hasattr(v, "error") or np.ndim(v) != 0 for row in own for v in row):
        return False
    return same(got, np.array(own, dtype=np.float64))


def _counted(student, calls, warm_up):
    try:
        return student.tool("count_student_lines", "iou", calls, warm_up=warm_up, timeout=60)
    except StudentCodeError as error:
        if error.exc_type == "LookupError":
            raise MissingDefinition("iou") from None
        raise StudentCodeError("iou", error.exc_type, error.message) from None


@points(1)
def test_no_loop_over_pairs(student):
    """No Python loop over pairs: as many Python lines for 30 x 40 boxes as for 3 x 4."""
    rng = np.random.default_rng(1003)
    calls = [[cases.boxes(rng, 3), cases.boxes(rng, 4)],
             [cases.boxes(rng, 30), cases.boxes(rng, 40)]]
    report = _counted(student, calls, [cases.boxes(rng, 2), cases.boxes(rng, 2)])
    for (a, b), got in zip(calls, report["outputs"]):
        accepted = [ref.iou(a, b)] + [v for v, _ in cases.candidates(wrong.IOU_MISTAKES, a, b)]
        if got is None or not any(same(got, value) for value in accepted):
            fail(f"For box_a of shape {cases.shape_text(a)} and box_b of shape "
                 f"{cases.shape_text(b)}, the result is wrong; the loop check is judged "
                 "only on a correct batched result (or one whose mistake another test "
                 "names).")
    counts = report["counts"]
    expect(counts[1] - counts[0] < 30, NOT_VECTORISED)


def _property(student, a, b, context):
    return _pair(student, np.asarray(a, float), np.asarray(b, float), context)


@points(2)
def test_properties(student):
    """Symmetric; 1 for identical boxes; 0 for disjoint or touching boxes; containment.

    Symmetric; 1 for identical boxes; 0 for disjoint boxes and boxes that only touch; a
    box inside another: the small area over the large one (judged on your own values; a
    mistake the test on pairs names is not charged again here)."""
    rng = np.random.default_rng(1004)
    found = []
    for a in cases.boxes(rng, 3):
        b = cases.near(rng, a)
        ab = attempt(lambda a=a, b=b: student.call("iou", a, b))
        ba = attempt(lambda a=a, b=b: student.call("iou", b, a))
        named = [v for v, _ in cases.candidates(wrong.IOU_MISTAKES, a, b)]
        if not hasattr(ab, "error") and not hasattr(ba, "error") and \
                not any(same(cases.number(ab), v) for v in named) and \
                not np.allclose(cases.number(ab), cases.number(ba), atol=1e-9):
            fail(f"For the boxes {_text(a)} and {_text(b)}, iou(a, b) and iou(b, a) differ: "
                 "intersection and union do not depend on the order of the boxes.")
        found.append(_property(student, a, a.copy(), f"a box {_text(a)} and itself"))
    found += [
        _property(student, [1, 1, 3, 4], [5, 0, 7, 2], "two disjoint boxes"),
        _property(student, [1, 1, 3, 4], [4, 5, 6, 8], "two disjoint boxes, one below right"),
        _property(student, [0, 0, 2, 2], [2, 0, 4, 2], "two boxes that touch along an edge"),
        _property(student, [0, 0, 2, 2], [2, 2, 5, 3], "two boxes that touch at a corner"),
        _property(student, [0, 0, 8, 6], [2, 1, 4, 4], "a box inside another"),
        _property(student, [1, 2, 3, 9], [0, 4, 7, 6], "two boxes crossing like a plus sign"),
    ]
    cases.check_own_cases(found)


@points(1)
def test_degenerate_boxes(student):
    """A box of zero width or height: IoU 0 with any box, itself included.

    A box of zero width or height has area 0: IoU 0 with any box, itself included (0 / 0
    is taken as 0, not NaN; a mistake the test on pairs names is not charged again
    here)."""
    found = []
    for a, b, what in [([2, 1, 2, 5], [0, 0, 4, 4], "a box of zero width and a box around it"),
                       ([0, 3, 6, 3], [1, 1, 4, 6], "a box of zero height and a box across it"),
                       ([2, 2, 2, 2], [2, 2, 2, 2], "a point-sized box and itself"),
                       ([1, 0, 1, 4], [1, 0, 1, 4], "a zero-width box and itself")]:
        case = _property(student, a, b, what)
        got = case.got
        if not hasattr(got, "error") and np.size(got) == 1 and not np.isfinite(got):
            fail(f"For {what}, your IoU is NaN or infinite: the union can be 0 when both "
                 "boxes are degenerate; return 0 then.")
        found.append(case)
    cases.check_own_cases(found)
