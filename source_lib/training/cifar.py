"""Notebook 07: CIFAR-10 in memory and the recipe that trains ``CifarNet`` fast on a CPU.

It extends notebook 06's machinery (``source_lib.training.recipes``:
:class:`~source_lib.training.recipes.Recipe`, :class:`~source_lib.training.recipes.TensorBatches`,
:func:`~source_lib.training.recipes.train_model`)::

    x_train, y_train = cifar_tensors("train")    # float32 (50000, 3, 32, 32) in [0, 1], int64 (N,)
    x_test, y_test = cifar_tensors("test")       # float32 (10000, 3, 32, 32), int64 (N,)
    recipe = cifar_recipe()                      # shorter budgets under COURSE_QUICK=1
    model = CifarNet()
    # a patch-whitening first layer gets its fixed filters from (normalised) training images
    sample, _ = mixed_subset(x_train, y_train, 5000)
    model.whiten.weight.data.copy_(patch_whitening((sample - MEAN) / STD, kernel_size=2))
    train_batches = recipe.train_batches(x_train, y_train, augment=random_crop_flip, seed=0)
    test_batches = recipe.test_batches(x_test, y_test)
    history = train_model(model, recipe, train_epoch, evaluate, train_batches, test_batches)

The augmentation is *yours* (``random_crop_flip``): the batches only call it on every
training batch (as ``random_crop_flip(x, padding=recipe.crop_padding)``). The learning-rate
schedule lives in the optimizer, as in notebook 06.

Measured on 2 CPU cores (benchmarks/bench_cifar.py, where the table of what each change
bought is printed): the reference CifarNet (996k parameters, bfloat16 autocast, flip
test-time augmentation in eval mode) reaches about 0.88 test accuracy in 10 epochs, about
560 s (~890 training images/s). Quick mode: about 15 s. Lookahead
(:class:`LookaheadOptimizer`) did not pay there; it stays available as an option.
"""

import functools
from dataclasses import dataclass, replace

import torch

from source_lib.config import quick_mode
from source_lib.data import load_cifar10
from source_lib.training.recipes import Recipe, ScheduledOptimizer, TensorBatches

__all__ = ["CifarRecipe", "CIFAR_RECIPES", "LookaheadOptimizer", "cifar_recipe", "cifar_tensors",
           "mixed_subset", "patch_whitening"]


def cifar_tensors(split):
    """CIFAR-10 ``split`` ("train" or "test") as tensors: images float32 (N, 3, 32, 32) with
    values in [0, 1] (RGB, channels first), labels int64 (N,) in 0..9 (``CIFAR10_CLASSES``).

    N is 50,000 for "train" and 10,000 for "test". The first call decodes the JPEG copy
    (about 10 s) and caches the arrays; later calls take about a second. The order may be class by
    class (the JPEG copy): shuffle, or take a :func:`mixed_subset`, before slicing.
    """
    images, labels = load_cifar10(split)
    return torch.from_numpy(images).float().div_(255.0), torch.from_numpy(labels)


def mixed_subset(x, y, n, seed=0):
    """The first ``n`` samples of a seeded random order of ``(x, y)``: a subset with every
    class in about equal numbers, whatever the order of the full set. ``n=None`` (or
    ``n >= len(x)``) returns ``(x, y)`` unchanged."""
    if n is None or n >= len(x):
        return x, y
    keep = torch.randperm(len(x), generator=torch.Generator().manual_seed(int(seed)))[:int(n)]
    keep = keep.sort().values   # keep the original order (and memory locality)
    return x[keep], y[keep]


class LookaheadOptimizer(ScheduledOptimizer):
    """A :class:`~source_lib.training.recipes.ScheduledOptimizer` with lookahead: every
    ``every`` updates, a slow copy of the model's weights (and batch-norm statistics) moves
    towards the fast ones, ``slow += (1 - decay) * (fast - slow)``, and the model continues
    from the slow copy. ``decay`` grows as ``decay_max * progress**power``: weak early, strong late;
    after the last scheduled update the model *is* the slow copy (what gets saved)."""

    def __init__(self, optimizer, schedule, total_steps, model, every=5, decay_max=0.77,
                 power=3.0):
        super().__init__(optimizer, schedule, total_steps)
        self.every, self.decay_max, self.power = int(every), float(decay_max), float(power)
        self.fast = [t for t in model.state_dict().values() if t.is_floating_point()]
        self.slow = [t.detach().clone() for t in self.fast]

    def step(self, closure=None):
        loss = super().step(closure)
        last = self.steps_taken >= self.total_steps
        if self.steps_taken % self.every == 0 or last:
            decay = 1.0 if last else self.decay_max * (self.steps_taken / self.total_steps) ** self.power
            with torch.no_grad():
                for fast, slow in zip(self.fast, self.slow):
                    slow.lerp_(fast, 1.0 - decay)
                    fast.copy_(slow)
        return loss


