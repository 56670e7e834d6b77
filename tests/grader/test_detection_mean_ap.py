"""mAP@0.5 of 10's detector (grader/checks/10_detection/mean_ap.py) on hand-made rankings."""

from pathlib import Path

import numpy as np
import pytest

from grader.checking import load_reference

mean_ap = load_reference(Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
                         / "reference.py", "mean_ap")
BOX = np.array([[0.1, 0.1, 0.4, 0.4]])
OTHER = np.array([[0.6, 0.6, 0.9, 0.9]])


def _found(boxes, scores, labels):
    return (np.asarray(boxes).reshape(-1, 4), np.asarray(scores), np.asarray(labels))


def test_perfect_detections_score_one_and_misses_lower_recall():
    truth_boxes, truth_labels = [BOX, OTHER], [np.array([0]), np.array([1])]
    perfect = [_found(BOX, [0.9], [0]), _found(OTHER, [0.8], [1])]
    assert mean_ap.mean_average_precision(perfect, truth_boxes, truth_labels, 2)[0] == 1.0
    missed = [_found(BOX, [0.9], [0]), _found(np.zeros((0, 4)), [], [])]
    score, aps = mean_ap.mean_average_precision(missed, truth_boxes, truth_labels, 3)
    assert aps == [1.0, 0.0, None] and score == 0.5


def test_a_false_positive_ranked_first_halves_the_precision_of_the_hit():
    truth = [np.concatenate([BOX, OTHER])]
    labels = [np.array([0, 0])]
    shifted = BOX + 0.25     # IoU with BOX below 0.5
    found = [_found(np.concatenate([shifted, BOX, OTHER]), [0.9, 0.8, 0.7], [0, 0, 0])]
    # hits 0, 1, 1: precision 1/2 at recall 1/2 and 2/3 at recall 1 -> monotone 2/3, 2/3
    assert mean_ap.mean_average_precision(found, truth, labels, 1)[0] == pytest.approx(2 / 3)


def test_a_duplicate_counts_once_and_the_wrong_class_never():
    found = [_found(np.concatenate([BOX, BOX]), [0.9, 0.8], [0, 0])]
    # hits 1, 0: AP 1 (the duplicate after full recall costs nothing)
    assert mean_ap.mean_average_precision(found, [BOX], [np.array([0])], 1)[0] == 1.0
    wrong_class = [_found(BOX, [0.9], [1])]
    assert mean_ap.mean_average_precision(wrong_class, [BOX], [np.array([0])], 2)[0] == 0.0


def test_the_hidden_scenes_are_fixed():
    a, b = mean_ap.hidden_scenes(4), mean_ap.hidden_scenes(4)
    assert np.array_equal(a.images.numpy(), b.images.numpy())
