"""The trained TinyDetector, saved as `detector.pt`: its mAP@0.5 on hidden generated scenes
(``saved_detector.py``: scenes generated here, grids from the worker, scored with the
reference's decode_grid and nms).

Tiers, from benchmarks/bench_detection.py (2 cores, 1,000 hidden scenes): the full budget
with the reference's functions reaches 0.989 (0.987-0.991 over 3 seeds), so full marks at
0.95 leave it a margin of 0.04; the quick budget (300 steps, for CI) reaches 0.907
(0.893-0.913): a short run earns the lower tiers, not full marks. A loss that counts the box
terms without an object still reaches 0.960 at the full budget: that mistake is charged once,
by the loss's own part. encode_grid with x and y swapped gives 0.064: no tier.
"""

from grader.checking import load_reference, points

saved = load_reference(__file__, "saved_detector")
FULL_MARKS = 0.95


@points(1)
def test_reaches_0_80(student, submitted_files):
    """mAP@0.5 of your saved detector on the hidden scenes: at least 0.80."""
    saved.expect_tier(student, submitted_files, 0.80, FULL_MARKS)


@points(1)
def test_reaches_0_90(student, submitted_files):
    """mAP@0.5 of your saved detector on the hidden scenes: at least 0.90."""
    saved.expect_tier(student, submitted_files, 0.90, FULL_MARKS)


@points(2)
def test_reaches_0_95(student, submitted_files):
    """mAP@0.5 of your saved detector on the hidden scenes: at least 0.95 (full marks)."""
    saved.expect_tier(student, submitted_files, FULL_MARKS, FULL_MARKS)
