"""Short training runs for notebook 08's experiments (no transfer logic: that is yours).

    losses = fit(model, param_groups(model, 1e-3, 1e-2), x, y, steps=200, batch_size=64, seed=0)
    accuracy = evaluate(model, x_test, y_test)
    probe = fit_linear_probe(train_features, train_labels)     # nn.Linear on cached features
    accuracy = evaluate(probe, test_features, test_labels)

Every run is deterministic given its seed (on the CPU).
"""

import torch
import torch.nn.functional as F
from torch import nn

from source_lib.training.loops import accuracy_of
from source_lib.training.recipes import TensorBatches, scheduled_lr

__all__ = ["evaluate", "fit", "fit_linear_probe"]


def _optimizer(optimizer_or_param_groups, lr, momentum, weight_decay):
    """The given optimizer, or SGD (Nesterov momentum) over parameter groups (dicts with
    their own "lr") or plain parameters (then ``lr`` is needed)."""
    if isinstance(optimizer_or_param_groups, torch.optim.Optimizer):
        return optimizer_or_param_groups
    groups = list(optimizer_or_param_groups)
    if not groups:
        raise ValueError("nothing to train: the parameter list is empty")
    if not isinstance(groups[0], dict) and lr is None:
        raise ValueError("plain parameters need a learning rate: fit(..., lr=0.01)")
    options = {"lr": lr} if lr is not None else {}
    return torch.optim.SGD(groups, momentum=momentum, nesterov=momentum > 0,
                           weight_decay=weight_decay, **options)


def fit(model, optimizer_or_param_groups, x, y, steps, batch_size=64, seed=0, *, lr=None,
        momentum=0.9, weight_decay=5e-4, label_smoothing=0.0, warmup=0.1):
    """Train ``model`` in train mode for ``steps`` updates on ``(x (N, ...), y (N,) int64)``
    with cross-entropy, in shuffled batches of ``batch_size`` (seeded by ``seed``).

    ``optimizer_or_param_groups``: a torch optimizer, a list of parameter groups (dicts
    with "params" and "lr", e.g. from ``param_groups``) or of parameters (give ``lr``).
    Every group's learning rate follows one cycle (linear warm-up over the first ``warmup``
    fraction of the steps, then linear decay to 0), keeping the ratios between groups.
    Returns the training loss of every step (list of floats).
    """
    torch.manual_seed(int(seed))
    optimizer = _optimizer(optimizer_or_param_groups, lr, momentum, weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: scheduled_lr(step, int(steps), 1.0, warmup=warmup))
    batches = TensorBatches(x, y, min(int(batch_size), len(x)), shuffle=True, seed=seed)
    model.train()
    losses = []
    while len(losses) < int(steps):
        for xb, yb in batches:
            loss = F.cross_entropy(model(xb), yb, label_smoothing=label_smoothing)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            if len(losses) == int(steps):
                break
    return losses


def evaluate(model, x, y):
    """Accuracy (float in [0, 1]) of ``model`` on ``(x, y)``: eval mode, no gradients, in
    batches; the model's mode is restored afterwards."""
    return accuracy_of(model, x, y)


def fit_linear_probe(features, labels, num_classes=None, weight_decay=1e-2, steps=100, seed=0):
    """An ``nn.Linear(D, num_classes)`` trained on fixed ``features`` (N, D) to predict
    ``labels`` (N,): multinomial logistic regression with an L2 penalty ``weight_decay``,
    full batch, L-BFGS (a second or two for 25,000 x 256). Features are standardised
    while fitting and the scaling is folded into the returned layer, which takes raw
    features. Deterministic (zero start; ``seed`` seeds torch for symmetry with ``fit``)."""
    torch.manual_seed(int(seed))
    features, labels = features.detach().float(), labels.detach().long()
    num_classes = int(num_classes or int(labels.max()) + 1)
    mean, scale = features.mean(dim=0), features.std(dim=0).clamp_min(1e-6)
    standard = (features - mean) / scale
    weight = torch.zeros(num_classes, features.shape[1], requires_grad=True)
    bias = torch.zeros(num_classes, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=int(steps),
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(standard @ weight.T + bias, labels)
        loss = loss + 0.5 * weight_decay * weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    probe = nn.Linear(features.shape[1], num_classes)
    with torch.no_grad():      # W (x - m) / s + b = (W / s) x + (b - (W / s) m)
        probe.weight.copy_(weight / scale)
        probe.bias.copy_(bias - probe.weight @ mean)
    return probe
