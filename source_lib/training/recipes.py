"""Fast training on a laptop CPU: data in memory, a scheduled optimizer, a per-epoch driver.

Notebook 06 (``train_epoch`` and ``evaluate`` are *yours*)::

    x_train, y_train = fashion_tensors("train")   # float32 (60000, 1, 28, 28) in [0, 1]
    x_test, y_test = fashion_tensors("test")      # labels int64 (N,)
    recipe = fashion_recipe("SmallCNN")           # shorter budgets under COURSE_QUICK=1
    train_batches = recipe.train_batches(x_train, y_train, seed=0)
    test_batches = TensorBatches(x_test, y_test, 1000, shuffle=False)
    history = train_model(model, recipe, train_epoch, evaluate, train_batches, test_batches)

A recipe holds every setting that makes training fast. Its learning-rate schedule lives in
the optimizer's ``step()``: a plain zero_grad/forward/backward/step loop follows it.
"""

import math
import sys
import time
from dataclasses import dataclass, replace

import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import TensorDataset
from tqdm.auto import tqdm

from source_lib.config import quick_mode
from source_lib.data import load_fashion_mnist
from source_lib.plotting import plot_learning_curves
from source_lib.reproducibility import set_num_threads
from source_lib.training.loops import History


def fashion_tensors(split):
    """Fashion-MNIST ``split``: images float32 (N, 1, 28, 28) in [0, 1], labels int64 (N,)."""
    images, labels = load_fashion_mnist(split)
    return torch.from_numpy(images).unsqueeze(1).float().div_(255.0), torch.from_numpy(labels)


class TensorBatches:
    """Mini-batches ``(x (B, ...), y (B,))`` of in-memory tensors, reshuffled every epoch.

    ``len()`` is the number of batches; the last one is smaller unless ``drop_last``. With
    ``shuffle`` each pass visits every sample once, in a new order drawn from ``seed`` (same
    seed, same orders). ``augment(x_batch) -> x_batch`` is applied to each batch.
    ``dataset`` is a ``TensorDataset``: ``len(loader.dataset)`` works as with a DataLoader.
    """

    def __init__(self, x, y, batch_size, shuffle=True, seed=0, augment=None, drop_last=False):
        if len(x) != len(y) or len(x) == 0:
            raise ValueError(f"x and y need the same, non-zero length; got {len(x)} and {len(y)}")
        if int(batch_size) < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.x, self.y, self.batch_size = x, y, int(batch_size)
        self.shuffle, self.augment, self.drop_last = shuffle, augment, drop_last
        self.generator = torch.Generator().manual_seed(int(seed))
        self.dataset = TensorDataset(x, y)

    def __len__(self):
        rounding = math.floor if self.drop_last else math.ceil
        return rounding(len(self.x) / self.batch_size)

    def __iter__(self):
        order = torch.randperm(len(self.x), generator=self.generator) if self.shuffle else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            if order is None:
                x, y = self.x[start:start + self.batch_size], self.y[start:start + self.batch_size]
            else:
                index = order[start:start + self.batch_size]
                x, y = self.x[index], self.y[index]
            yield (x if self.augment is None else self.augment(x)), y


def scheduled_lr(step, total_steps, peak_lr, warmup=0.15, final_fraction=0.0, start_fraction=0.1):
    """Learning rate of update ``step`` (0-based) of ``total_steps``: one cycle, i.e. linear
    warm-up from ``start_fraction * peak_lr`` to ``peak_lr`` over the first ``warmup`` fraction
    of the steps, then linear decay to ``final_fraction * peak_lr`` at ``total_steps``."""
    warmup_steps = warmup * total_steps
    if step < warmup_steps:
        return peak_lr * (start_fraction + (1.0 - start_fraction) * step / warmup_steps)
    progress = min((step - warmup_steps) / max(total_steps - warmup_steps, 1e-12), 1.0)
    return peak_lr * (1.0 - (1.0 - final_fraction) * progress)


