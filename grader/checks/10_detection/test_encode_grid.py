"""encode_grid(boxes, labels, grid_size, num_classes): image-relative corner boxes to the
(S, S, 5 + K) YOLO target, indexed [row, col]; each object in the cell holding its centre,
b_x, b_y relative to that cell, b_w, b_h in cell units, the class one-hot."""

import numpy as np

from grader.checking import case_is_right, check_cases, fail, load_reference, points

GRADES = ("encode_grid",)

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")
grids = load_reference(__file__, "grids")


def _case(student, boxes, labels, grid_size, num_classes, context):
    return cases.value_case(student, "encode_grid", (boxes, labels, grid_size, num_classes),
                            ref.encode_grid, wrong.ENCODE_MISTAKES, context)


@points(1)
def test_lecture_grid(student):
    """A 3 x 3 grid with two cars, as on the lecture's YOLO slide.

    A 3 x 3 grid and two cars (class c_2 of pedestrian, car, motorbike), as the labels
    of the lecture's YOLO slide; placed here in the middle row, left and right (where
    the slide's picture has them is not in the deck's text). (A mistake the test on
    random boxes names is not charged again here.)"""
    boxes = np.array([[0.05, 0.40, 0.30, 0.60], [0.62, 0.42, 0.98, 0.64]])
    cases.check_own_cases([_case(student, boxes, np.array([1, 1]), 3, 3,
                                 "two cars on a 3 x 3 grid, 3 classes")])


def _random_cases(student):
    rng = np.random.default_rng(1021)
    found = []
    for grid_size, num_classes, count in [(4, 3, 5), (7, 2, 9), (5, 5, 3), (13, 1, 12),
                                          (2, 4, 3)]:
        boxes = grids.one_per_cell(rng, grid_size, count)
        labels = rng.integers(0, num_classes, size=count)
        found.append(_case(student, boxes, labels, grid_size, num_classes,
                           f"{count} boxes on a {grid_size} x {grid_size} grid, "
                           f"{num_classes} classes"))
    return found


@points(2)
def test_random_boxes(student):
    """Random boxes: 2 to 13 cells a side, 1 to 5 classes, random labels.

    Random boxes (centres in distinct cells), grids of 2 to 13 cells a side, 1 to 5
    classes, random labels."""
    check_cases(_random_cases(student))


@points(1)
def test_centres_on_cell_borders(student):
    """Centres exactly on a line between cells, and on the image's far edge.

    Centres exactly on a line between cells belong to the cell after it (floor); on the
    image's right or bottom edge, to the last cell. (A mistake the test on random boxes
    names is not charged again here.)"""
    centres = [(0.5, 0.3), (0.25, 0.75), (1.0, 0.6), (0.1, 1.0), (0.0, 0.0), (0.75, 0.25),
               (0.4, 0.15)]
    boxes = grids.centred(centres)
    labels = np.array([0, 1, 2, 0, 1, 2, 0])
    case = _case(student, boxes, labels, 4, 3,
                 "centres on the lines between the cells of a 4 x 4 grid and on its edges")
    if hasattr(case.got, "error") and case.got.error.exc_type == "IndexError":
        fail(f"For {case.context}: {wrong.BORDER} (your code indexed past the last cell).")
    interior_right = all(case_is_right(c) for c in _random_cases(student))
    cases.check_own_cases([case], keep=(wrong.BORDER,) if interior_right else ())


@points(1)
def test_round_trip(student):
    """Decoding your target gives the boxes and labels back.

    Decoding your target (with the reference's decoder) gives the boxes and labels back
    (a mistake the test on random boxes names is not charged again here)."""
    rng = np.random.default_rng(1022)
    for grid_size, num_classes, count in [(6, 3, 7), (3, 2, 4)]:
        boxes = grids.one_per_cell(rng, grid_size, count)
        labels = rng.integers(0, num_classes, size=count)
        case = _case(student, boxes, labels, grid_size, num_classes, "")
        if hasattr(case.got, "error"):
            raise case.got.error
        if cases.charged_elsewhere(case):
            continue    # a mistake test_random_boxes names
        target = np.asarray(case.got, dtype=np.float64)
        expected = (grid_size, grid_size, 5 + num_classes)
        if target.shape != expected:
            fail(f"For {count} boxes on a {grid_size} x {grid_size} grid and {num_classes} "
                 f"classes, the target must have shape {expected}, not {target.shape}.")
        back = grids.rows(ref.decode_grid(target, 0.5))
        want = grids.rows((boxes, np.ones(count), labels))
        if back.shape != want.shape or not np.allclose(back, want, atol=1e-6):
            fail(f"For {count} boxes on a {grid_size} x {grid_size} grid, decoding your "
                 "target does not give the boxes and labels back.")
