"""Tests for source_lib.checkpoint: round trip, atomic writes, safe loading, clear errors."""

import os

import numpy as np
import pytest
import torch
from torch import nn

from source_lib.checkpoint import FORMAT, CheckpointError, load_checkpoint, save_checkpoint


class Net(nn.Module):
    def __init__(self, channels=8, classes=10):
        super().__init__()
        self.conv1 = nn.Conv1d(1, channels, 5)
        self.head = nn.Linear(channels, classes)

    def forward(self, x):
        return self.head(self.conv1(x).mean(dim=2))


class Evil:
    """Unpickling this would create a directory: proof that code ran while loading."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.mkdir, (str(self.marker),)


def _same_weights(a, b):
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_round_trip_restores_weights_and_extra_info(tmp_path):
    torch.manual_seed(0)
    model = Net()
    path = save_checkpoint(model, tmp_path / "runs" / "a" / "net.pt", epoch=3,
                           val_acc=np.float32(0.75), sizes=np.array([1, 2]), note="best")
    assert path == tmp_path / "runs" / "a" / "net.pt" and path.is_file()
    other = Net()
    assert not _same_weights(model, other)
    metadata = load_checkpoint(other, path)
    assert _same_weights(model, other)
    assert metadata == {"epoch": 3, "val_acc": 0.75, "sizes": [1, 2], "note": "best"}


def test_file_layout_is_plain_and_weights_only(tmp_path):
    model = Net()
    path = save_checkpoint(model, tmp_path / "net.pt", lr=0.01)
    payload = torch.load(path, weights_only=True)
    assert set(payload) == {"format", "model_class", "state_dict", "metadata"}
    assert payload["format"] == FORMAT == "cnn-course-checkpoint/1"
    assert payload["model_class"] == "Net"
    assert payload["metadata"] == {"lr": 0.01}
    assert set(payload["state_dict"]) == set(model.state_dict())
    assert os.listdir(tmp_path) == ["net.pt"]  # no temporary files left behind


def test_crash_during_save_keeps_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "net.pt"
    model = Net()
    save_checkpoint(model, path, epoch=1)
    before = path.read_bytes()

    def crash(obj, file_handle, *args, **kwargs):
        file_handle.write(b"half a checkpoint")
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint(Net(), path, epoch=2)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["net.pt"]
    monkeypatch.undo()
    assert load_checkpoint(Net(), path) == {"epoch": 1}


def test_non_json_values_are_rejected_before_writing(tmp_path):
    with pytest.raises(TypeError, match="JSON"):
        save_checkpoint(Net(), tmp_path / "net.pt", layer=Net())
    assert not (tmp_path / "net.pt").exists()


def test_arbitrary_pickled_objects_are_refused_without_running_them(tmp_path):
    marker = tmp_path / "code_ran"
    path = tmp_path / "evil.pt"
    torch.save({"format": FORMAT, "model_class": "Net", "state_dict": Net().state_dict(),
                "metadata": {"x": Evil(marker)}}, path)
    with pytest.raises(CheckpointError, match="unsafe") as info:
        load_checkpoint(Net(), path)
    assert "mkdir" in str(info.value)  # names what was refused
    assert not marker.exists()


def test_missing_file_names_path_and_gives_hint(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        load_checkpoint(Net(), tmp_path / "nope.pt")
    message = str(info.value)
    assert str(tmp_path / "nope.pt") in message
    assert "hint:" in message


def test_bare_state_dict_is_not_a_course_checkpoint(tmp_path):
    path = tmp_path / "bare.pt"
    torch.save(Net().state_dict(), path)
    with pytest.raises(CheckpointError, match="bare state_dict") as info:
        load_checkpoint(Net(), path)
    assert "not a course checkpoint" in str(info.value)


def test_other_files_are_reported_clearly(tmp_path):
    future = tmp_path / "future.pt"
    torch.save({"format": "cnn-course-checkpoint/9", "state_dict": {}}, future)
    with pytest.raises(CheckpointError, match="update the course library"):
        load_checkpoint(Net(), future)
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"this is not a zip file")
    with pytest.raises(CheckpointError, match="not a readable PyTorch file"):
        load_checkpoint(Net(), garbage)


def test_architecture_mismatch_lists_shapes_and_names(tmp_path):
    path = save_checkpoint(Net(channels=8), tmp_path / "net.pt")
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(Net(channels=16), path)
    message = str(info.value)
    assert "conv1.weight: checkpoint (8, 1, 5) vs model (16, 1, 5)" in message
    assert "conv1.bias: checkpoint (8,) vs model (16,)" in message
    assert "head.weight: checkpoint (10, 8) vs model (10, 16)" in message

    class Wider(Net):
        def __init__(self):
            super().__init__()
            self.extra = nn.Linear(2, 2)

    with pytest.raises(CheckpointError) as info:
        load_checkpoint(Wider(), path)
    message = str(info.value)
    assert "missing in the checkpoint: extra.weight, extra.bias" in message
    assert "saved from a Net" in message


def test_non_strict_allows_new_layers_but_not_new_shapes(tmp_path):
    source = Net()
    path = save_checkpoint(source, tmp_path / "net.pt", epoch=7)
    target = nn.Module()
    target.conv1 = nn.Conv1d(1, 8, 5)  # same trunk, no head: fine-tuning style
    assert load_checkpoint(target, path, strict=False) == {"epoch": 7}
    assert torch.equal(target.conv1.weight, source.conv1.weight)
    with pytest.raises(CheckpointError, match="unexpected in the checkpoint: head.weight"):
        load_checkpoint(target, path, strict=True)
    with pytest.raises(CheckpointError, match="conv1.weight: checkpoint"):
        load_checkpoint(Net(channels=4), path, strict=False)


def test_an_open_binary_file_loads_like_a_path_and_is_named_in_messages(tmp_path):
    import io
    torch.manual_seed(0)
    model = Net()
    data = save_checkpoint(model, tmp_path / "net.pt", epoch=1).read_bytes()
    other = Net()
    assert load_checkpoint(other, io.BytesIO(data)) == {"epoch": 1}
    assert _same_weights(model, other)
    received = io.BytesIO(data)
    received.name = "smallcnn.pt"
    with pytest.raises(CheckpointError, match=r"the weights in smallcnn.pt do not fit Net"):
        load_checkpoint(Net(channels=4), received)
    marker = tmp_path / "code_ran"
    evil = io.BytesIO()
    torch.save({"format": FORMAT, "model_class": "Net", "state_dict": Net().state_dict(),
                "metadata": {"x": Evil(marker)}}, evil)
    evil.seek(0)
    with pytest.raises(CheckpointError, match="unsafe"):
        load_checkpoint(Net(), evil)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="not a readable PyTorch file"):
        load_checkpoint(Net(), io.BytesIO(data[: len(data) // 2]))