def patch_whitening(images, kernel_size=2, eps=5e-4):
    """Filters of a patch-whitening first layer, computed from ``images`` (float32 (N, C, H,
    W), already normalised as your model normalises them; a few thousand are plenty).

    Every ``kernel_size`` x ``kernel_size`` patch is a vector of d = C * k * k numbers. The
    eigenvectors of their covariance matrix, each divided by the square root of its
    eigenvalue (+ ``eps``), are d filters whose outputs are uncorrelated with unit variance:
    "whitened" patches. Returns a weight for ``nn.Conv2d(C, 2 * d, kernel_size)`` of shape
    (2 * d, C, k, k): the d filters and their negatives (so that a ReLU after it keeps both
    signs of every component), largest eigenvalue first. Use it frozen (requires_grad False)::

        model.whiten.weight.data.copy_(patch_whitening(normalised_train_images[:5000]))
    """
    n, c, k = len(images), images.shape[1], int(kernel_size)
    patches = images.unfold(2, k, 1).unfold(3, k, 1)          # (N, C, H-k+1, W-k+1, k, k)
    patches = patches.permute(0, 2, 3, 1, 4, 5).reshape(-1, c * k * k).double()
    patches = patches - patches.mean(dim=0)
    covariance = patches.T @ patches / len(patches)             # (d, d)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)   # ascending eigenvalues
    filters = (eigenvectors / torch.sqrt(eigenvalues + eps)).T.flip(0)   # (d, d), rows = filters
    filters = filters.reshape(-1, c, k, k).float()
    return torch.cat([filters, -filters])


@dataclass(frozen=True)
class CifarRecipe(Recipe):
    """A :class:`~source_lib.training.recipes.Recipe` for CIFAR-10: batches take your
    augmentation, the training subset of quick mode is mixed (not the first classes), and the
    test set can be subsampled in quick mode (``test_samples``)."""

    test_samples: int = None    # evaluate on a mixed subset of this size (quick mode)
    drop_last: bool = True      # no tiny last batch: batch-norm statistics stay reliable
    lookahead_every: int = 0    # > 0: lookahead every so many updates (LookaheadOptimizer)
    crop_padding: int = None    # set: the augmentation is called as augment(x, padding=...)

    def make_optimizer(self, model, steps_per_epoch):
        """The recipe's optimizer (see Recipe.make_optimizer), with lookahead if asked."""
        scheduled = super().make_optimizer(model, steps_per_epoch)
        if self.lookahead_every <= 0:
            return scheduled
        return LookaheadOptimizer(scheduled.optimizer, scheduled.schedule,
                                  scheduled.total_steps, model, every=self.lookahead_every)

    def train_batches(self, x, y, seed=0, augment=None):
        """Shuffled training batches ``(x (B, 3, 32, 32), y (B,))``; ``augment(x_batch)``
        (e.g. your ``random_crop_flip``) is applied to every batch, anew each epoch, as
        ``augment(x_batch, padding=crop_padding)`` when the recipe sets ``crop_padding``.
        Uses ``train_samples`` images of a mixed subset when set (quick mode)."""
        x, y = mixed_subset(x, y, self.train_samples, seed=0)
        if augment is not None and self.crop_padding is not None:
            augment = functools.partial(augment, padding=self.crop_padding)
        return TensorBatches(x, y, self.batch_size, shuffle=True, seed=seed, augment=augment,
                             drop_last=self.drop_last and len(x) > self.batch_size)

    def test_batches(self, x, y, batch_size=1000):
        """Test batches in order, without augmentation (``test_samples`` of them if set)."""
        x, y = mixed_subset(x, y, self.test_samples, seed=1)
        return TensorBatches(x, y, batch_size, shuffle=False)


CIFAR_RECIPES = {
    "CifarNet": CifarRecipe(epochs=10, batch_size=256, lr=0.2, momentum=0.9, weight_decay=5e-4,
                            warmup=0.2, label_smoothing=0.2, crop_padding=2,
                            test_samples=5000, time_budget=590),
}
# 10 epochs take ~560 s on 2 cores (55 s each, the per-epoch test on 5,000 images included);
# time_budget drops the last epochs (and squeezes the schedule) on a slower machine. A half
# budget, cifar_recipe(epochs=5), gave 0.855 in 288 s.
# COURSE_QUICK=1: a notebook cell that trains CifarNet takes at most ~25 s (15 s measured)
QUICK_CHANGES = {"epochs": 2, "train_samples": 4096, "test_samples": 2000, "batch_size": 256,
                 "time_budget": None}


def cifar_recipe(model_name="CifarNet", quick=None, **changes):
    """The :class:`CifarRecipe` for ``model_name``; ``quick=None`` follows COURSE_QUICK, and
    keyword ``changes`` replace fields (``cifar_recipe(epochs=3)``)."""
    if model_name not in CIFAR_RECIPES:
        raise ValueError(f"no recipe for {model_name!r}; choose one of {sorted(CIFAR_RECIPES)}")
    recipe = CIFAR_RECIPES[model_name]
    if quick_mode() if quick is None else quick:
        recipe = replace(recipe, **QUICK_CHANGES)
    return replace(recipe, **changes)
