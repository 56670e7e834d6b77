"""The graded reference model of 08, ``transfer.pt``, built on demand instead of committed.

Nothing pretrained is committed, so the reference's fine-tuned model is trained where it is
needed (the sample submissions of the test suite and of ``python -m grader demo``) exactly
as the solution notebook's section 4 trains it: the course backbone (pretrained on task A by
``source_lib.pretrain``, about 2 minutes on 2 cores, cached), a new 5-class head, then
``budget.graded_steps`` steps of fine-tuning on ``budget.graded_per_class`` labels per
class of task B, with the reference's ``freeze``, ``replace_head`` and ``param_groups``.
About 10 more seconds; ``grader.authoring.built_checkpoints`` caches the file.

``benchmarks/bench_transfer.py`` runs the same functions for its table and graded runs.
"""

import copy
import hashlib
from pathlib import Path

import torch

from grader.checking import load_reference
from source_lib import checkpoint
from source_lib.checkpoint import load_checkpoint, save_checkpoint
from source_lib.pretrain import (
    cache_folder,
    course_backbone,
    pretrain_recipe,
    source_data,
)
from source_lib.transfer import budgets, tasks, training
from source_lib.transfer import model as transfer_model
from source_lib.transfer.budgets import FULL
from source_lib.transfer.model import TransferNet, trainable_after
from source_lib.transfer.tasks import few_labels, target_task
from source_lib.transfer.training import evaluate, fit

HERE = Path(__file__).resolve().parent
FILES = ("transfer.pt",)
SEED = 0
# float16 halves the file; kept only when the reloaded model scores the same (to 0.001)
HALF_TOLERANCE = 0.001


def fine_tune(ref, pretrained, budget, x, y, steps, seed, frozen=0, batch_size=None):
    """The notebook's fine-tune: a copy of ``pretrained`` with a new head, the first
    ``frozen`` stages frozen, the backbone at ``budget.lr_backbone`` and the head at
    ``budget.lr_head``."""
    torch.manual_seed(seed)     # the new head's initial weights
    model = ref.replace_head(copy.deepcopy(pretrained), 5)
    ref.freeze(model, trainable=trainable_after(frozen))
    fit(model, ref.param_groups(model, budget.lr_backbone, budget.lr_head), x, y,
        steps=steps, batch_size=batch_size or budget.batch_size, seed=seed)
    return model


def labelled_pool(budget):
    """The labelled target images the notebook draws from (all 25,000 in full mode)."""
    x, y = target_task("train")
    if budget.pool_per_class >= 5000:
        return x, y
    return few_labels(x, y, budget.pool_per_class, seed=99)


def graded_model(ref, pretrained, budget, pool, seed=SEED):
    """The notebook's graded model: fine-tuned on ``graded_per_class`` labels per class."""
    x, y = few_labels(*pool, budget.graded_per_class, seed=seed)
    return fine_tune(ref, pretrained, budget, x, y, budget.graded_steps, seed)


def graded_test_set():
    """The grader's test set (all 5,000 target test images) as float32 in [0, 1]."""
    return target_task("test")


def save_graded(model, path, budget, accuracy=None):
    """Save ``model`` at ``path`` with float16 weights when the reloaded model scores the
    same on the grader's test set, else float32; returns (kind, reloaded accuracy)."""
    test = graded_test_set()
    accuracy = evaluate(model, *test) if accuracy is None else accuracy
    meta = {"labels_per_class": budget.graded_per_class, "steps": budget.graded_steps}
    save_checkpoint(copy.deepcopy(model).half(), path, **meta)
    reloaded = TransferNet()
    load_checkpoint(reloaded, path)
    kind, saved_accuracy = "float16", evaluate(reloaded, *test)
    if abs(saved_accuracy - accuracy) > HALF_TOLERANCE:
        kind, saved_accuracy = "float32", accuracy
    save_checkpoint(copy.deepcopy(model).half() if kind == "float16" else model, path,
                    test_accuracy=round(saved_accuracy, 4), **meta)
    return kind, saved_accuracy


def cache_key():
    """A digest of what decides the file: the code below and beside it (the reference
    solutions, the training, the tasks, the budgets, the checkpoint format), the
    pretrained backbone's own cache key and torch's version."""
    digest = hashlib.sha256(torch.__version__.encode())
    for module_file in (__file__, HERE / "reference.py", training.__file__, tasks.__file__,
                        budgets.__file__, transfer_model.__file__, checkpoint.__file__):
        digest.update(Path(module_file).read_bytes())
    recipe = pretrain_recipe(quick=False)
    digest.update(cache_folder(recipe, source_data(recipe)).name.encode())
    key = digest.hexdigest()
    return key[:16]


def build(folder):
    """Train the reference model (pretraining the backbone first if it is not cached) and
    write ``folder/transfer.pt``; returns a line saying what was built."""
    ref = load_reference(HERE / "test_freeze.py")
    pretrained, info = course_backbone(quick=False)
    model = graded_model(ref, pretrained, FULL, labelled_pool(FULL))
    kind, accuracy = save_graded(model, Path(folder) / FILES[0], FULL)
    return (f"transfer.pt: the reference fine-tuned on {FULL.graded_per_class} labels per "
            f"class, target test accuracy {accuracy:.4f} ({kind} weights; backbone "
            f"{info['accuracy']:.4f} on the source task)")
