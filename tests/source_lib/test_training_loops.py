"""Tests for source_lib.training.loops: learning, determinism, interrupts, checkpoints,
predictions."""

import json

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from source_lib.checkpoint import load_checkpoint
from source_lib.reproducibility import seed_everything
from source_lib.training.loops import History, accuracy_of, fit, predict

CLASSES, FEATURES = 3, 8


@pytest.fixture(autouse=True)
def cpu_only(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    # tiny models gain nothing from threads, and thread spinning is very slow on a busy CI box
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def blobs(n, seed):
    """Three well separated Gaussian clusters: x (n, 8) float64, y (n,) int."""
    rng = np.random.default_rng(seed)
    centres = np.eye(CLASSES, FEATURES) * 4.0
    y = rng.integers(0, CLASSES, n)
    return centres[y] + rng.normal(size=(n, FEATURES)), y


def make_model(seed=0):
    seed_everything(seed)
    return nn.Sequential(nn.Linear(FEATURES, 16), nn.ReLU(), nn.Linear(16, CLASSES))


class InterruptOnCall(nn.Module):
    """Raises KeyboardInterrupt on forward call number ``at`` (like pressing stop)."""

    def __init__(self, at):
        super().__init__()
        self.inner = make_model()
        self.at, self.calls = at, 0

    def forward(self, x):
        self.calls += 1
        if self.calls == self.at:
            raise KeyboardInterrupt
        return self.inner(x)


TRAIN, VAL = blobs(600, seed=1), blobs(300, seed=2)


def test_learns_a_separable_problem_and_records_history():
    model = make_model()
    history = fit(model, TRAIN, VAL, epochs=4, lr=0.01, batch_size=50, progress=False)
    assert isinstance(history, History)
    for series in (history.train_loss, history.train_acc, history.val_loss, history.val_acc,
                   history.seconds):
        assert len(series) == 4 and all(np.isfinite(series))
    assert history.val_acc[-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.final_val_acc == history.val_acc[-1]
    assert history.best_val_acc == max(history.val_acc)
    # the recorded validation accuracy is the model's accuracy after the last epoch
    assert accuracy_of(model, *VAL) == pytest.approx(history.final_val_acc)
    assert not history.interrupted and model.training  # mode restored


def test_same_seed_gives_identical_runs_and_other_seed_differs():
    runs = [fit(make_model(), TRAIN, VAL, epochs=2, lr=0.01, seed=seed, progress=False)
            for seed in (5, 5, 6)]
    assert runs[0].train_loss == runs[1].train_loss
    assert runs[0].val_loss == runs[1].val_loss
    assert runs[0].train_loss != runs[2].train_loss  # different shuffling


def test_sgd_with_momentum_and_tensor_inputs():
    x, y = torch.as_tensor(TRAIN[0]), torch.as_tensor(TRAIN[1])
    history = fit(make_model(), (x, y), (torch.as_tensor(VAL[0]), VAL[1]), epochs=4, lr=0.05,
                  optimizer="sgd", momentum=0.9, batch_size=32, progress=False)
    assert history.final_val_acc > 0.9


def test_loaders_are_accepted():
    train = DataLoader(TensorDataset(torch.tensor(TRAIN[0], dtype=torch.float32),
                                     torch.tensor(TRAIN[1])), batch_size=50, shuffle=True)
    val = DataLoader(TensorDataset(torch.tensor(VAL[0]), torch.tensor(VAL[1], dtype=torch.int32)),
                     batch_size=100)
    history = fit(make_model(), train, val, epochs=3, lr=0.01, progress=False)
    assert history.final_val_acc > 0.9


def test_without_validation_set():
    history = fit(make_model(), TRAIN, epochs=2, lr=0.01, progress=False)
    assert history.val_acc == [] and history.val_loss == []
    assert history.final_val_acc is None and history.best_val_acc is None
    assert len(history.train_acc) == 2


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="'adam' or 'sgd'"):
        fit(make_model(), TRAIN, epochs=1, lr=0.01, optimizer="rmsprop", progress=False)
    with pytest.raises(ValueError, match="same, non-zero length"):
        fit(make_model(), (TRAIN[0], TRAIN[1][:10]), epochs=1, lr=0.01, progress=False)


def test_keyboard_interrupt_returns_history_so_far(capsys):
    # 600 samples / 100 per batch = 6 training + 1 validation forward calls per epoch
    model = InterruptOnCall(at=7 * 2 + 3)
    history = fit(model, TRAIN, VAL, epochs=10, lr=0.01, progress=False)
    assert history.interrupted
    assert len(history.train_loss) == len(history.val_acc) == len(history.seconds) == 2
    assert "interrupted after 2 complete epoch(s)" in capsys.readouterr().out
    assert model.training


def test_checkpoint_keeps_the_best_validation_epoch(tmp_path):
    path = tmp_path / "ckpt" / "best.pt"
    history = fit(make_model(), TRAIN, VAL, epochs=5, lr=0.003, checkpoint_path=path,
                  progress=False)
    assert path.is_file()
    restored = make_model(seed=99)
    metadata = load_checkpoint(restored, path)
    best_epoch = int(np.argmax(history.val_acc)) + 1  # first epoch reaching the best
    assert metadata["epoch"] == best_epoch
    assert metadata["history"]["val_acc"] == history.val_acc[:best_epoch]
    assert accuracy_of(restored, *VAL) == pytest.approx(history.best_val_acc)


def test_interrupt_after_a_checkpoint_mentions_it(tmp_path, capsys):
    path = tmp_path / "best.pt"
    fit(InterruptOnCall(at=7 + 2), TRAIN, VAL, epochs=5, lr=0.01, checkpoint_path=path,
        progress=False)
    assert f"best weights are in {path}" in capsys.readouterr().out
    assert load_checkpoint(InterruptOnCall(at=0), path)["epoch"] == 1


def test_progress_bar_shows_loss_and_validation_accuracy(capsys):
    fit(make_model(), TRAIN, VAL, epochs=2, lr=0.01, progress=True, desc="blobs")
    err = capsys.readouterr().err
    assert "blobs" in err and "loss=" in err and "val_acc=" in err
    fit(make_model(), TRAIN, VAL, epochs=1, lr=0.01, progress=False)
    assert capsys.readouterr().err == ""


def test_custom_loss_function_is_used():
    calls = []

    def loss_fn(outputs, y):
        calls.append(outputs.shape)
        return nn.functional.cross_entropy(outputs, y)

    fit(make_model(), TRAIN, epochs=1, lr=0.01, batch_size=200, loss_fn=loss_fn, progress=False)
    assert calls == [(200, CLASSES)] * 3


def test_predict_returns_int64_labels_in_batches_and_restores_mode():
    model = make_model()
    fit(model, TRAIN, epochs=3, lr=0.01, progress=False)
    model.train()
    labels = predict(model, VAL[0], batch_size=64)
    assert labels.dtype == np.int64 and labels.shape == (300,)
    with torch.no_grad():
        expected = model(torch.tensor(VAL[0], dtype=torch.float32)).argmax(1).numpy()
    np.testing.assert_array_equal(labels, expected)
    assert model.training
    assert accuracy_of(model, VAL[0], VAL[1]) == pytest.approx(np.mean(labels == VAL[1]))
    with pytest.raises(ValueError, match="predictions"):
        accuracy_of(model, VAL[0], VAL[1][:5])


def test_history_serialises_and_plots():
    history = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.8], val_loss=[1.1, 0.7],
                      val_acc=[0.4, 0.9], seconds=[0.1, 0.1])
    data = json.loads(json.dumps(history.to_dict()))
    assert History(**data) == history
    fig = history.plot()
    assert [ax.get_title() for ax in fig.axes] == ["training loss", "validation accuracy"]
    np.testing.assert_allclose(fig.axes[1].lines[0].get_ydata(), [0.4, 0.9])
