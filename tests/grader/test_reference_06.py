"""Smoke test of notebook 06's reference solutions (grader/checks/06_fc_vs_cnn_fashionmnist).

The models are built without arguments, take (N, 1, 28, 28) images in [0, 1] and return
(N, 10) logits; their parameter counts are printed for the notebook's text (-s to see them).
"""

from pathlib import Path

import pytest
import torch
from torch import nn

from grader.checking import load_reference
from source_lib.training.recipes import Recipe, TensorBatches, train_model

REFERENCE = (Path(__file__).resolve().parents[2] / "grader" / "checks"
             / "06_fc_vs_cnn_fashionmnist" / "reference.py")
EXPECTED_PARAMS = {"MLP": 535_818, "SmallCNN": 104_426}


@pytest.fixture(scope="module")
def reference():
    return load_reference(REFERENCE)


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.mark.parametrize("name", sorted(EXPECTED_PARAMS))
def test_models_take_images_in_0_1_and_return_logits(reference, name):
    torch.manual_seed(0)
    model = getattr(reference, name)()
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: {params:,} parameters")
    assert params == EXPECTED_PARAMS[name]
    for train in (True, False):
        model.train(train)
        logits = model(torch.rand(5, 1, 28, 28))
        assert logits.shape == (5, 10) and torch.isfinite(logits).all()


def tiny_images(n=50, seed=0):
    """Two easily told classes: bright left half (label 0) or bright right half (label 1)."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=generator)
    x = 0.1 * torch.rand(n, 1, 28, 28, generator=generator)
    x[y == 0, :, :, :14] += 0.8
    x[y == 1, :, :, 14:] += 0.8
    return x, y


def test_train_epoch_and_evaluate_learn_in_the_driver(reference):
    torch.manual_seed(0)
    model = reference.SmallCNN()
    x, y = tiny_images()
    recipe = Recipe(epochs=3, batch_size=16, lr=0.05, threads=1)  # 4 batches, ragged last one
    history = train_model(model, recipe, reference.train_epoch, reference.evaluate,
                          recipe.train_batches(x, y), TensorBatches(x, y, 16, shuffle=False),
                          live_plot=False, progress=False)
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.val_acc[-1] == 1.0 and not model.training  # evaluate left eval mode


def test_evaluate_weights_by_batch_size(reference):
    model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))
    x, y = tiny_images(n=7)
    whole = reference.evaluate(model, TensorBatches(x, y, 7, shuffle=False))
    ragged = reference.evaluate(model, TensorBatches(x, y, 3, shuffle=False))
    assert ragged == pytest.approx(whole)
    with torch.no_grad():
        expected = nn.functional.cross_entropy(model(x), y).item()
    assert whole[0] == pytest.approx(expected, rel=1e-5)
