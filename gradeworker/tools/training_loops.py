"""06: the student's ``train_epoch`` and ``evaluate`` run on a probe network and tiny
synthetic images, inside the worker.

``probe_setup`` builds the same seeded model and loader on both sides: the trusted process
runs the reference on it and compares. The probe records, for every forward pass, whether
the model was in train mode, whether gradients were being recorded, and the batch size, so
a check can say "evaluate left the model in train mode" in words.
"""

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from gradeworker import tripwires
from gradeworker.tools.common import student_function

# Armed around the student's functions: the worker reports a use as a forbidden operation.
NO_EPOCH_HELPERS = ("course.epoch_loops",)
IMAGE_SHAPE = (1, 28, 28)
N_CLASSES = 10
LOSSES = {
    "cross_entropy": lambda: nn.CrossEntropyLoss(),
    # not the default: a train_epoch that builds its own loss instead of using loss_fn shows
    "smoothed": lambda: nn.CrossEntropyLoss(label_smoothing=0.3),
}


class ProbeNet(nn.Module):
    """Flatten -> Linear(784, 16) -> BatchNorm1d -> ReLU -> Linear(16, 10), recording
    (training, grad_enabled, batch size) for every forward pass in ``self.records``."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(int(np.prod(IMAGE_SHAPE)), 16)
        self.norm = nn.BatchNorm1d(16)
        self.out = nn.Linear(16, N_CLASSES)
        self.records = []

    def forward(self, x):
        self.records.append([bool(self.training), bool(torch.is_grad_enabled()), int(len(x))])
        return self.out(torch.relu(self.norm(self.hidden(x.flatten(1)))))


def probe_setup(seed, n_samples, batch_size):
    """(model, loader): seeded weights and non-default batch-norm statistics (so train and
    eval mode give different outputs); images in [0, 1] whose labels a linear teacher gives
    (learnable); an unshuffled DataLoader, so both sides see the same batches."""
    generator = torch.Generator().manual_seed(int(seed))
    x = torch.rand(int(n_samples), *IMAGE_SHAPE, generator=generator)
    teacher = torch.randn(int(np.prod(IMAGE_SHAPE)), N_CLASSES, generator=generator)
    y = ((x.flatten(1) - 0.5) @ teacher).argmax(dim=1)
    torch.manual_seed(int(seed))
    model = ProbeNet()
    with torch.no_grad():
        model.norm.running_mean.uniform_(-0.5, 0.5, generator=generator)
        model.norm.running_var.uniform_(0.5, 2.0, generator=generator)
    loader = DataLoader(TensorDataset(x, y), batch_size=int(batch_size), shuffle=False)
    return model, loader


def make_optimizer(model, lr):
    return torch.optim.SGD(model.parameters(), lr=float(lr), momentum=0.9)


def state_of(model):
    return {name: tensor.detach().numpy().copy() for name, tensor in model.state_dict().items()}


def as_number(value, what):
    """A Python float from a number or a one-element tensor/array; TypeError otherwise."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        return float(value.detach().reshape(()))
    if isinstance(value, np.ndarray) and value.size == 1:
        return float(value.reshape(()))
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{what} is a {type(value).__name__}; expected a number")


def _number_or_none(value, what):
    """(float, None) for a number, (None, what it was, in words) for anything else: a wrong
    return value is charged by the test of that value, not by every test of the part."""
    try:
        return as_number(value, what), None
    except TypeError:
        kind = "None" if value is None else f"a {type(value).__name__}"
        return None, f"{what} is {kind}, not a number"


def train_epoch_run(namespace, seed=0, n_samples=37, batch_size=8, epochs=1, lr=0.05,
                    loss="cross_entropy", start_mode="eval"):
    """Call the student's ``train_epoch(model, loader, optimizer, loss_fn)`` ``epochs``
    times on the probe (put in ``start_mode`` first). Returns {"losses": [float, or None
    for a value that is not a number, per call], "returned": what a non-number was, in words
    (or None), "state": final state_dict as arrays, "records": forward records, "steps":
    optimizer steps taken}."""
    torch.set_num_threads(1)
    train_epoch = student_function(namespace, "train_epoch")
    model, loader = probe_setup(seed, n_samples, batch_size)
    model.train(start_mode == "train")
    optimizer = make_optimizer(model, lr)
    steps = []
    optimizer.register_step_post_hook(lambda *_: steps.append(1))
    tripwires.arm(NO_EPOCH_HELPERS)
    returned = [_number_or_none(train_epoch(model, loader, optimizer, LOSSES[loss]()),
                                "the value train_epoch returned") for _ in range(int(epochs))]
    problems = [problem for _, problem in returned if problem]
    return {"losses": [value for value, _ in returned], "returned": (problems or [None])[0],
            "state": state_of(model), "records": model.records, "steps": len(steps)}


def evaluate_run(namespace, seed=0, n_samples=37, batch_size=8, start_mode="train"):
    """Call the student's ``evaluate(model, loader)`` on the probe (put in ``start_mode``
    first). Returns {"value": [loss, accuracy] as floats (None when it returned something
    else: "returned" says what), "records": forward records, "state_changed": whether any
    weight or statistic changed, "has_grad": whether any parameter got a gradient}."""
    torch.set_num_threads(1)
    evaluate = student_function(namespace, "evaluate")
    model, loader = probe_setup(seed, n_samples, batch_size)
    model.train(start_mode == "train")
    before = state_of(model)
    tripwires.arm(NO_EPOCH_HELPERS)
    value = evaluate(model, loader)
    numbers, problem = None, None
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        problem = (f"evaluate returned a {type(value).__name__}"
                   f"{'' if not isinstance(value, (tuple, list)) else f' of {len(value)}'}"
                   ", not a pair (mean loss, accuracy)")
    else:
        pairs = [_number_or_none(v, f"the {what} evaluate returned")
                 for v, what in zip(value, ("loss", "accuracy"))]
        problem = next((p for _, p in pairs if p), None)
        numbers = None if problem else [v for v, _ in pairs]
    after = state_of(model)
    changed = any(not np.array_equal(before[name], after[name]) for name in before)
    return {"value": numbers, "returned": problem, "records": model.records,
            "state_changed": changed,
            "has_grad": any(p.grad is not None for p in model.parameters())}


TOOLS = {"train_epoch_run": train_epoch_run, "evaluate_run": evaluate_run}