class ScheduledOptimizer:
    """A torch optimizer whose ``step()`` also moves the learning rate along a schedule.

    Looks like the wrapped optimizer (``zero_grad``, ``step``, ``param_groups``,
    ``state_dict``...), so a plain training loop follows the schedule without knowing.
    ``schedule(step, total_steps)`` returns the learning rate of update ``step``; the
    position in the schedule is not part of ``state_dict()`` (no resuming mid-schedule).
    """

    def __init__(self, optimizer, schedule, total_steps):
        self.optimizer, self.schedule = optimizer, schedule
        self.total_steps, self.steps_taken = int(total_steps), 0
        self._apply_lr()

    def __getattr__(self, name):  # state, defaults, ... of the wrapped optimizer
        if name == "optimizer":  # not set yet (copy, pickle): no endless recursion
            raise AttributeError(name)
        return getattr(self.optimizer, name)

    param_groups = property(lambda self: self.optimizer.param_groups)
    lr = property(lambda self: self.optimizer.param_groups[0]["lr"], doc="lr of the next step")

    def _apply_lr(self):
        lr = self.schedule(self.steps_taken, self.total_steps)
        for group in self.optimizer.param_groups:
            group["lr"] = lr

    def zero_grad(self, set_to_none=True):
        self.optimizer.zero_grad(set_to_none=set_to_none)

    def step(self, closure=None):
        loss = self.optimizer.step(closure)
        self.steps_taken += 1
        self._apply_lr()
        return loss

    def reschedule(self, total_steps):
        """Squeeze the rest of the schedule into ``total_steps`` updates in all."""
        self.total_steps = max(int(total_steps), self.steps_taken)
        self._apply_lr()


@dataclass(frozen=True)
class Recipe:
    """How to train one model fast: batches, optimizer, schedule, loss, threads, budget."""

    epochs: int
    batch_size: int
    lr: float  # peak learning rate of the one-cycle schedule
    optimizer: str = "sgd"  # "sgd" (Nesterov momentum) or "adamw"
    momentum: float = 0.9
    weight_decay: float = 5e-4
    warmup: float = 0.15  # fraction of the updates spent warming up
    label_smoothing: float = 0.0
    threads: int = 2
    channels_last: bool = True  # NHWC weights and activations: faster convolutions on CPUs
    train_samples: int = None  # train on the first N samples only (quick mode)
    time_budget: float = None  # seconds; epochs that do not fit are dropped (see train_model)

    def make_optimizer(self, model, steps_per_epoch):
        """A :class:`ScheduledOptimizer` over ``model``'s parameters for ``epochs`` epochs."""
        # weights only: decaying biases and batch-norm scales does not regularise, it hurts
        trainable = [p for p in model.parameters() if p.requires_grad]
        groups = [{"params": [p for p in trainable if p.ndim > 1]},
                  {"params": [p for p in trainable if p.ndim <= 1], "weight_decay": 0.0}]
        kinds = {"sgd": (torch.optim.SGD, {"momentum": self.momentum, "nesterov": True}),
                 "adamw": (torch.optim.AdamW, {"betas": (self.momentum, 0.999)})}
        if self.optimizer not in kinds:
            raise ValueError(f"optimizer must be 'sgd' or 'adamw', got {self.optimizer!r}")
        optimizer_class, options = kinds[self.optimizer]
        inner = optimizer_class(groups, lr=self.lr, weight_decay=self.weight_decay, **options)
        return ScheduledOptimizer(
            inner, lambda step, total: scheduled_lr(step, total, self.lr, warmup=self.warmup),
            self.epochs * int(steps_per_epoch))

    def loss_fn(self):
        return nn.CrossEntropyLoss(label_smoothing=self.label_smoothing)

    def train_batches(self, x, y, seed=0):
        """Shuffled training batches of this recipe (its batch size, its quick-mode subset)."""
        if self.train_samples is not None:
            x, y = x[:self.train_samples], y[:self.train_samples]
        return TensorBatches(x, y, self.batch_size, shuffle=True, seed=seed)


# Measured on 2 CPU cores (benchmarks/bench_fashion.py): MLP ~0.90 in ~20 s, SmallCNN ~0.93
# in ~2 minutes. Flip augmentation, AdamW, batches of 256 and weight averaging did not pay.
FASHION_RECIPES = {
    "MLP": Recipe(epochs=10, batch_size=128, lr=0.1, label_smoothing=0.1, channels_last=False),
    "SmallCNN": Recipe(epochs=6, batch_size=128, lr=0.2, label_smoothing=0.1),
}
# COURSE_QUICK=1 (CI): the whole notebook, experiments included, must run in 90 s
QUICK_CHANGES = {"epochs": 2, "train_samples": 10_000}


def fashion_recipe(model_name, quick=None):
    """The :class:`Recipe` for ``"MLP"`` or ``"SmallCNN"``; ``quick=None`` follows COURSE_QUICK."""
    if model_name not in FASHION_RECIPES:
        raise ValueError(f"no recipe for {model_name!r}; choose one of {sorted(FASHION_RECIPES)}")
    recipe = FASHION_RECIPES[model_name]
    if quick_mode() if quick is None else quick:
        recipe = replace(recipe, **QUICK_CHANGES)
    return recipe


def _in_notebook():
    """True inside a Jupyter kernel, where a figure can be redrawn in place."""
    shell = sys.modules.get("IPython") and sys.modules["IPython"].get_ipython()
    return getattr(shell, "kernel", None) is not None


