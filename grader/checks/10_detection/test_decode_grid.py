"""decode_grid(output, threshold): the cells of an (S, S, 5 + K) grid output whose p_c is at
least the threshold, as (boxes (n, 4) image-relative corners, scores = p_c, labels = the
largest class score's index); the detections may come in any order."""

import numpy as np

from grader.checking import Case, attempt, check_cases, fail, load_reference, points

GRADES = ("decode_grid",)

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
grids = load_reference(__file__, "grids")
cases = load_reference(__file__, "cases")

TRIPLE = ("decode_grid returns a tuple (boxes, scores, labels): boxes of shape (n, 4), "
          "scores and labels of shape (n,), one row per detection")


def _case(student, output, threshold, context):
    got = attempt(lambda: student.call("decode_grid", output, threshold))
    if not hasattr(got, "error"):
        table = grids.rows(got)
        if table is None:
            fail(f"For {context}: {TRIPLE}.")
        got = table
    return Case(got, grids.rows(ref.decode_grid(output, threshold)), context,
                cases.candidates(wrong.DECODE_MISTAKES, output, threshold, post=grids.rows))


@points(2)
def test_random_outputs(student):
    """Random grid outputs: 2 to 9 cells a side, 1 to 4 classes, several thresholds.

    Random grid outputs (p_c in [0, 1]), grids of 2 to 9 cells a side, 1 to 4 classes,
    several thresholds."""
    rng = np.random.default_rng(1031)
    found = []
    for grid_size, num_classes, threshold in [(3, 3, 0.5), (7, 2, 0.3), (4, 4, 0.8),
                                              (9, 1, 0.6), (2, 3, 0.2)]:
        output = grids.random_output(rng, grid_size, num_classes)
        found.append(_case(student, output, threshold,
                           f"an output of shape {output.shape} and threshold {threshold}"))
    check_cases(found)


@points(1)
def test_round_trip(student):
    """Decoding a target made from known boxes gives those boxes back.

    Decoding a target made by the reference's encode_grid gives its boxes back, with
    score 1 and their labels (a mistake the test on random outputs names is not charged
    again here)."""
    rng = np.random.default_rng(1032)
    found = []
    for grid_size, num_classes, count in [(5, 3, 6), (8, 2, 10), (3, 4, 2)]:
        boxes = grids.one_per_cell(rng, grid_size, count)
        labels = rng.integers(0, num_classes, size=count)
        target = ref.encode_grid(boxes, labels, grid_size, num_classes)
        case = _case(student, target, 0.5, f"the target of {count} boxes on a {grid_size} x "
                     f"{grid_size} grid")
        case.expected = grids.rows((boxes, np.ones(count), labels))
        found.append(case)
    cases.check_own_cases(found)


@points(1)
def test_nothing_detected(student):
    """No cell reaches the threshold: empty arrays, not an error.

    No cell reaches the threshold: no detections (empty arrays), not an error (a mistake
    the test on random outputs names is not charged again here)."""
    rng = np.random.default_rng(1033)
    output = grids.random_output(rng, 4, 3)
    output[..., 0] *= 0.4
    cases.check_own_cases([_case(student, output, 0.5, "an output whose p_c are all below "
                                 "the threshold")])
