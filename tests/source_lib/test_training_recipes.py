"""Tests for source_lib.training.recipes: in-memory batches, the scheduled optimizer, the
recipes and the per-epoch driver (which must call the student's train_epoch/evaluate, never its
own loop)."""

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

from source_lib.training import recipes  # noqa: E402
from source_lib.training.recipes import (  # noqa: E402
    FASHION_RECIPES,
    Recipe,
    ScheduledOptimizer,
    TensorBatches,
    fashion_recipe,
    scheduled_lr,
    train_model,
)
from source_lib.training.loops import History  # noqa: E402

pytestmark = pytest.mark.usefixtures("one_thread")



def numbered(n):
    """x (n, 1, 2, 2) whose every pixel is the sample's index; y (n,) = index % 3."""
    x = torch.arange(n, dtype=torch.float32).view(n, 1, 1, 1).expand(n, 1, 2, 2).contiguous()
    return x, torch.arange(n) % 3


def indices_of(batches):
    return [batch_x[:, 0, 0, 0].long().tolist() for batch_x, _ in batches]


# ------------------------------------------------------------------ TensorBatches
def test_batches_shapes_and_ragged_last_batch():
    x, y = numbered(10)
    batches = TensorBatches(x, y, 4, shuffle=False)
    assert len(batches) == 3
    shapes = [(tuple(bx.shape), tuple(by.shape)) for bx, by in batches]
    assert shapes == [((4, 1, 2, 2), (4,)), ((4, 1, 2, 2), (4,)), ((2, 1, 2, 2), (2,))]
    assert indices_of(batches) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert len(batches.dataset) == 10


def test_batches_drop_last():
    x, y = numbered(10)
    batches = TensorBatches(x, y, 4, shuffle=True, drop_last=True)
    assert len(batches) == 2 and [len(bx) for bx, _ in batches] == [4, 4]


def test_every_sample_once_per_epoch_in_a_new_order():
    x, y = numbered(23)
    batches = TensorBatches(x, y, 5, shuffle=True, seed=3)
    first, second = indices_of(batches), indices_of(batches)
    for epoch in (first, second):
        assert sorted(sum(epoch, [])) == list(range(23))
    assert first != second
    for batch_x, batch_y in batches:  # labels stay with their images
        assert torch.equal(batch_y, batch_x[:, 0, 0, 0].long() % 3)


def test_shuffling_is_determined_by_the_seed():
    x, y = numbered(50)
    runs = [TensorBatches(x, y, 8, seed=seed) for seed in (7, 7, 8)]
    epochs = [[indices_of(run) for _ in range(2)] for run in runs]
    assert epochs[0] == epochs[1]
    assert epochs[0] != epochs[2]


def test_batches_reject_bad_input():
    x, y = numbered(4)
    with pytest.raises(ValueError):
        TensorBatches(x, y[:3], 2)
    with pytest.raises(ValueError):
        TensorBatches(x, y, 0)


def test_augment_is_applied_to_every_batch():
    x, y = numbered(7)
    batches = TensorBatches(x, y, 3, shuffle=False, augment=lambda batch: -batch)
    assert indices_of(batches) == [[0, -1, -2], [-3, -4, -5], [-6]]


# ------------------------------------------------------------------ schedule and optimizer
def test_one_cycle_warms_up_then_decays_to_the_final_rate():
    rates = [scheduled_lr(step, 100, 1.0, warmup=0.2, final_fraction=0.0) for step in range(101)]
    assert rates[0] == pytest.approx(0.1)
    assert max(rates) == pytest.approx(1.0) and rates.index(max(rates)) == 20
    assert all(a <= b for a, b in zip(rates[:20], rates[1:21]))
    assert all(a >= b for a, b in zip(rates[20:], rates[21:]))
    assert rates[100] == 0.0 and scheduled_lr(150, 100, 1.0) == 0.0
    assert scheduled_lr(0, 10, 0.5, warmup=0.0) == 0.5  # plain linear decay


def scheduled_sgd(total_steps):
    model = nn.Linear(3, 2)
    inner = torch.optim.SGD(model.parameters(), lr=123.0)
    return model, ScheduledOptimizer(inner, lambda step, total: 1.0 - step / total, total_steps)


def test_scheduled_optimizer_steps_the_schedule_once_per_step():
    model, optimizer = scheduled_sgd(4)
    assert optimizer.lr == 1.0 and optimizer.param_groups[0]["lr"] == 1.0
    seen = []
    for _ in range(4):
        optimizer.zero_grad()
        model(torch.ones(5, 3)).sum().backward()
        seen.append(optimizer.lr)
        optimizer.step()
    assert seen == [1.0, 0.75, 0.5, 0.25]
    assert optimizer.steps_taken == 4 and optimizer.lr == 0.0
    assert all(p.grad is not None for p in model.parameters())
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_scheduled_optimizer_passes_through_and_reschedules():
    _, optimizer = scheduled_sgd(10)
    assert optimizer.defaults["lr"] == 123.0  # attributes of the wrapped optimizer
    assert optimizer.state_dict()["param_groups"][0]["lr"] == 1.0
    optimizer.step()
    optimizer.reschedule(2)  # squeezed: step 1 of 2 is half-way down
    assert optimizer.total_steps == 2 and optimizer.lr == 0.5
    optimizer.reschedule(0)  # never before the steps already taken
    assert optimizer.total_steps == 1 and optimizer.lr == 0.0


