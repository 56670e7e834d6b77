"""Training notebook 10's detector with the (reference) student functions passed in."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch

from grader.checking import load_reference
from source_lib.detection import training
from source_lib.detection.model import TinyDetector
from source_lib.detection.shapes import make_scenes
from source_lib.detection.training import (FULL, QUICK, DetectionBudget, detect,
                                           detection_budget, make_targets, predict,
                                           train_detector)

CHECKS = Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
ref = load_reference(CHECKS / "reference.py")
mean_ap = load_reference(CHECKS / "reference.py", "mean_ap")
TINY = DetectionBudget(steps=3, batch_size=8, width=4, test_scenes=8)


def test_budgets_follow_quick_mode(monkeypatch):
    monkeypatch.setenv("COURSE_QUICK", "1")
    assert detection_budget() is QUICK
    monkeypatch.setenv("COURSE_QUICK", "0")
    assert detection_budget() is FULL and detection_budget(quick=True) is QUICK
    assert QUICK.steps < FULL.steps and QUICK.time_budget < 90 and FULL.time_budget < 300


def test_targets_come_from_the_encode_grid_passed_in():
    scenes = make_scenes(5, seed=0)
    targets = make_targets(scenes, ref.encode_grid)
    assert targets.shape == (5, 4, 4, 8) and targets.dtype == torch.float32
    assert [int(t[..., 0].sum()) for t in targets] == [len(b) for b in scenes.boxes]
    with pytest.raises(ValueError, match="expected"):
        make_targets(scenes, lambda boxes, labels, s, k: np.zeros((s, s, 5)))


def test_training_lowers_the_loss_of_the_function_passed_in():
    calls = []

    def loss(pred, target):
        calls.append(pred.shape)
        return ref.localisation_loss(pred, target)
    model = TinyDetector(width=4)
    budget = replace(TINY, steps=12, lr=1e-2)
    history = train_detector(model, ref.encode_grid, loss, budget, seed=0)
    assert history["steps"] == 12 and len(calls) == 12 and calls[0] == (8, 4, 4, 8)
    assert np.mean(history["loss"][-3:]) < np.mean(history["loss"][:3])
    assert not model.training and not history["interrupted"]


def test_same_seed_same_weights():
    weights = []
    for _ in range(2):
        torch.manual_seed(0)    # the initial weights are the caller's
        model = TinyDetector(width=4)
        train_detector(model, ref.encode_grid, ref.localisation_loss, TINY, seed=1)
        weights.append(torch.cat([p.flatten() for p in model.state_dict().values()
                                  if p.is_floating_point()]))
    assert torch.equal(*weights)


def test_a_loss_without_gradient_is_explained():
    def numpy_loss(pred, target):
        return ((pred.detach().numpy() - target.numpy()) ** 2).sum(-1)
    with pytest.raises(TypeError, match="torch tensor computed from pred"):
        train_detector(TinyDetector(width=4), ref.encode_grid, numpy_loss, TINY)


def test_the_time_budget_stops_training(monkeypatch):
    clock = iter(range(0, 1000, 10))
    monkeypatch.setattr(training.time, "perf_counter", lambda: next(clock))
    budget = replace(TINY, steps=50, time_budget=25)
    history = train_detector(TinyDetector(width=4), ref.encode_grid, ref.localisation_loss,
                             budget)
    assert history["steps"] == 3


def test_detect_decodes_then_suppresses_with_the_functions_passed_in():
    scenes = make_scenes(3, seed=0)
    outputs = make_targets(scenes, ref.encode_grid).numpy()
    found = detect(outputs, ref.decode_grid, ref.nms, threshold=0.5)
    for (boxes, scores, labels), truth, truth_labels in zip(found, scenes.boxes,
                                                            scenes.labels):
        order = np.lexsort(boxes.T[::-1])
        assert np.allclose(boxes[order], truth[np.lexsort(truth.T[::-1])])
        assert np.all(scores == 1.0)
        assert sorted(labels.tolist()) == sorted(truth_labels.tolist())
    assert mean_ap.mean_average_precision(found, scenes.boxes, scenes.labels, 3)[0] == 1.0


def test_predict_is_batched_and_in_eval_mode():
    model = TinyDetector(width=4).train()
    images = make_scenes(5, seed=0).images
    out = predict(model, images, batch_size=2)
    assert out.shape == (5, 4, 4, 8) and not model.training
    assert np.allclose(out, model(images).detach().numpy(), atol=1e-6)
