"""TinyDetector: a YOLO grid out, decodable by the reference decode_grid; checkpoints."""

from pathlib import Path

import numpy as np
import pytest
import torch

from grader.checking import load_reference
from source_lib.checkpoint import CheckpointError, save_checkpoint
from source_lib.detection.model import TinyDetector, load_detector, save_detector

ref = load_reference(Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
                     / "reference.py")


@pytest.mark.parametrize("grid_size, image_size", [(4, 64), (8, 64), (3, 48)])
def test_the_output_is_the_grid_with_probabilities_where_decode_grid_expects_them(
        grid_size, image_size):
    torch.manual_seed(0)
    model = TinyDetector(num_classes=3, grid_size=grid_size, image_size=image_size, width=4)
    out = model(torch.rand(2, 3, image_size, image_size))
    assert out.shape == (2, grid_size, grid_size, 8)
    assert torch.all((out[..., :3] >= 0) & (out[..., :3] <= 1))
    assert torch.allclose(out[..., 5:].sum(-1), torch.ones(2, grid_size, grid_size))
    boxes, scores, labels = ref.decode_grid(out[0].detach().numpy(), 0.0)
    assert boxes.shape == (grid_size * grid_size, 4) and np.all(labels < 3)


def test_sizes_that_do_not_halve_to_the_grid_are_refused():
    with pytest.raises(ValueError, match="power of two"):
        TinyDetector(grid_size=5, image_size=64)


def test_a_saved_detector_loads_with_its_sizes_and_metadata(tmp_path):
    model = TinyDetector(num_classes=2, grid_size=8, image_size=64, width=4)
    save_detector(model, tmp_path / "detector.pt", map50=0.9)
    loaded = load_detector(tmp_path / "detector.pt")
    assert loaded.config() == model.config() and not loaded.training
    assert loaded.metadata["map50"] == 0.9
    x = torch.rand(2, 3, 64, 64)
    model.eval()
    assert torch.equal(model(x), loaded(x))
    with open(tmp_path / "detector.pt", "rb") as handle:
        assert load_detector(handle).config() == model.config()


def test_a_foreign_checkpoint_is_refused_with_the_checkpoint_error(tmp_path):
    save_checkpoint(torch.nn.Linear(2, 2), tmp_path / "other.pt")
    with pytest.raises(CheckpointError, match="do not fit TinyDetector"):
        load_detector(tmp_path / "other.pt")
    torch.save({"a": 1}, tmp_path / "plain.pt")
    with pytest.raises(CheckpointError):
        load_detector(tmp_path / "plain.pt")


def test_expected_sizes_are_named_when_the_saved_detector_differs(tmp_path):
    save_detector(TinyDetector(grid_size=8, width=4), tmp_path / "detector.pt")
    with pytest.raises(CheckpointError, match=r"grid_size=8 \(the task's: 4\)"):
        load_detector(tmp_path / "detector.pt", grid_size=4, num_classes=3)
    assert load_detector(tmp_path / "detector.pt", grid_size=8).grid_size == 8


def test_saved_sizes_that_cannot_build_a_detector_are_a_checkpoint_error(tmp_path):
    model = TinyDetector(width=4)
    for sizes, words in [({**model.config(), "width": 10 ** 6}, "out of range"),
                         ({**model.config(), "width": "wide"}, "whole numbers"),
                         ({**model.config(), "grid_size": 5}, "power of two")]:
        save_checkpoint(model, tmp_path / "detector.pt", detector=sizes)
        with pytest.raises(CheckpointError, match=words):
            load_detector(tmp_path / "detector.pt")
