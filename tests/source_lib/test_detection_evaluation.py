"""source_lib.detection.evaluation on hand-made rankings, with the reference's iou passed in
(the library implements none of the graded functions)."""

from pathlib import Path

import numpy as np
import pytest

from grader.checking import load_reference
from source_lib.detection import evaluation
from source_lib.detection.shapes import make_scenes

ref = load_reference(Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
                     / "reference.py")
BOX = np.array([[0.1, 0.1, 0.4, 0.4]])
OTHER = np.array([[0.6, 0.6, 0.9, 0.9]])
MISS = BOX + 0.25          # IoU with BOX below 0.5


def _found(boxes, scores, labels):
    return (np.asarray(boxes, dtype=float).reshape(-1, 4), np.asarray(scores, dtype=float),
            np.asarray(labels))


def test_perfect_detections_score_one():
    truth = [np.concatenate([BOX, OTHER])]
    result = evaluation.evaluate([_found(truth[0], [0.9, 0.8], [0, 1])], truth,
                                 [np.array([0, 1])], 2, ref.iou)
    assert result.map == 1.0 and result.aps == [1.0, 1.0]
    assert [list(p) for p in result.precisions] == [[1.0], [1.0]]
    assert [list(r) for r in result.recalls] == [[1.0], [1.0]]


def test_all_misses_score_zero_and_a_class_without_truth_has_no_ap():
    found = [_found(np.concatenate([MISS, OTHER]), [0.9, 0.8], [0, 0])]
    score, aps = evaluation.mean_average_precision(found, [BOX], [np.array([0])], 2, ref.iou)
    assert score == 0.0 and aps == [0.0, None]
    assert evaluation.mean_average_precision([_found(np.zeros((0, 4)), [], [])], [BOX],
                                             [np.array([0])], 1, ref.iou) == (0.0, [0.0])


def test_a_known_precision_recall_curve():
    # four boxes, five detections ranked: hit, miss, hit, hit, miss; one box never found
    truths = np.array([[0.0, 0.0, 0.2, 0.2], [0.3, 0.0, 0.5, 0.2], [0.6, 0.0, 0.8, 0.2],
                       [0.0, 0.6, 0.2, 0.8]])
    boxes = np.stack([truths[0], truths[0] + 0.5, truths[1], truths[2], truths[3] + 0.15])
    result = evaluation.evaluate([_found(boxes, [0.9, 0.8, 0.7, 0.6, 0.5], [0] * 5)], [truths],
                                 [np.zeros(4, dtype=int)], 1, ref.iou)
    np.testing.assert_array_equal(result.hits[0], [1, 0, 1, 1, 0])
    np.testing.assert_allclose(result.precisions[0], [1, 1 / 2, 2 / 3, 3 / 4, 3 / 5])
    np.testing.assert_allclose(result.recalls[0], [1 / 4, 1 / 4, 2 / 4, 3 / 4, 3 / 4])
    # monotone precision 1 on [0, 1/4], 3/4 on (1/4, 3/4]: 1/4 + 3/8
    assert result.aps[0] == pytest.approx(0.25 + 0.375)
    assert evaluation.average_precision(result.hits[0], 4) == result.aps[0]
    assert evaluation.precision_recall_at(result, 0.65) == {
        "tp": 2, "fp": 1, "fn": 2, "precision": 2 / 3, "recall": 0.5}


def test_duplicates_count_once_and_the_iou_threshold_is_a_parameter():
    found = [_found(np.concatenate([BOX, BOX]), [0.9, 0.8], [0, 0])]
    result = evaluation.evaluate(found, [BOX], [np.array([0])], 1, ref.iou)
    np.testing.assert_array_equal(result.hits[0], [1, 0])
    near = BOX + [0.05, 0, 0.05, 0]          # IoU 0.714 with BOX
    loose = evaluation.evaluate([_found(near, [1], [0])], [BOX], [np.array([0])], 1, ref.iou)
    strict = evaluation.evaluate([_found(near, [1], [0])], [BOX], [np.array([0])], 1, ref.iou,
                                 iou_threshold=0.75)
    assert (loose.aps, strict.aps, strict.iou_threshold) == ([1.0], [0.0], 0.75)


def test_the_iou_passed_in_is_the_one_used():
    calls = []

    def spy(a, b):
        calls.append((np.shape(a), np.shape(b)))
        return ref.iou(a, b)

    evaluation.evaluate([_found(BOX, [0.9], [0])], [BOX], [np.array([0])], 1, spy)
    assert calls == [((1, 4), (1, 4))]
    with pytest.raises(ValueError, match="one entry per image"):
        evaluation.evaluate([], [BOX], [np.array([0])], 1, spy)


def test_true_grids_scored_end_to_end_give_one():
    scenes = make_scenes(6, seed=3)
    grids = np.stack([ref.encode_grid(b, lab, 4, 3) for b, lab in zip(scenes.boxes,
                                                                        scenes.labels)])
    result = evaluation.evaluate_grids(grids, scenes, ref.decode_grid, ref.nms, ref.iou)
    assert result.map == pytest.approx(1.0)
