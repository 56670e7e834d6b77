"""Pretrain the course's backbone (notebook 08, reused by 09) on the source task.

    python -m source_lib.pretrain            # full recipe: ~2 minutes on 2 CPU cores
    python -m source_lib.pretrain --quick    # a few seconds (also under COURSE_QUICK=1)
    python -m source_lib.pretrain --status   # is it cached? where?
    python -m source_lib.pretrain --force    # train again even if cached

Trains ``TransferNet(num_classes=5, width=32)`` (a half-width ResNet-18) on the 25,000
CIFAR-10 training images of ``SOURCE_CLASSES`` and reports its accuracy on their 5,000 test
images. The result is cached under ``COURSE_CACHE_DIR/pretrained/<key>/`` (``backbone.pt``,
a course checkpoint, and ``meta.json``: accuracy, epochs, seconds, date), where the key is a
digest of the recipe, the training data, the code that defines the model and the recipe,
and the torch version: change any of them and the backbone is trained again. After every
epoch the whole training state (model, optimizer, schedule position, random generators) is
saved atomically, so a killed run continues where it stopped.

From Python (the notebooks)::

    from source_lib.pretrain import course_backbone
    model, info = course_backbone()     # cached weights, or trains them first
"""

import argparse
import ast
import datetime
import hashlib
import inspect
import json
import os
import sys
import textwrap
import time
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
from tqdm.auto import tqdm

from source_lib import architectures, config
from source_lib.cache_lock import one_at_a_time
from source_lib.checkpoint import load_checkpoint, save_atomically, save_checkpoint
from source_lib.reproducibility import set_num_threads
from source_lib.training import recipes
from source_lib.training.cifar import mixed_subset
from source_lib.training.loops import accuracy_of
from source_lib.transfer import model as transfer_model
from source_lib.transfer.model import TransferNet
from source_lib.transfer.tasks import SOURCE_CLASSES, source_task

__all__ = [
    "QUICK_RECIPE",
    "RECIPE",
    "BackboneNotPretrained",
    "PretrainRecipe",
    "cache_folder",
    "course_backbone",
    "pretrain",
    "pretrain_recipe",
    "source_data",
]


class BackboneNotPretrained(FileNotFoundError):
    """The course backbone is not in the cache (and training it was not allowed)."""


@dataclass(frozen=True)
class PretrainRecipe(recipes.Recipe):
    """A :class:`~source_lib.training.recipes.Recipe` plus the network's ``width``, mixup
    (``mixup`` = alpha of the Beta(alpha, alpha) mixing weight; 0 = off), the number of test
    images (``test_samples``, None = all) and the seed of weights, batches and mixup."""

    width: int = 32
    mixup: float = 0.0
    test_samples: int = None
    seed: int = 0


# No random crops or flips here (they are notebook 07's exercise): weight decay, label
# smoothing, mixup and a one-cycle schedule regularise instead. Measured on 2 cores: 12
# epochs, ~100 s, source test accuracy 0.82; 24 epochs gave 0.83 (and no better features
# for the target classes); peak lr 0.1 beat 0.2 and 0.4, mixup alpha 1.0 and weight decay
# 2e-3 changed nothing beyond noise.
RECIPE = PretrainRecipe(epochs=12, batch_size=256, lr=0.1, weight_decay=5e-4, warmup=0.2,
                        label_smoothing=0.1, mixup=0.2)
QUICK_RECIPE = replace(RECIPE, epochs=3, train_samples=4096, test_samples=1000)


def pretrain_recipe(quick=None):
    """RECIPE, or QUICK_RECIPE when ``quick`` (None: follow COURSE_QUICK)."""
    return QUICK_RECIPE if (config.quick_mode() if quick is None else quick) else RECIPE


def source_data(recipe):
    """(x_train, y_train, x_test, y_test) of the source task, cut to the recipe's sizes."""
    x_train, y_train = mixed_subset(*source_task("train"), recipe.train_samples, seed=0)
    x_test, y_test = mixed_subset(*source_task("test"), recipe.test_samples, seed=1)
    return x_train, y_train, x_test, y_test


