"""source_lib.transfer.training: fit learns, follows parameter groups' own learning rates,
is deterministic given its seed and trains only what it is given; the linear probe
separates separable features and takes raw features."""

import pytest
import torch
from torch import nn

from source_lib.transfer.training import evaluate, fit, fit_linear_probe

pytestmark = pytest.mark.usefixtures("one_thread")


def _blobs(n=200, seed=0):
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 4
    centres = torch.tensor([[3.0, 0], [-3, 0], [0, 3], [0, -3]])
    return centres[y] + torch.randn(n, 2, generator=generator), y


def _model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 4))


def test_fit_learns_and_is_deterministic():
    x, y = _blobs()
    model = _model()
    assert evaluate(model, x, y) < 0.6
    losses = fit(model, model.parameters(), x, y, steps=60, batch_size=32, seed=1, lr=0.1)
    assert len(losses) == 60 and losses[-1] < losses[0]
    assert evaluate(model, x, y) > 0.95 and model.training
    twin = _model()
    assert fit(twin, twin.parameters(), x, y, steps=60, batch_size=32, seed=1, lr=0.1) == losses


def test_fit_keeps_group_learning_rates_and_leaves_the_rest_alone():
    x, y = _blobs()
    model = _model()
    first = model[0].weight.detach().clone()
    groups = [{"params": model[3].parameters(), "lr": 0.05}, {"params": model[1].parameters(), "lr": 0.5}]
    optimizer = torch.optim.SGD(groups, lr=1.0)
    fit(model, optimizer, x, y, steps=10, batch_size=50, seed=0, warmup=0.5)
    assert torch.equal(model[0].weight, first)                  # not given: unchanged
    assert [g["initial_lr"] for g in optimizer.param_groups] == [0.05, 0.5]
    with pytest.raises(ValueError, match="learning rate"):
        fit(model, model.parameters(), x, y, steps=1)


def test_fit_works_with_fewer_samples_than_a_batch():
    x, y = _blobs(n=12)
    model = _model()
    assert len(fit(model, [{"params": model.parameters(), "lr": 0.1}], x, y, steps=7,
                   batch_size=64)) == 7


def test_the_linear_probe_separates_and_takes_raw_features():
    x, y = _blobs(n=400)
    features = torch.cat([x * 100 + 50, torch.randn(400, 3)], dim=1)    # badly scaled
    probe = fit_linear_probe(features, y)
    assert isinstance(probe, nn.Linear) and probe.out_features == 4
    assert evaluate(probe, features, y) > 0.95
    assert torch.equal(fit_linear_probe(features, y).weight, probe.weight)
    assert fit_linear_probe(features, y, num_classes=6).out_features == 6
