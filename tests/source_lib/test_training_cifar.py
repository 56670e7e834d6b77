"""source_lib.training.cifar on small synthetic data: subsets, whitening filters, batches that
call the student's augmentation, quick mode and lookahead."""

import pytest
import torch
from torch import nn

from source_lib.training.cifar import (CifarRecipe, LookaheadOptimizer, cifar_recipe,
                                       mixed_subset, patch_whitening)
from source_lib.training.recipes import scheduled_lr

pytestmark = pytest.mark.usefixtures("one_thread")


def test_a_mixed_subset_takes_every_class_from_a_sorted_set():
    x = torch.arange(1000.0)[:, None]
    y = torch.arange(10).repeat_interleave(100)          # class by class, as the JPEG copy
    xs, ys = mixed_subset(x, y, 200, seed=3)
    assert len(xs) == 200 and set(ys.tolist()) == set(range(10))
    assert torch.equal(ys, y[xs[:, 0].long()])           # pairs kept together
    assert torch.all(xs[1:, 0] > xs[:-1, 0])             # original order kept
    assert mixed_subset(x, y, None)[0] is x and mixed_subset(x, y, 5000)[0] is x


def test_whitening_filters_decorrelate_patches():
    generator = torch.Generator().manual_seed(0)
    base = torch.randn(256, 1, 12, 12, generator=generator)
    images = torch.cat([base, 0.5 * base + 0.1 * torch.randn(256, 1, 12, 12, generator=generator),
                        torch.randn(256, 1, 12, 12, generator=generator)], dim=1)
    weight = patch_whitening(images, kernel_size=2, eps=1e-6)
    d = 3 * 2 * 2
    assert weight.shape == (2 * d, 3, 2, 2)
    assert torch.allclose(weight[d:], -weight[:d])
    out = nn.functional.conv2d(images, weight[:d]).permute(0, 2, 3, 1).reshape(-1, d).double()
    covariance = torch.cov(out.T)
    assert torch.allclose(covariance, torch.eye(d, dtype=torch.float64), atol=0.02)


def test_training_batches_call_the_augmentation_with_the_recipes_padding():
    calls = []

    def augment(x, padding=4):
        calls.append((x.shape[0], padding))
        return x

    recipe = CifarRecipe(epochs=1, batch_size=8, lr=0.1, crop_padding=2)
    x, y = torch.rand(20, 3, 4, 4), torch.arange(20) % 10
    batches = list(recipe.train_batches(x, y, augment=augment))
    assert [len(b[0]) for b in batches] == [8, 8]        # drop_last: no batch of 4
    assert calls == [(8, 2), (8, 2)]


def test_quick_mode_is_short_and_changes_are_applied():
    full, quick = cifar_recipe(quick=False), cifar_recipe(quick=True)
    assert quick.epochs < full.epochs and quick.train_samples and quick.time_budget is None
    assert cifar_recipe(quick=False, epochs=5).epochs == 5
    with pytest.raises(ValueError, match="no recipe"):
        cifar_recipe("ResNet50")


def test_lookahead_ends_on_the_slow_weights():
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    inner = torch.optim.SGD(model.parameters(), lr=0.1)
    optimizer = LookaheadOptimizer(inner, lambda s, t: scheduled_lr(s, t, 0.1), 7, model,
                                   every=3)
    for _ in range(7):
        optimizer.zero_grad()
        model(torch.randn(4, 3)).sum().backward()
        optimizer.step()
    for fast, slow in zip(optimizer.fast, optimizer.slow):
        assert torch.equal(fast, slow)                   # the model is the slow copy
