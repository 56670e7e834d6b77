"""Tests for source_lib.self_check.check_saved_model: the checkpoint self-check of
notebooks 06-09."""

import torch
from torch import nn

from source_lib.checkpoint import save_checkpoint
from source_lib.self_check import FAIL_MARK, PASS_MARK, SelfCheck, check_saved_model


class Threshold(nn.Module):
    """Class 1 when the mean pixel is above 0.5: a 'trained' model without training."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(10.0))

    def forward(self, x):
        score = self.scale * (x.mean(dim=(1, 2, 3)) - 0.5)
        return torch.stack([-score, score], dim=1)


def images():
    x = torch.cat([torch.full((6, 1, 4, 4), 0.2), torch.full((4, 1, 4, 4), 0.8)])
    y = torch.tensor([0] * 6 + [1] * 3 + [0])   # the last image is labelled wrongly: 0.9
    return x, y


def test_a_good_checkpoint_passes_and_reports_its_accuracy(tmp_path, capsys):
    path = save_checkpoint(Threshold(), tmp_path / "model.pt")
    with SelfCheck("model.pt") as check:
        accuracy = check_saved_model(check, Threshold, path, *images(), target=0.85)
    assert accuracy == 0.9 and (check.passed, check.failed) == (2, 0)
    out = capsys.readouterr().out
    assert "test accuracy of" in out and "0.9000 on 10 test images" in out


def test_below_target_fails_except_in_quick_mode(tmp_path, capsys):
    path = save_checkpoint(Threshold(), tmp_path / "model.pt")
    with SelfCheck("model.pt", raise_on_failure=False) as check:
        check_saved_model(check, Threshold, path, *images(), target=0.95)
    assert (check.passed, check.failed) == (1, 1)
    with SelfCheck("model.pt", raise_on_failure=False) as check:
        check_saved_model(check, Threshold, path, *images(), target=0.95, quick=True)
    assert (check.passed, check.failed) == (1, 0)
    assert "quick mode" in capsys.readouterr().out


def test_a_missing_or_mismatched_file_fails_with_a_hint(tmp_path, capsys):
    with SelfCheck("model.pt", raise_on_failure=False) as check:
        assert check_saved_model(check, Threshold, tmp_path / "none.pt", *images(), 0.8) is None
    save_checkpoint(nn.Linear(2, 2), tmp_path / "other.pt")
    with SelfCheck("other.pt", raise_on_failure=False) as check:
        assert check_saved_model(check, Threshold, tmp_path / "other.pt", *images(), 0.8) is None
    out = capsys.readouterr().out
    assert out.count(FAIL_MARK) == 2 and PASS_MARK not in out
    assert "retrain after every change to Threshold" in out
