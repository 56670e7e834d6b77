"""iou(box_a, box_b): corner boxes (x1, y1, x2, y2), continuous coordinates; two boxes ->
a number, (N, 4) x (M, 4) -> (N, M) by broadcasting."""

import numpy as np

from grader.checking import (Case, attempt, check_cases, expect, fail, load_reference,
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
    """Two boxes at a time: random overlapping, nested and distant boxes of random sizes."""
    rng = np.random.default_rng(1001)
    found = []
    for a in cases.boxes(rng, 10):
        b = cases.near(rng, a)
        found.append(_pair(student, a, b, f"the boxes {_text(a)} and {_text(b)}"))
    check_cases(found)


def _text(box):
    return "(" + ", ".join(f"{v:.2f}" for v in box) + ")"


@points(2)
def test_batched(student):
    """(N, 4) and (M, 4) boxes -> the (N, M) IoU of every pair, several N and M."""
    rng = np.random.default_rng(1002)
    found = []
    for n, m in BATCH_SHAPES:
        a = cases.boxes(rng, n)
        b = np.concatenate([[cases.near(rng, a[i % n])] for i in range(m)])
        case = cases.value_case(student, "iou", (a, b), ref.iou, wrong.IOU_MISTAKES,
                                f"box_a of shape ({n}, 4) and box_b of shape ({m}, 4)")
        paired = wrong._paired(a, b)
        if paired is not None and not hasattr(case.got, "error") and same(case.got, paired) \
                and not same(case.got, case.expected):
            fail(f"For {case.context}: {wrong.PAIRED}")   # the other shapes cannot pair
        found.append(case)
    check_cases(found)


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
    calls = [[cases.boxes(rng, 3), cases.boxes(rng, 4)], [cases.boxes(rng, 30), cases.boxes(rng, 40)]]
    report = _counted(student, calls, [cases.boxes(rng, 2), cases.boxes(rng, 2)])
    for (a, b), got in zip(calls, report["outputs"]):
        expected = ref.iou(a, b)
        if got is None or np.shape(got) != expected.shape or not np.allclose(got, expected):
            fail(f"For box_a of shape {cases.shape_text(a)} and box_b of shape "
                 f"{cases.shape_text(b)}, the result is wrong; the loop check is judged "
                 "only on a correct batched result.")
    counts = report["counts"]
    expect(counts[1] - counts[0] < 30, NOT_VECTORISED)


def _property(student, a, b, context):
    return _pair(student, np.asarray(a, float), np.asarray(b, float), context)


@points(2)
def test_properties(student):
    """Symmetric; 1 for identical boxes; 0 for disjoint boxes and boxes that only touch;
    a box inside another: the small area over the large one."""
    rng = np.random.default_rng(1004)
    found = []
    for a in cases.boxes(rng, 3):
        b = cases.near(rng, a)
        ab = attempt(lambda: student.call("iou", a, b))
        ba = attempt(lambda: student.call("iou", b, a))
        if not hasattr(ab, "error") and not hasattr(ba, "error") and \
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
    check_cases(found)


@points(1)
def test_degenerate_boxes(student):
    """A box of zero width or height has area 0: IoU 0 with any box, itself included
    (0 / 0 is taken as 0, not NaN)."""
    found = []
    for a, b, what in [([2, 1, 2, 5], [0, 0, 4, 4], "a box of zero width and a box around it"),
                       ([0, 3, 6, 3], [1, 1, 4, 6], "a box of zero height and a box across it"),
                       ([2, 2, 2, 2], [2, 2, 2, 2], "a point-sized box and itself"),
                       ([1, 0, 1, 4], [1, 0, 1, 4], "a zero-width box and itself")]:
        got = attempt(lambda: student.call("iou", np.asarray(a, float), np.asarray(b, float)))
        if not hasattr(got, "error"):
            got = cases.number(got)
            if np.size(got) == 1 and not np.isfinite(got):
                fail(f"For {what}, your IoU is NaN or infinite: the union can be 0 when both "
                     "boxes are degenerate; return 0 then.")
        found.append(Case(got, ref.iou(a, b), what))
    check_cases(found)