class _LiveCurves:
    """Learning curves redrawn in place after every epoch (in Jupyter; nothing elsewhere)."""

    def __init__(self, enabled):
        self.enabled, self.handle = enabled and _in_notebook(), None

    def update(self, history):
        if not self.enabled:
            return
        from IPython.display import display
        figure = plot_learning_curves(history, metrics=("train_loss", "val_loss", "val_acc"))
        plt.close(figure)  # shown through the display handle only, not again at cell end
        if self.handle is None:
            self.handle = display(figure, display_id=True)
        else:
            self.handle.update(figure)


class _CountedBatches:
    """``batches`` (same length, same ``dataset``) advancing a progress bar per batch."""

    def __init__(self, batches, bar):
        self.batches, self.bar = batches, bar

    def __len__(self):
        return len(self.batches)

    def __getattr__(self, name):  # dataset, batch_size, ... of the wrapped batches
        if name == "batches":  # not set yet (copy, pickle): no endless recursion
            raise AttributeError(name)
        return getattr(self.batches, name)

    def __iter__(self):
        for batch in self.batches:
            yield batch
            self.bar.update(1)


class _Plan:
    """Epochs still planned; shortened, schedule included, when they no longer fit the budget."""

    def __init__(self, recipe, budget, optimizer, bar, steps_per_epoch):
        self.epochs, self.wanted, self.budget = recipe.epochs, recipe.epochs, budget
        self.optimizer, self.bar, self.steps_per_epoch = optimizer, bar, steps_per_epoch
        self.started = time.perf_counter()

    def fit_to_budget(self, history):
        if self.budget is None or history.epochs >= self.epochs:
            return
        left = self.budget - (time.perf_counter() - self.started)
        fitting = history.epochs + max(int(left // max(history.seconds)), 0)
        if fitting < self.epochs:
            # squeeze the schedule too, so that the learning rate still ends low
            self.epochs = fitting
            self.optimizer.reschedule(fitting * self.steps_per_epoch)
            self.bar.total = fitting * self.steps_per_epoch
            print(f"time budget {self.budget:.0f} s: training stops after {fitting} "
                  f"epoch(s) instead of {self.wanted}")


def _record(history, bar, train_loss, val_loss, val_acc, seconds):
    history.train_loss.append(float(train_loss))
    history.val_loss.append(float(val_loss))
    history.val_acc.append(float(val_acc))
    history.seconds.append(seconds)
    bar.set_postfix(loss=f"{train_loss:.4f}", test_acc=f"{val_acc:.4f}")


def train_model(model, recipe, train_epoch, evaluate, train_data, test_data, *,
                time_budget=None, live_plot=True, progress=True):
    """Train ``model`` with ``recipe`` by calling YOUR ``train_epoch`` and ``evaluate``.

    Per epoch: ``train_epoch(model, train_data, optimizer, loss_fn)`` (mean training
    loss), then ``evaluate(model, test_data)`` ((mean loss, accuracy)); a progress bar
    counts batches and, in Jupyter, the learning curves are redrawn. ``time_budget``
    (seconds, default ``recipe.time_budget``) is checked after each epoch: epochs that
    no longer fit are dropped and the schedule is shortened to match. Returns the
    ``source_lib.training.loops.History``, also after a stop (KeyboardInterrupt) at any time.
    """
    previous_threads = torch.get_num_threads()
    set_num_threads(recipe.threads)
    if recipe.channels_last:
        model.to(memory_format=torch.channels_last)
    optimizer = recipe.make_optimizer(model, len(train_data))
    loss_fn, history, curves = recipe.loss_fn(), History(), _LiveCurves(live_plot)
    bar = tqdm(total=recipe.epochs * len(train_data), unit="batch", disable=not progress,
               desc=f"training {type(model).__name__}")
    plan = _Plan(recipe, recipe.time_budget if time_budget is None else time_budget,
                 optimizer, bar, len(train_data))
    try:
        while history.epochs < plan.epochs:
            started = time.perf_counter()
            train_loss = train_epoch(model, _CountedBatches(train_data, bar), optimizer, loss_fn)
            val_loss, val_acc = evaluate(model, test_data)
            _record(history, bar, train_loss, val_loss, val_acc, time.perf_counter() - started)
            curves.update(history)
            plan.fit_to_budget(history)
    except KeyboardInterrupt:
        history.interrupted = True
        print(f"Training interrupted after {history.epochs} complete epoch(s): returning the "
              "history so far (the model keeps its current weights).")
    finally:
        bar.close()
        torch.set_num_threads(previous_threads)
    return history
