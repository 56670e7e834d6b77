"""nms(boxes, scores, iou_threshold, labels=None): greedy non-max suppression per class;
the kept indices, highest score first."""

import numpy as np

from grader.checking import attempt, check_cases, fail, load_reference, points, same

GRADES = ("nms",)
TRUSTED_CALLEES = ("iou",)

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")


def indices(value):
    """Kept indices as a tuple of ints (any 1-D integer array or list); else unchanged."""
    try:
        array = np.asarray(value).reshape(-1)
    except (TypeError, ValueError):
        return value
    if array.size and not np.all(np.equal(np.mod(array, 1), 0)):
        return value
    return tuple(int(i) for i in array)


def clusters(rng, count, per_cluster, spread=0.6):
    """``count`` groups of overlapping boxes, the groups far apart; distinct scores."""
    centres = cases.boxes(rng, count, scale=60.0, min_size=3, max_size=6)
    boxes = np.concatenate([[cases.near(rng, c, spread) for _ in range(per_cluster)]
                            for c in centres])
    return boxes, rng.permutation(len(boxes)) / len(boxes) + rng.uniform(0, 1e-3, len(boxes))


def _case(student, boxes, scores, threshold, context, labels=None):
    kwargs = {} if labels is None else {"labels": labels}
    return cases.value_case(student, "nms", (boxes, scores, threshold), ref.nms,
                            wrong.NMS_MISTAKES, context, post=indices, kwargs=kwargs)


@points(2)
def test_one_class(student):
    """Random groups of overlapping boxes of one class, thresholds 0.3 to 0.7.

    Random groups of overlapping boxes, one class (labels not given), thresholds 0.3 to
    0.7."""
    rng = np.random.default_rng(1041)
    found = []
    for count, per, threshold in [(3, 4, 0.5), (2, 6, 0.3), (4, 3, 0.7), (1, 8, 0.5)]:
        boxes, scores = clusters(rng, count, per, spread=1.5)
        order = rng.permutation(len(boxes))
        found.append(_case(student, boxes[order], scores[order], threshold,
                           f"{len(boxes)} boxes, threshold {threshold}"))
    check_cases(found, exact=True)


@points(1)
def test_keeps_the_best_of_each_cluster(student):
    """Separate clusters of overlapping boxes: the best box of each is kept.

    Groups of boxes that overlap a lot inside each group and not at all across groups:
    the best box of each group survives, in score order (a mistake the test on one class
    names is not charged again here)."""
    rng = np.random.default_rng(1042)
    boxes, scores = clusters(rng, 5, 4, spread=0.3)
    order = rng.permutation(len(boxes))
    cases.check_own_cases([_case(student, boxes[order], scores[order], 0.4,
                                 "5 well-separated groups of 4 boxes, threshold 0.4")])


@points(2)
def test_per_class(student):
    """Overlapping boxes of several classes: a box only suppresses boxes of its own class.

    Overlapping boxes of several classes (``labels=``): a box only suppresses boxes of
    its own class (the other mistakes the test on one class names are not charged again
    here)."""
    rng = np.random.default_rng(1043)
    found = []
    for count, per, classes, threshold in [(3, 5, 2, 0.5), (2, 6, 3, 0.4), (4, 3, 2, 0.6)]:
        boxes, scores = clusters(rng, count, per, spread=1.2)
        labels = rng.integers(0, classes, size=len(boxes))
        found.append(_case(student, boxes, scores, threshold, f"{len(boxes)} boxes of "
                           f"{classes} classes, threshold {threshold}", labels=labels))
    cases.check_own_cases(found, keep=(wrong.ACROSS,))


@points(1)
def test_input_order(student):
    """The same boxes listed in another order: the same boxes are kept.

    The same boxes listed in another order: the same boxes are kept (judged on your own
    results; a mistake the other tests name is not charged again)."""
    rng = np.random.default_rng(1044)
    for count, per, threshold in [(3, 4, 0.5), (2, 5, 0.35)]:
        boxes, scores = clusters(rng, count, per, spread=1.5)
        first = _case(student, boxes, scores, threshold, "")
        if hasattr(first.got, "error") or not same(first.got, first.expected, exact=True) \
                and any(same(first.got, c, exact=True) for c, _ in first.candidates):
            continue
        order = rng.permutation(len(boxes))
        again = attempt(lambda: student.call("nms", boxes[order], scores[order], threshold))
        if hasattr(again, "error"):
            continue
        kept = indices(first.got)
        mapped = tuple(int(order[i]) for i in indices(again)) \
            if isinstance(indices(again), tuple) else None
        if mapped is None or not isinstance(kept, tuple) or mapped != kept:
            fail(f"For {len(boxes)} boxes listed in another order, your nms keeps other "
                 "boxes (or lists them in another order): the result must depend on the "
                 "scores only, not on the order of the input.")