def _code_text(piece):
    """The code of a class, function or module without its docstrings and comments (an
    edited explanation must not cost a retraining)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(piece)))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def _code_digest():
    # everything that decides what the training computes; a change means a new backbone
    pieces = [architectures.BasicBlock, architectures.ResNet18, transfer_model.Backbone,
              transfer_model.TransferNet, PretrainRecipe, source_data, _Mixup, _Run,
              recipes.Recipe, recipes.ScheduledOptimizer, recipes.scheduled_lr,
              recipes.TensorBatches, mixed_subset]
    return hashlib.sha256("".join(map(_code_text, pieces)).encode()).hexdigest()


def cache_key(recipe, data):
    """Hex digest of the recipe, the data (all four tensors), the code and torch's version."""
    digest = hashlib.sha256(json.dumps(asdict(recipe), sort_keys=True).encode())
    for tensor in data:
        digest.update(tensor.contiguous().numpy().data)
    digest.update(_code_digest().encode() + torch.__version__.encode())
    return digest.hexdigest()[:16]


def cache_folder(recipe, data):
    """``COURSE_CACHE_DIR/pretrained/<key>/`` of this recipe and data (may not exist)."""
    return config.cache_dir() / "pretrained" / cache_key(recipe, data)


def _read_meta(folder):
    try:
        return json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None


def _write_meta(folder, meta):
    tmp = folder / ".meta.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2))
    os.replace(tmp, folder / "meta.json")    # meta.json last: its presence means "done"


class _Mixup:
    """Mixup with its own seeded generator (its state is saved with the training state)."""

    def __init__(self, alpha, seed):
        self.alpha, self.rng = float(alpha), np.random.default_rng(seed)

    def __call__(self, x, y):
        """(mixed x, y, y of the partners, weight of y) for one batch."""
        if self.alpha <= 0:
            return x, y, y, 1.0
        lam = float(self.rng.beta(self.alpha, self.alpha))
        lam = max(lam, 1.0 - lam)          # the first image dominates: its label is "y"
        partner = torch.from_numpy(self.rng.permutation(len(x)))
        return lam * x + (1.0 - lam) * x[partner], y, y[partner], lam


class _Run:
    """One training run: model, optimizer, batches and mixup, saved and restored as a whole."""

    def __init__(self, recipe, x_train, y_train):
        torch.manual_seed(recipe.seed)
        self.recipe = recipe
        self.model = TransferNet(num_classes=len(SOURCE_CLASSES), width=recipe.width)
        if recipe.channels_last:
            self.model.to(memory_format=torch.channels_last)
        drop_last = len(x_train) > recipe.batch_size   # no tiny last batch for batch norm
        self.batches = recipes.TensorBatches(x_train, y_train, recipe.batch_size, shuffle=True,
                                             seed=recipe.seed, drop_last=drop_last)
        self.optimizer = recipe.make_optimizer(self.model, len(self.batches))
        self.mixup, self.loss_fn = _Mixup(recipe.mixup, recipe.seed), recipe.loss_fn()
        self.epoch, self.seconds = 0, 0.0

    def state(self):
        return {"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                "steps_taken": self.optimizer.steps_taken, "epoch": self.epoch,
                "seconds": self.seconds, "batches_rng": self.batches.generator.get_state(),
                "mixup_rng": self.mixup.rng.bit_generator.state,
                "torch_rng": torch.get_rng_state()}

    def restore(self, state):
        self.model.load_state_dict(state["model"])
        self.optimizer.optimizer.load_state_dict(state["optimizer"])
        self.optimizer.steps_taken = state["steps_taken"]
        self.optimizer.reschedule(self.optimizer.total_steps)   # the lr of that position
        self.epoch, self.seconds = state["epoch"], state["seconds"]
        self.batches.generator.set_state(state["batches_rng"])
        self.mixup.rng.bit_generator.state = state["mixup_rng"]
        torch.set_rng_state(state["torch_rng"])

    def train_epoch(self, bar):
        started = time.perf_counter()
        self.model.train()
        for x, y in self.batches:
            x, y, partner_y, lam = self.mixup(x, y)
            if self.recipe.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            scores = self.model(x)
            loss = lam * self.loss_fn(scores, y) + (1.0 - lam) * self.loss_fn(scores, partner_y)
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
        self.epoch += 1
        self.seconds += time.perf_counter() - started


def _train(recipe, data, folder, progress, on_epoch):
    """Train (or continue training) in ``folder``; returns (model, meta)."""
    x_train, y_train, x_test, y_test = tuple(data)
    run, progress_file = _Run(recipe, x_train, y_train), folder / "progress.pt"
    if progress_file.is_file():
        run.restore(torch.load(progress_file, weights_only=True))
        print(f"Resuming the pretraining after epoch {run.epoch} of {recipe.epochs}.")
    bar = tqdm(total=recipe.epochs * len(run.batches), initial=run.epoch * len(run.batches),
               unit="batch", desc="pretraining the course backbone", disable=not progress)
    try:
        while run.epoch < recipe.epochs:
            run.train_epoch(bar)
            save_atomically(run.state(), progress_file)
            if on_epoch is not None:
                on_epoch(run.epoch)
    finally:
        bar.close()
    model = run.model.to(memory_format=torch.contiguous_format)
    accuracy = accuracy_of(model, x_test, y_test)
    meta = {"accuracy": accuracy, "epochs": run.epoch, "seconds": round(run.seconds, 1),
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "train_images": len(x_train), "test_images": len(x_test),
            "classes": list(SOURCE_CLASSES), "recipe": asdict(recipe),
            "torch": torch.__version__}
    save_checkpoint(model, folder / "backbone.pt", **meta)
    _write_meta(folder, meta)
    progress_file.unlink(missing_ok=True)
    return model, meta


