"""Trusted-side helpers of the train_epoch/evaluate checks: the student's function runs on
the probe in the worker (gradeworker.tools.training_loops); the reference and the wrong
versions run here on an identical probe. Loaded with ``load_reference(__file__,
"probe_runs")``."""

import numpy as np
import torch

from grader.checking import fail, note
from grader.errors import ForbiddenOperation, StudentCodeError
from gradeworker.tools.training_loops import LOSSES, make_optimizer, probe_setup, state_of


INPUT_SHAPE = [4, 1, 28, 28]
# Other inputs a model may have been written for: its layers can be counted all the same.
OTHER_INPUT_SHAPES = ([4, 28 * 28], [4, 28, 28])


def summary(student, class_name, input_shape=INPUT_SHAPE):
    """module_summary of the student's class on a batch of 4 images (1, 28, 28)."""
    try:
        return student.tool("module_summary", class_name, list(input_shape), timeout=30)
    except StudentCodeError as error:
        raise StudentCodeError(class_name, error.exc_type, error.message) from None


def layers_summary(student, class_name):
    """``summary`` for judging the layers a model holds: when its forward pass fails on a
    batch of images (the output test charges that), on the first other input it accepts,
    with a note; the first error when it accepts none."""
    try:
        return summary(student, class_name)
    except StudentCodeError as error:
        for shape in OTHER_INPUT_SHAPES:
            try:
                report = summary(student, class_name, shape)
            except StudentCodeError:
                continue
            note(f"{class_name}'s layers were counted on an input of shape {tuple(shape)}: "
                 f"its forward pass failed on images of shape {tuple(INPUT_SHAPE)} (the "
                 "test of its scores charges that).")
            return report
        raise error


HELPER_USED = ("{name} must run the loop over batches itself: it calls {used}, a course "
               "helper that already runs a whole epoch.")


def _renamed(name, tool, **options):
    """The student's ``name`` run through a tool, with its faults named after ``name``."""
    def run(student):
        try:
            return student.tool(tool, **options)
        except StudentCodeError as error:
            raise StudentCodeError(name, error.exc_type, error.message) from None
        except ForbiddenOperation as error:
            fail(HELPER_USED.format(name=f"`{name}`", used=", ".join(error.operations)))
    return run


def student_train(student, **options):
    return _renamed("train_epoch", "train_epoch_run", **options)(student)


def student_evaluate(student, **options):
    return _renamed("evaluate", "evaluate_run", **options)(student)


def trusted_train(train_epoch, seed=0, n_samples=37, batch_size=8, epochs=1, lr=0.05,
                  loss="cross_entropy", start_mode="eval"):
    """What ``train_epoch_run`` reports, for a trusted ``train_epoch``; None if it fails."""
    torch.set_num_threads(1)
    model, loader = probe_setup(seed, n_samples, batch_size)
    model.train(start_mode == "train")
    optimizer = make_optimizer(model, lr)
    try:
        losses = [float(train_epoch(model, loader, optimizer, LOSSES[loss]()))
                  for _ in range(epochs)]
    except (ValueError, RuntimeError, ZeroDivisionError):
        return None
    return {"losses": losses, "state": state_of(model)}


def trusted_evaluate(evaluate, seed=0, n_samples=37, batch_size=8, start_mode="train"):
    torch.set_num_threads(1)
    model, loader = probe_setup(seed, n_samples, batch_size)
    model.train(start_mode == "train")
    try:
        return [float(v) for v in evaluate(model, loader)]
    except (ValueError, RuntimeError, ZeroDivisionError):
        return None


def flat_weights(state):
    """One vector of every weight, in a fixed order (for close comparisons). Batch-norm
    statistics are left out: an extra forward pass (say, for a training accuracy) moves
    them without making the loop wrong."""
    return np.concatenate([np.asarray(state[name], dtype=np.float64).ravel()
                           for name in sorted(state)
                           if "running_" not in name and "num_batches" not in name])
