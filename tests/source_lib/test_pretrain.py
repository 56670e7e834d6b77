"""source_lib.pretrain with a tiny recipe on synthetic images: a killed run resumes where it
stopped and ends with the same weights as an uninterrupted one, a second run waits for the
one training, a cached backbone trains nothing, the cache key follows recipe and data, and
the command line reports the cache."""

import json
import threading
import time

import pytest
import torch
from data_fixtures import course_dirs  # noqa: F401  (autouse: temporary COURSE_CACHE_DIR)

from source_lib import pretrain as pretrain_module
from source_lib.cache_lock import one_at_a_time
from source_lib.pretrain import (
    BackboneNotPretrained,
    PretrainRecipe,
    _train,
    cache_folder,
    course_backbone,
    main,
    pretrain,
)
from source_lib.transfer.model import TransferNet

pytestmark = pytest.mark.usefixtures("one_thread")

TINY = PretrainRecipe(epochs=3, batch_size=8, lr=0.05, width=4, mixup=0.4, threads=1)


def _data(seed=0):
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(40, 3, 32, 32, generator=generator), torch.arange(40) % 5,
            torch.rand(10, 3, 32, 32, generator=generator), torch.arange(10) % 5)


class Killed(Exception):
    pass


def _kill_after(epoch, seen):
    def on_epoch(done):
        seen.append(done)
        if done == epoch:
            raise Killed
    return on_epoch


def test_a_killed_run_resumes_and_ends_as_an_uninterrupted_one(tmp_path, monkeypatch, capsys):
    data, seen = _data(), []
    with pytest.raises(Killed):
        pretrain(TINY, data, progress=False, on_epoch=_kill_after(1, seen))
    folder = cache_folder(TINY, data)
    assert (folder / "progress.pt").is_file() and not (folder / "meta.json").exists()
    model, meta = pretrain(TINY, data, progress=False, on_epoch=seen.append)
    assert seen == [1, 2, 3] and "Resuming the pretraining after epoch 1" in capsys.readouterr().out
    assert meta["epochs"] == 3 and meta["trained_now"] and not (folder / "progress.pt").exists()
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []   # no temp files
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "elsewhere"))
    uninterrupted, _ = pretrain(TINY, data, progress=False)
    for (name, a), b in zip(model.state_dict().items(), uninterrupted.state_dict().values()):
        assert torch.equal(a, b), name


def test_a_cached_backbone_trains_nothing(capsys):
    data = _data()
    model, meta = pretrain(TINY, data, progress=False)
    assert meta["trained_now"] and 0.0 <= meta["accuracy"] <= 1.0
    stored = json.loads((cache_folder(TINY, data) / "meta.json").read_text())
    assert {"accuracy", "epochs", "seconds", "date"} <= set(stored)
    calls = []
    again, meta_again = pretrain(TINY, data, progress=False, on_epoch=calls.append)
    assert calls == [] and not meta_again["trained_now"] and isinstance(again, TransferNet)
    assert meta_again["accuracy"] == meta["accuracy"] and not again.training
    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)
    forced = []
    pretrain(TINY, data, progress=False, force=True, on_epoch=forced.append)
    assert forced == [1, 2, 3]


def test_the_cache_key_follows_recipe_and_data():
    data = _data()
    folder = cache_folder(TINY, data)
    assert folder.parent.name == "pretrained"
    assert cache_folder(PretrainRecipe(**{**TINY.__dict__, "lr": 0.06}), data) != folder
    assert cache_folder(TINY, _data(seed=1)) != folder
    assert cache_folder(TINY, _data()) == folder
    assert pretrain_module.cache_key(pretrain_module.RECIPE, data) != pretrain_module.cache_key(
        pretrain_module.QUICK_RECIPE, data)


@pytest.fixture
def tiny_source_task(monkeypatch):
    """The module's recipes and source data replaced by the tiny ones."""
    monkeypatch.setattr(pretrain_module, "RECIPE", TINY)
    monkeypatch.setattr(pretrain_module, "QUICK_RECIPE", TINY)
    monkeypatch.setattr(pretrain_module, "source_data", lambda recipe: _data())


def test_course_backbone_trains_when_missing_unless_told_not_to(tiny_source_task, capsys):
    with pytest.raises(BackboneNotPretrained, match="python -m source_lib.pretrain"):
        course_backbone(train=False)
    model, info = course_backbone(progress=False)
    assert "not pretrained yet: training it now" in capsys.readouterr().out
    assert info["trained_now"] and model.head.out_features == 5 and model.backbone.width == 4
    _, info = course_backbone(train=False)
    assert not info["trained_now"]


def test_the_command_reports_the_cache(tiny_source_task, capsys):
    assert main(["--status"]) == 1
    assert "not pretrained yet" in capsys.readouterr().out
    assert main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "trained: source test accuracy" in out and "backbone.pt" in out
    assert main(["--status", "--quick"]) == 0
    assert "pretrained: source test accuracy" in capsys.readouterr().out
    assert main([]) == 0 and "already cached" in capsys.readouterr().out


def _pretrain_in_thread(data, results):
    thread = threading.Thread(target=lambda: results.append(pretrain(TINY, data, progress=False)))
    thread.start()
    return thread


def test_a_second_process_waits_for_the_one_training(capsys):
    data, results = _data(), []
    folder = cache_folder(TINY, data)
    folder.mkdir(parents=True)
    with one_at_a_time(folder):                  # someone else is training
        thread = _pretrain_in_thread(data, results)
        time.sleep(0.5)
        assert thread.is_alive() and results == []
        assert "Another process is pretraining this backbone" in capsys.readouterr().out
        _train(TINY, data, folder, False, None)  # ... and finishes
    thread.join(timeout=60)
    assert not results[0][1]["trained_now"]      # the waiting one read the result


def test_the_lock_is_free_again_after_a_failed_run():
    data = _data()
    with pytest.raises(Killed):
        pretrain(TINY, data, progress=False, on_epoch=_kill_after(1, []))
    results = []
    _pretrain_in_thread(data, results).join(timeout=60)
    assert results and results[0][1]["trained_now"]
