"""10's graded detector: the worker tool returns the grids load_detector's model predicts, and
each checkpoint meets hidden scenes of its own (a regrade the same ones)."""

from pathlib import Path

import numpy as np
import torch

from grader.checking import load_reference
from gradeworker.tools.detection import detector_grids
from source_lib.detection.model import TinyDetector, load_detector, save_detector
from source_lib.detection.training import predict

CHECKS = Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
saved = load_reference(CHECKS / "saved_detector.py", "saved_detector")
mean_ap = saved.mean_ap


def test_the_tool_gives_the_grids_of_the_saved_detector(tmp_path):
    torch.manual_seed(0)
    save_detector(TinyDetector(width=4), tmp_path / "detector.pt")
    data = (tmp_path / "detector.pt").read_bytes()
    scenes = mean_ap.hidden_scenes(6, salt=saved._salt(data))
    grids = detector_grids({}, "detector.pt", np.frombuffer(data, dtype=np.uint8),
                           scenes.images.numpy(), saved.SIZES)
    assert grids.dtype == np.float32 and grids.shape == (6, 4, 4, 8)
    np.testing.assert_allclose(grids, predict(load_detector(tmp_path / "detector.pt"),
                                              scenes.images), atol=1e-6)


def test_each_checkpoint_meets_its_own_scenes_and_a_regrade_the_same():
    first, again = (mean_ap.hidden_scenes(3, salt=saved._salt(b"one")) for _ in range(2))
    other = mean_ap.hidden_scenes(3, salt=saved._salt(b"two"))
    fixed = mean_ap.hidden_scenes(3)
    assert torch.equal(first.images, again.images)
    assert not torch.equal(first.images, other.images)
    assert not torch.equal(first.images, fixed.images)


def test_the_reference_checkpoint_reaches_full_marks_on_its_scenes():
    data = (CHECKS / "checkpoints" / "detector.pt").read_bytes()
    scenes = mean_ap.hidden_scenes(300, salt=saved._salt(data))
    model = load_detector(CHECKS / "checkpoints" / "detector.pt", **saved.SIZES)
    score, _ = mean_ap.score_detector(model, scenes)
    assert score >= 0.97 and model.metadata["map50"] >= 0.97
