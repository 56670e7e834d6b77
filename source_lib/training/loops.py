"""A compact training loop for the notebooks that are *not* about writing one.

    history = fit(model, (x_train, y_train), (x_val, y_val), epochs=20, lr=1e-3)
    history.plot()
    print(f"validation accuracy {history.final_val_acc:.1%}")

Data are ``(x, y)`` pairs of NumPy arrays or tensors (``x`` becomes float32,
``y`` int64 class labels) or ready-made ``torch.utils.data.DataLoader`` objects.
Accuracies are fractions in [0, 1]. Press the stop button (KeyboardInterrupt)
at any time: training stops cleanly and the history so far is returned.
"""

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from source_lib.checkpoint import save_checkpoint
from source_lib.reproducibility import get_device, seed_everything


@dataclass
class History:
    """Per-epoch metrics of one :func:`fit` run (all lists have one entry per epoch)."""

    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    interrupted: bool = False

    @property
    def epochs(self):
        return len(self.train_loss)

    @property
    def final_val_acc(self):
        """Validation accuracy after the last epoch (None without validation data)."""
        return self.val_acc[-1] if self.val_acc else None

    @property
    def best_val_acc(self):
        """Best validation accuracy over all epochs (None without validation data)."""
        return max(self.val_acc) if self.val_acc else None

    def to_dict(self):
        """Plain dict of lists (JSON serialisable), e.g. for checkpoint metadata."""
        return asdict(self)

    def plot(self, metrics=("train_loss", "val_acc")):
        """Learning curves as a matplotlib Figure (see plotting.plot_learning_curves)."""
        from source_lib.plotting import plot_learning_curves  # matplotlib only when plotting
        return plot_learning_curves(self, metrics=metrics)


def _as_tensor(values, dtype):
    if isinstance(values, torch.Tensor):
        return values.detach().to(dtype)
    return torch.as_tensor(np.asarray(values), dtype=dtype)


class _Batches:
    """Mini-batches of (x float32 (B, ...), y int64 (B,)) on ``device``, reshuffled per epoch.

    Arrays are converted and moved once, then indexed per batch, which is much
    cheaper than a DataLoader over a TensorDataset.
    """

    def __init__(self, data, batch_size, device, shuffle, generator=None):
        self.device, self.shuffle, self.generator = device, shuffle, generator
        self.batch_size = int(batch_size)
        self.loader = None
        if isinstance(data, (tuple, list)) and len(data) == 2:
            self.x = _as_tensor(data[0], torch.float32).to(device)
            self.y = _as_tensor(data[1], torch.int64).to(device)
            if len(self.x) != len(self.y) or len(self.x) == 0:
                raise ValueError(f"x and y must have the same, non-zero length; got x "
                                 f"{tuple(self.x.shape)} and y {tuple(self.y.shape)}")
        elif hasattr(data, "__iter__"):
            self.loader = data
        else:
            raise TypeError("data must be an (x, y) pair of arrays/tensors or a DataLoader, "
                            f"got {type(data).__name__}")

    def __iter__(self):
        if self.loader is not None:
            for x, y in self.loader:
                yield x.to(self.device, torch.float32), y.to(self.device, torch.int64)
            return
        n = len(self.x)
        order = None
        if self.shuffle:
            order = torch.randperm(n, generator=self.generator).to(self.device)
        for start in range(0, n, self.batch_size):
            if order is None:
                yield self.x[start:start + self.batch_size], self.y[start:start + self.batch_size]
            else:
                index = order[start:start + self.batch_size]
                yield self.x[index], self.y[index]


def _count_correct(outputs, y):
    # Accuracy only makes sense for class scores (B, C) against labels (B,).
    if outputs.ndim == 2 and y.ndim == 1:
        return (outputs.argmax(dim=1) == y).sum()
    return outputs.new_tensor(float("nan"))


def _sweep(model, batches, loss_fn, optimizer=None):
    """One pass over ``batches``; updates weights only if ``optimizer`` is given.

    Returns (mean loss, accuracy) as floats. Sums stay on the device so that
    there is no host synchronisation per batch.
    """
    model.train(optimizer is not None)
    total_loss = total_correct = 0.0
    seen = 0
    with torch.set_grad_enabled(optimizer is not None):
        for x, y in batches:
            outputs = model(x)
            loss = loss_fn(outputs, y)
            if optimizer is not None:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
            total_loss = total_loss + loss.detach() * len(y)
            total_correct = total_correct + _count_correct(outputs.detach(), y)
            seen += len(y)
    if seen == 0:
        raise ValueError("the data produced no batches")
    return float(total_loss) / seen, float(total_correct) / seen


