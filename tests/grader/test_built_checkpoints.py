"""Reference checkpoints built on demand (grader.authoring.built_checkpoints): built once, by
one process at a time, never half-written, and a missing dataset is said in words. A fake
builder stands in for 08's (whose real build the 08 samples of test_implementations use)."""

import ast
import hashlib
import threading
import time
import types
from pathlib import Path

import pytest

from grader.authoring import built_checkpoints as built
from grader.authoring import samples
from grader.authoring.bundle_leaks import course_secrets
from grader.course.layout import checks_dir
from source_lib.cache_lock import one_at_a_time
from source_lib.data import DataUnavailableError

ASSIGNMENT = "01_conv1d"    # any real assignment: the fake builder is attached to it
WEIGHTS = b"w" * 64


class FakeBuilder(types.SimpleNamespace):
    """FILES, cache_key() and build(folder) as a reference_model.py defines them."""

    def __init__(self, key="k1", fail=None, pause=0.0):
        super().__init__(FILES=("model.pt",), key=key, fail=fail, pause=pause, builds=0)

    def cache_key(self):
        if isinstance(self.fail, DataUnavailableError):
            raise self.fail
        return self.key

    def build(self, folder):
        self.builds += 1
        time.sleep(self.pause)
        (Path(folder) / "model.pt").write_bytes(WEIGHTS)
        if self.fail is not None:
            raise self.fail
        return "model.pt: built"


@pytest.fixture
def fake(monkeypatch, tmp_path):
    """A fake builder for ASSIGNMENT and an empty COURSE_CACHE_DIR."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    builder = FakeBuilder()
    monkeypatch.setattr(built, "builds_checkpoints", lambda a: a == ASSIGNMENT)
    monkeypatch.setattr(built, "builder", lambda a: builder)
    return builder


def test_a_checkpoint_is_built_once_then_read_from_the_cache(fake, capsys):
    first = built.built_checkpoints(ASSIGNMENT)
    assert first["model.pt"].read_bytes() == WEIGHTS
    assert "Building 01_conv1d's reference checkpoints (model.pt) once" in capsys.readouterr().out
    assert built.built_checkpoints(ASSIGNMENT) == first and fake.builds == 1
    assert first["model.pt"].parent == built.cache_folder(ASSIGNMENT)


def test_a_new_key_builds_again_and_nothing_is_built_when_asked_not_to(fake):
    built.built_checkpoints(ASSIGNMENT)
    fake.key = "k2"     # the code or the backbone changed
    assert built.built_checkpoints(ASSIGNMENT, build=False) == {}
    assert fake.builds == 1
    built.built_checkpoints(ASSIGNMENT)
    assert fake.builds == 2


def test_a_failed_build_leaves_nothing_and_the_next_call_builds_again(fake):
    fake.fail = KeyboardInterrupt()     # killed mid-build, after the file was written
    with pytest.raises(KeyboardInterrupt):
        built.built_checkpoints(ASSIGNMENT)
    folder = built.cache_folder(ASSIGNMENT)
    assert not (folder / "model.pt").exists() and not (folder / built.DONE).exists()
    assert [p.name for p in folder.iterdir()] == [".lock"]    # no scratch folder left
    fake.fail = None
    assert built.built_checkpoints(ASSIGNMENT)["model.pt"].is_file()


def test_a_second_process_waits_for_the_one_building_and_reuses_its_files(fake, capsys):
    folder = built.cache_folder(ASSIGNMENT)
    folder.mkdir(parents=True)
    results = []
    with one_at_a_time(folder):     # someone else is building
        thread = threading.Thread(
            target=lambda: results.append(built.built_checkpoints(ASSIGNMENT)))
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive() and not results
        said = capsys.readouterr().out
        assert "Another process is building 01_conv1d's reference checkpoints" in said
        (folder / "model.pt").write_bytes(b"theirs")   # ... and finishes
        (folder / built.DONE).write_text("{}")
    thread.join(timeout=30)
    assert fake.builds == 0 and results[0]["model.pt"].read_bytes() == b"theirs"


def test_missing_data_is_said_in_words(fake):
    fake.fail = DataUnavailableError("CIFAR-10 is not in /nowhere")
    with pytest.raises(built.ReferenceUnavailable,
                       match=r"01_conv1d's reference checkpoints \(model.pt\) cannot be built: "
                             r".*CIFAR-10 is not in /nowhere"):
        built.built_checkpoints(ASSIGNMENT)


def test_the_demo_hands_in_no_model_without_data_and_the_tests_fail(fake, tmp_path, capsys):
    fake.fail = DataUnavailableError("CIFAR-10 is not in /nowhere")
    with pytest.raises(built.ReferenceUnavailable):
        samples.write_samples(ASSIGNMENT, tmp_path / "subs", only=())
    samples.write_samples(ASSIGNMENT, tmp_path / "demo", only=(), unbuilt_ok=True)
    assert "WARNING: 01_conv1d's reference checkpoints (model.pt) cannot be built" in \
        capsys.readouterr().out
    assert not (tmp_path / "demo" / "reference" / ASSIGNMENT / "model.pt").exists()


def test_samples_hand_in_the_built_checkpoint_and_the_bundle_scan_knows_its_bytes(fake, tmp_path):
    samples.write_samples(ASSIGNMENT, tmp_path / "subs", only=())
    handed_in = tmp_path / "subs" / "reference" / ASSIGNMENT / "model.pt"
    assert handed_in.read_bytes() == WEIGHTS
    assert not (tmp_path / "subs" / "blank" / ASSIGNMENT / "model.pt").exists()
    digest = hashlib.sha256(WEIGHTS).hexdigest()
    assert course_secrets().checkpoints[digest] == "01_conv1d's built reference model.pt"


def test_08_builds_its_graded_model_and_commits_none():
    assert built.builds_checkpoints("08_transfer_learning")
    assert not (checks_dir("08_transfer_learning") / "checkpoints").exists()
    source = (checks_dir("08_transfer_learning") / "test_transfer_checkpoint.py").read_text()
    graded = next(node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Call)
                  and getattr(node.func, "id", "") == "SavedModel")
    assert built.builder("08_transfer_learning").FILES == (graded.args[1].value,)
