"""Wrong versions of train_epoch and evaluate (trusted side) and the messages naming them.

Each is run on the same probe as the student's function (gradeworker.tools.training_loops):
when the student's result matches one of these and not the reference, the message names
the mistake.
"""

import torch
from torch.nn import functional as F


def _batch_losses(model, loader, optimizer, loss_fn, zero_grad=True, step=True):
    """Run one epoch the standard way (or with zero_grad/step left out): the batch losses
    and sizes."""
    model.train()
    losses, sizes = [], []
    for x, y in loader:
        if zero_grad:
            optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if step:
            optimizer.step()
        losses.append(loss.item())
        sizes.append(len(y))
    return losses, sizes


def train_mean_of_batch_means(model, loader, optimizer, loss_fn):
    losses, _ = _batch_losses(model, loader, optimizer, loss_fn)
    return sum(losses) / len(losses)


def train_sum_of_batch_means(model, loader, optimizer, loss_fn):
    losses, _ = _batch_losses(model, loader, optimizer, loss_fn)
    return sum(losses)


def train_last_batch_loss(model, loader, optimizer, loss_fn):
    losses, _ = _batch_losses(model, loader, optimizer, loss_fn)
    return losses[-1]


def train_batch_means_over_samples(model, loader, optimizer, loss_fn):
    losses, sizes = _batch_losses(model, loader, optimizer, loss_fn)
    return sum(losses) / sum(sizes)


def train_over_full_batches(model, loader, optimizer, loss_fn):
    losses, sizes = _batch_losses(model, loader, optimizer, loss_fn)
    return sum(l * n for l, n in zip(losses, sizes)) / (len(sizes) * max(sizes))


def train_without_zero_grad(model, loader, optimizer, loss_fn):
    losses, sizes = _batch_losses(model, loader, optimizer, loss_fn, zero_grad=False)
    return sum(l * n for l, n in zip(losses, sizes)) / sum(sizes)


def train_without_step(model, loader, optimizer, loss_fn):
    losses, sizes = _batch_losses(model, loader, optimizer, loss_fn, step=False)
    return sum(l * n for l, n in zip(losses, sizes)) / sum(sizes)


def _eval_batches(model, loader):
    model.eval()
    rows = []
    with torch.no_grad():
        for x, y in loader:
            logits = model(x)
            rows.append((F.cross_entropy(logits, y).item(),
                         (logits.argmax(dim=1) == y).float().mean().item(), len(y)))
    return rows


def _weighted(values, sizes):
    return sum(v * n for v, n in zip(values, sizes)) / sum(sizes)


def evaluate_mean_of_batch_means(model, loader):
    rows = _eval_batches(model, loader)
    losses, accuracies, _ = zip(*rows)
    return sum(losses) / len(rows), sum(accuracies) / len(rows)


def evaluate_loss_of_batch_means(model, loader):
    """Accuracy right, loss averaged per batch."""
    rows = _eval_batches(model, loader)
    losses, accuracies, sizes = zip(*rows)
    return sum(losses) / len(rows), _weighted(accuracies, sizes)


def evaluate_accuracy_of_batch_means(model, loader):
    """Loss right, accuracy averaged per batch."""
    rows = _eval_batches(model, loader)
    losses, accuracies, sizes = zip(*rows)
    return _weighted(losses, sizes), sum(accuracies) / len(rows)


def evaluate_accuracy_in_percent(model, loader):
    rows = _eval_batches(model, loader)
    losses, accuracies, sizes = zip(*rows)
    return _weighted(losses, sizes), 100 * _weighted(accuracies, sizes)


def evaluate_swapped(model, loader):
    rows = _eval_batches(model, loader)
    losses, accuracies, sizes = zip(*rows)
    return _weighted(accuracies, sizes), _weighted(losses, sizes)


def evaluate_summed_loss(model, loader):
    rows = _eval_batches(model, loader)
    losses, accuracies, sizes = zip(*rows)
    return sum(l * n for l, n in zip(losses, sizes)), _weighted(accuracies, sizes)


WEIGHTED_BY_BATCH = ("weight each batch's mean loss by its batch size (the last batch is "
                     "smaller): sum loss.item() * len(y) and divide by the number of samples")
TRAIN_LOSS_MISTAKES = [
    (train_mean_of_batch_means, "the mean of the batch losses is not the mean over samples: "
                                + WEIGHTED_BY_BATCH),
    (train_sum_of_batch_means, "you returned the sum of the batch losses, not their mean: "
                               + WEIGHTED_BY_BATCH),
    (train_last_batch_loss, "you returned the last batch's loss, not the epoch's mean loss"),
    (train_batch_means_over_samples, "each batch loss is already a mean: "
                                     + WEIGHTED_BY_BATCH),
    (train_over_full_batches, "you divided by (number of batches x batch size), but the "
                              "last batch is smaller: divide by the number of samples seen"),
]
TRAIN_UPDATE_MISTAKES = [
    (train_without_zero_grad, "the gradients add up from batch to batch: call "
                              "optimizer.zero_grad() before each backward pass"),
    (train_without_step, "the weights never change: call optimizer.step() after "
                         "loss.backward()"),
]
EVALUATE_MISTAKES = [
    (evaluate_mean_of_batch_means, "loss and accuracy are means over batches, not over "
                                   "samples: weight each batch by its size (the last batch is "
                                   "smaller)"),
    (evaluate_loss_of_batch_means, "the loss is a mean over batches, not over samples: weight "
                                   "each batch's loss by its size"),
    (evaluate_accuracy_of_batch_means, "the accuracy is a mean over batches, not over samples: "
                                       "count correct predictions and divide by the number of "
                                       "samples"),
    (evaluate_accuracy_in_percent, "the accuracy must be a fraction in [0, 1], not a "
                                   "percentage"),
    (evaluate_summed_loss, "the loss is summed over the samples, not averaged"),
    (evaluate_swapped, "return (loss, accuracy) in this order"),
]