def _make_optimizer(model, optimizer, lr, momentum, weight_decay):
    if isinstance(optimizer, torch.optim.Optimizer):
        return optimizer
    name = str(optimizer).lower()
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    if name == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                               weight_decay=weight_decay)
    raise ValueError(f"optimizer must be 'adam' or 'sgd', got {optimizer!r}")


def _record_epoch(history, bar, train_metrics, val_metrics, seconds):
    history.train_loss.append(train_metrics[0])
    history.train_acc.append(train_metrics[1])
    postfix = {"loss": f"{train_metrics[0]:.4f}"}
    if val_metrics is not None:
        history.val_loss.append(val_metrics[0])
        history.val_acc.append(val_metrics[1])
        postfix["val_acc"] = f"{val_metrics[1]:.3f}"
    history.seconds.append(seconds)
    bar.set_postfix(postfix)


def _is_improvement(history, best):
    # With validation data "best" is the highest val accuracy, else the lowest train loss.
    score = history.val_acc[-1] if history.val_acc else -history.train_loss[-1]
    return (best is None or score > best), score


def fit(model, train, val=None, *, epochs, lr, batch_size=100, optimizer="adam", momentum=0.0,
        weight_decay=0.0, seed=0, progress=True, desc=None, checkpoint_path=None, device=None,
        loss_fn=None):
    """Train ``model`` for ``epochs`` epochs and return a :class:`History`.

    ``train``/``val``: (x, y) pairs (x (N, ...) float, y (N,) int class labels)
    or DataLoaders. ``optimizer``: "adam" or "sgd" (``momentum`` is used by
    SGD only). ``loss_fn`` defaults to cross-entropy on the model's logits
    (B, C). ``seed`` seeds all generators (shuffling, dropout), so the same
    seed and the same initial weights give identical results.
    ``checkpoint_path``: after each epoch that improves the validation
    accuracy (or, without ``val``, the training loss) the weights are saved
    there with save_checkpoint. The model is left on ``device`` and in the
    train/eval mode it had before.
    """
    seed_everything(seed)
    device = get_device(device)
    was_training = model.training
    model.to(device)
    loss_fn = nn.CrossEntropyLoss() if loss_fn is None else loss_fn
    opt = _make_optimizer(model, optimizer, lr, momentum, weight_decay)
    generator = torch.Generator().manual_seed(seed)
    train_batches = _Batches(train, batch_size, device, shuffle=True, generator=generator)
    val_batches = None if val is None else _Batches(val, max(batch_size, 1000), device, False)
    history, best = History(), None
    bar = tqdm(range(epochs), desc=desc or "training", unit="epoch", disable=not progress)
    try:
        for epoch in bar:
            start = time.perf_counter()
            train_metrics = _sweep(model, train_batches, loss_fn, opt)
            val_metrics = None if val_batches is None else _sweep(model, val_batches, loss_fn)
            _record_epoch(history, bar, train_metrics, val_metrics, time.perf_counter() - start)
            improved, score = _is_improvement(history, best)
            if checkpoint_path is not None and improved:
                best = score
                save_checkpoint(model, checkpoint_path, epoch=epoch + 1, lr=lr, seed=seed,
                                optimizer=str(optimizer), history=history.to_dict())
    except KeyboardInterrupt:
        history.interrupted = True
        saved = f"; the best weights are in {checkpoint_path}" if best is not None else ""
        print(f"Training interrupted after {history.epochs} complete epoch(s): returning the "
              f"history so far (the model keeps its current, partly trained weights{saved}).")
    finally:
        bar.close()
        model.train(was_training)
    return history


def _model_device(model):
    parameter = next(model.parameters(), None)
    return parameter.device if parameter is not None else torch.device("cpu")


def predict(model, x, batch_size=1000):
    """Predicted class labels, int64 array (N,), for inputs ``x`` (N, ...) (array or tensor).

    Runs in eval mode without gradients, in batches, on the model's device;
    the model's train/eval mode is restored afterwards.
    """
    device = _model_device(model)
    inputs = _as_tensor(x, torch.float32)
    was_training = model.training
    model.eval()
    labels = []
    try:
        with torch.no_grad():
            for start in range(0, len(inputs), int(batch_size)):
                scores = model(inputs[start:start + int(batch_size)].to(device))
                labels.append(scores.argmax(dim=1).cpu())
    finally:
        model.train(was_training)
    if not labels:
        return np.zeros(0, dtype=np.int64)
    return torch.cat(labels).numpy().astype(np.int64)


def accuracy_of(model, x, y):
    """Fraction (float in [0, 1]) of inputs ``x`` whose predicted label equals ``y`` (N,)."""
    expected = _as_tensor(y, torch.int64).numpy()
    predicted = predict(model, x)
    if predicted.shape != expected.shape:
        raise ValueError(f"{len(predicted)} predictions but y has shape {expected.shape}")
    return float((predicted == expected).mean())
