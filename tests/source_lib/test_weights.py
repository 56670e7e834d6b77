"""Downloadable weights end to end, against a local HTTP server on 127.0.0.1.

The served checkpoints are generated here: ResNet-18's keys, shapes and dtypes with
random values (nothing real is downloaded). The spec is pointed at the server with
``monkeypatch.setattr(weights, "IMAGENET_RESNET18", ...)``, as the data tests swap
``DATASETS`` entries.
"""

import hashlib
import io
import os
import socket
import threading

import pytest
import torch

from source_lib import data, weights
from source_lib.architectures import ResNet18, resnet18

from data_fixtures import course_dirs  # noqa: F401  (autouse fixture)
from data_fixtures import torch_home  # noqa: F401  (autouse fixture)
from data_fixtures import free_port, serve_directory, serving_weights, use_weights_spec

FILENAME = weights.IMAGENET_RESNET18.filename


def _fake_checkpoint(seed):
    """torch.save bytes of a random state dict with ResNet18()'s keys, shapes and dtypes."""
    generator = torch.Generator().manual_seed(seed)
    fake = {}
    for name, tensor in resnet18(device="meta").state_dict().items():
        if tensor.dtype.is_floating_point:
            fake[name] = torch.randn(tensor.shape, generator=generator)
        else:   # num_batches_tracked
            fake[name] = torch.randint(0, 1000, tensor.shape, generator=generator)
    buffer = io.BytesIO()
    torch.save(fake, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def checkpoints():
    """Two different valid checkpoints (bytes): the "official" one and an impostor."""
    return _fake_checkpoint(0), _fake_checkpoint(1)


def _sha256(blob):
    return hashlib.sha256(blob).hexdigest()


def _dead_url():
    return f"http://127.0.0.1:{free_port()}/{FILENAME}"


def _use_spec(monkeypatch, url, prefix):
    return use_weights_spec(monkeypatch, "IMAGENET_RESNET18", url, prefix)


@pytest.fixture
def served(tmp_path, monkeypatch, checkpoints):
    """The good checkpoint served on 127.0.0.1, the spec pointing at it; yields the spec."""
    with serving_weights(tmp_path / "server", monkeypatch, "IMAGENET_RESNET18",
                         checkpoints[0]) as spec:
        yield spec


def _assert_is_checkpoint(state_dict, blob):
    expected = torch.load(io.BytesIO(blob), weights_only=True)
    assert list(state_dict) == list(expected)      # keys as in the file, in its order
    for name, tensor in expected.items():
        assert torch.equal(state_dict[name], tensor), name


def _cached(course_dirs):
    return course_dirs[1] / "weights" / FILENAME


def test_download_checks_hash_and_loads_into_resnet18(served, checkpoints, course_dirs, capsys):
    state_dict = weights.imagenet_resnet18_state_dict()
    _assert_is_checkpoint(state_dict, checkpoints[0])
    ResNet18().load_state_dict(state_dict)         # strict: torchvision's keys and shapes
    assert _cached(course_dirs).read_bytes() == checkpoints[0]
    assert [p.name for p in _cached(course_dirs).parent.iterdir()] == [FILENAME]  # no .part
    assert f"Downloading {FILENAME}" in capsys.readouterr().err


def test_builder_holds_the_weights(served, checkpoints):
    model = weights.imagenet_resnet18(progress=False)
    _assert_is_checkpoint(model.state_dict(), checkpoints[0])


def test_cache_hit_makes_no_request(served, checkpoints, monkeypatch):
    weights.imagenet_resnet18_state_dict(progress=False)
    _use_spec(monkeypatch, _dead_url(), served.sha256_prefix)   # any request would now fail
    _assert_is_checkpoint(weights.imagenet_resnet18_state_dict(), checkpoints[0])


def _flip_bytes(path):
    """Damage ``path`` in the middle, keeping its size and modification time."""
    info = path.stat()
    blob = bytearray(path.read_bytes())
    middle = len(blob) // 2
    blob[middle:middle + 16] = bytes(b ^ 0xFF for b in blob[middle:middle + 16])
    path.write_bytes(bytes(blob))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def test_corrupted_cache_file_is_caught_on_load_and_downloaded_again(
        served, checkpoints, course_dirs):
    weights.imagenet_resnet18_state_dict(progress=False)
    cached = _cached(course_dirs)
    _flip_bytes(cached)
    with pytest.raises(data.ChecksumError) as info:
        weights.imagenet_resnet18_state_dict(download=False)
    message = str(info.value)
    assert str(cached) in message and served.sha256_prefix in message
    assert "download=True" in message and served.url in message
    assert cached.is_file()                        # download=False: nothing deleted
    with pytest.warns(UserWarning, match="deleted so that a fresh copy is downloaded") as caught:
        state_dict = weights.imagenet_resnet18_state_dict(progress=False)
    assert str(cached) in str(caught[0].message)
    _assert_is_checkpoint(state_dict, checkpoints[0])
    assert cached.read_bytes() == checkpoints[0]


def test_swapped_cache_file_is_caught(served, checkpoints, course_dirs):
    cached = _cached(course_dirs)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(checkpoints[1])             # a valid checkpoint, but not this one
    with pytest.warns(UserWarning, match=f"expected {served.sha256_prefix}"):
        state_dict = weights.imagenet_resnet18_state_dict(progress=False)
    _assert_is_checkpoint(state_dict, checkpoints[0])
    assert cached.read_bytes() == checkpoints[0]


def test_wrong_hash_on_download_leaves_nothing(served, checkpoints, course_dirs, monkeypatch):
    impostor_prefix = _sha256(checkpoints[1])[:8]
    _use_spec(monkeypatch, served.url, impostor_prefix)
    with pytest.raises(data.ChecksumError) as info:
        weights.imagenet_resnet18_state_dict(progress=False)
    message = str(info.value)
    assert served.url in message and impostor_prefix in message
    assert _sha256(checkpoints[0]) in message and "source_lib.pretrain" in message
    assert list(_cached(course_dirs).parent.glob("*")) == []     # no file, no .part


@pytest.fixture
def cut_short_url(checkpoints):
    """A server that promises the whole checkpoint, sends half of it and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    body = checkpoints[0]

    def answer_once():
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)                 # the request
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body))
            connection.sendall(body[:len(body) // 2])

    thread = threading.Thread(target=answer_once, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/{FILENAME}"
    thread.join(timeout=5)
    listener.close()


def test_interrupted_download_leaves_no_partial_file(cut_short_url, checkpoints, course_dirs,
                                                     monkeypatch):
    _use_spec(monkeypatch, cut_short_url, _sha256(checkpoints[0])[:8])
    with pytest.raises(data.DataUnavailableError, match="cut short") as info:
        weights.imagenet_resnet18_state_dict(progress=False)
    assert cut_short_url in str(info.value)
    assert list(_cached(course_dirs).parent.glob("*")) == []


def test_no_network_names_url_and_offline_route(course_dirs, monkeypatch):
    spec = _use_spec(monkeypatch, _dead_url(), "f37072fd")
    with pytest.raises(data.DataUnavailableError) as info:
        weights.imagenet_resnet18_state_dict(progress=False)
    message = str(info.value)
    assert "could not download" in message and spec.url in message
    assert "python -m source_lib.pretrain" in message and "69.758" in message
    assert not (course_dirs[1] / "weights").exists()   # a failed attempt leaves no folder


def test_download_false_with_nothing_cached(course_dirs, torch_home):
    with pytest.raises(data.DataUnavailableError) as info:
        weights.imagenet_resnet18_state_dict(download=False)
    message = str(info.value)
    assert "download=False" in message
    assert "https://download.pytorch.org/models/resnet18-f37072fd.pth" in message
    for folder in (course_dirs[1] / "weights", course_dirs[0] / "weights", torch_home):
        assert str(folder) in message
    assert "python -m source_lib.pretrain" in message


def _read_only_folder(where, course_dirs, torch_home):
    return {"hub": torch_home, "data": course_dirs[0] / "weights"}[where]


@pytest.mark.parametrize("where", ["hub", "data"])
def test_good_read_only_copy_is_used_without_request(where, checkpoints, course_dirs,
                                                    torch_home, monkeypatch):
    folder = _read_only_folder(where, course_dirs, torch_home)
    folder.mkdir(parents=True)
    (folder / FILENAME).write_bytes(checkpoints[0])
    _use_spec(monkeypatch, _dead_url(), _sha256(checkpoints[0])[:8])
    _assert_is_checkpoint(weights.imagenet_resnet18_state_dict(), checkpoints[0])
    assert not _cached(course_dirs).exists()       # used in place, not copied


@pytest.mark.parametrize("where", ["hub", "data"])
def test_bad_read_only_copy_is_refused_and_kept(where, served, checkpoints, course_dirs,
                                               torch_home):
    folder = _read_only_folder(where, course_dirs, torch_home)
    folder.mkdir(parents=True)
    (folder / FILENAME).write_bytes(checkpoints[1])
    with pytest.raises(data.ChecksumError) as info:
        weights.imagenet_resnet18_state_dict(download=False)
    message = str(info.value)
    assert str(folder / FILENAME) in message and served.sha256_prefix in message
    assert "left in place" in message
    with pytest.warns(UserWarning, match="left in place"):
        state_dict = weights.imagenet_resnet18_state_dict(progress=False)
    _assert_is_checkpoint(state_dict, checkpoints[0])
    assert _cached(course_dirs).read_bytes() == checkpoints[0]
    assert (folder / FILENAME).read_bytes() == checkpoints[1]   # not deleted, not changed


def test_download_checks_sha256_prefix(tmp_path):
    folder = tmp_path / "server"
    folder.mkdir()
    blob = b"some weights" * 1000
    (folder / "w.pth").write_bytes(blob)
    with serve_directory(folder) as base_url:
        dest = data.download(base_url + "w.pth", tmp_path / "out" / "w.pth",
                             sha256_prefix=_sha256(blob)[:8].upper(), progress=False)
        assert dest.read_bytes() == blob
        with pytest.raises(data.ChecksumError, match="expected a sha256 starting with 00000000"):
            data.download(base_url + "w.pth", tmp_path / "bad.pth", sha256_prefix="0" * 8,
                          progress=False)
    assert list(tmp_path.glob("bad.pth*")) == []
    with pytest.raises(ValueError, match="8 to 64 hex digits"):
        data.download(base_url + "w.pth", tmp_path / "x.pth", sha256_prefix="abc")


class _NotATensor:
    """Anything a weights-only load must refuse to rebuild."""


def test_file_with_python_objects_is_refused_even_with_right_hash(tmp_path, monkeypatch,
                                                                  course_dirs):
    buffer = io.BytesIO()
    torch.save({"conv1.weight": torch.zeros(1), "extra": _NotATensor()}, buffer)
    cached = _cached(course_dirs)
    cached.parent.mkdir(parents=True)
    cached.write_bytes(buffer.getvalue())
    _use_spec(monkeypatch, _dead_url(), _sha256(buffer.getvalue())[:8])
    with pytest.raises(data.UnsafePickleError, match="refused to load") as info:
        weights.imagenet_resnet18_state_dict()
    assert str(cached) in str(info.value) and "_NotATensor" in str(info.value)