def pretrain(recipe=None, data=None, *, progress=True, force=False, train=True, on_epoch=None):
    """The pretrained ``TransferNet`` and its meta dict (accuracy, epochs, seconds, date, ...,
    plus ``path`` (the cache folder) and ``trained_now``), from the cache when there.

    ``recipe``: a :class:`PretrainRecipe` (default: :func:`pretrain_recipe`); ``data``:
    ``(x_train, y_train, x_test, y_test)`` (default: the source task, see
    :func:`source_data`). ``force`` trains again; ``train=False`` raises
    :class:`BackboneNotPretrained` instead of training. ``on_epoch(epoch)`` is called after
    each epoch's state is saved (an exception there stops the run, which can be resumed).
    """
    recipe = recipe or pretrain_recipe()
    data = data if data is not None else source_data(recipe)
    folder = cache_folder(recipe, data)
    cached = None if force else _cached(folder)
    if cached is not None:
        return cached
    if not train:
        raise BackboneNotPretrained(
            f"the course backbone is not pretrained yet (looked in {folder}); run "
            "`python -m source_lib.pretrain` (about 2 minutes on 2 cores).")
    folder.mkdir(parents=True, exist_ok=True)
    with one_at_a_time(folder, "pretraining this backbone"):
        cached = None if force else _cached(folder)   # another process may have trained it
        if cached is not None:
            return cached
        for name in ("meta.json", "backbone.pt", "progress.pt") if force else ():
            (folder / name).unlink(missing_ok=True)
        previous_threads = torch.get_num_threads()
        set_num_threads(recipe.threads)
        try:
            model, meta = _train(recipe, data, folder, progress, on_epoch)
        finally:
            torch.set_num_threads(previous_threads)
    return model.eval(), {**meta, "path": str(folder), "trained_now": True}


def _cached(folder):
    """(model, meta) from a finished cache folder, else None."""
    meta = _read_meta(folder)
    if meta is None or not (folder / "backbone.pt").is_file():
        return None
    model = TransferNet()
    load_checkpoint(model, folder / "backbone.pt")
    return model.eval(), {**meta, "path": str(folder), "trained_now": False}


def course_backbone(quick=None, train=True, progress=True):
    """``(TransferNet with the course's pretrained weights (eval mode), info dict)``; trains
    it first (saying so) when it is not cached and ``train``. ``quick`` (None: follow
    COURSE_QUICK) picks the quick recipe, a weak backbone for tests and CI only."""
    recipe = pretrain_recipe(quick)
    data = source_data(recipe)
    folder = cache_folder(recipe, data)
    if train and _read_meta(folder) is None:
        minutes = "a few seconds" if recipe is QUICK_RECIPE else "about 2 minutes on 2 cores"
        print(f"The course backbone is not pretrained yet: training it now ({minutes}; "
              f"cached in {folder}).")
    return pretrain(recipe, data, progress=progress, train=train)


def _describe(meta):
    return (f"source test accuracy {meta['accuracy']:.4f} after {meta['epochs']} epochs, "
            f"{meta['seconds']:.0f} s, {meta['date']}")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m source_lib.pretrain",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the quick recipe (seconds)")
    parser.add_argument("--status", action="store_true", help="say whether it is cached")
    parser.add_argument("--force", action="store_true", help="train again even if cached")
    args = parser.parse_args(argv)
    recipe = pretrain_recipe(True if args.quick else None)
    data = source_data(recipe)
    folder = cache_folder(recipe, data)
    if args.status:
        meta = _read_meta(folder)
        print(f"pretrained: {_describe(meta)}" if meta else "not pretrained yet")
        print(f"cache folder: {folder}")
        return 0 if meta else 1
    _, meta = pretrain(recipe, data, force=args.force)
    print(("trained: " if meta["trained_now"] else "already cached: ") + _describe(meta))
    print(f"weights: {folder / 'backbone.pt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