def test_recipe_optimizer_covers_the_epochs_and_ends_at_zero():
    recipe = Recipe(epochs=3, batch_size=4, lr=0.2, optimizer="adamw", warmup=0.0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
    optimizer = recipe.make_optimizer(model, steps_per_epoch=5)
    assert optimizer.total_steps == 15 and optimizer.lr == pytest.approx(0.2)
    decays = {p.ndim: group["weight_decay"] for group in optimizer.param_groups
              for p in group["params"]}
    assert decays == {2: recipe.weight_decay, 1: 0.0}  # weights only
    for _ in range(15):
        optimizer.step()
    assert optimizer.lr == 0.0
    with pytest.raises(ValueError):
        Recipe(epochs=1, batch_size=1, lr=1.0, optimizer="rmsprop").make_optimizer(model, 1)


def test_quick_mode_shortens_every_recipe(monkeypatch):
    for name, full in FASHION_RECIPES.items():
        monkeypatch.setenv("COURSE_QUICK", "1")
        quick = fashion_recipe(name)
        assert quick.epochs * (quick.train_samples or 60_000) < full.epochs * 60_000
        monkeypatch.setenv("COURSE_QUICK", "0")
        assert fashion_recipe(name) == full
    with pytest.raises(ValueError):
        fashion_recipe("ResNet")


def test_recipe_batches_use_its_batch_size_and_quick_subset():
    x, y = numbered(30)
    recipe = Recipe(epochs=1, batch_size=4, lr=0.1, train_samples=10)
    batches = recipe.train_batches(x, y, seed=0)
    assert len(batches) == 3 and batches.shuffle
    assert sorted(sum(indices_of(batches), [])) == list(range(10))


# ------------------------------------------------------------------ the driver
class Spy:
    """Minimal student functions that record how the driver calls them."""

    def __init__(self, interrupt_at=None, sleep=0.0):
        self.calls, self.interrupt_at, self.sleep = [], interrupt_at, sleep

    def train_epoch(self, model, loader, optimizer, loss_fn):
        self.calls.append("train")
        if len(self.calls) == self.interrupt_at:
            raise KeyboardInterrupt
        model.train()
        total = 0.0
        for x, y in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
        if self.sleep:
            import time
            time.sleep(self.sleep)
        return total / len(loader.dataset)

    def evaluate(self, model, loader):
        self.calls.append("evaluate")
        model.eval()
        with torch.no_grad():
            x, y = next(iter(loader))
            return nn.functional.cross_entropy(model(x), y).item(), 0.5


def tiny_run(spy, epochs=3, **kwargs):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    x, y = numbered(12)
    recipe = Recipe(epochs=epochs, batch_size=5, lr=0.01, threads=1, channels_last=False)
    history = train_model(model, recipe, spy.train_epoch, spy.evaluate,
                          recipe.train_batches(x, y), TensorBatches(x, y, 12, shuffle=False),
                          progress=False, **kwargs)
    return history


def test_driver_calls_train_epoch_then_evaluate_once_per_epoch():
    spy = Spy()
    history = tiny_run(spy, epochs=3)
    assert spy.calls == ["train", "evaluate"] * 3
    assert isinstance(history, History) and history.epochs == 3 and not history.interrupted
    assert len(history.val_loss) == len(history.val_acc) == len(history.seconds) == 3
    assert history.val_acc == [0.5] * 3 and all(math.isfinite(v) for v in history.train_loss)


def test_driver_survives_keyboard_interrupt_and_keeps_the_history(capsys):
    spy = Spy(interrupt_at=5)  # the third epoch's train_epoch
    history = tiny_run(spy, epochs=4)
    assert history.interrupted and history.epochs == 2
    assert "interrupted after 2" in capsys.readouterr().out
    assert torch.get_num_threads() == 1  # thread count restored


def test_driver_stops_within_the_time_budget(capsys):
    spy = Spy(sleep=0.2)
    history = tiny_run(spy, epochs=50, time_budget=0.5)
    assert 1 <= history.epochs <= 3
    assert "time budget" in capsys.readouterr().out


def test_driver_without_a_display_draws_nothing(monkeypatch):
    monkeypatch.setattr(recipes, "_in_notebook", lambda: False)
    history = tiny_run(Spy(), epochs=1, live_plot=True)
    assert history.epochs == 1 and plt.get_fignums() == []


def test_driver_redraws_the_curves_in_a_notebook(monkeypatch):
    shown = []

    class Handle:
        def update(self, figure):
            shown.append(("update", figure))

    def fake_display(figure, display_id):
        shown.append(("display", figure))
        return Handle()

    import IPython.display
    monkeypatch.setattr(recipes, "_in_notebook", lambda: True)
    monkeypatch.setattr(IPython.display, "display", fake_display)
    tiny_run(Spy(), epochs=3)
    assert [kind for kind, _ in shown] == ["display", "update", "update"]
    assert plt.get_fignums() == []  # closed: not shown a second time at the end of the cell
