"""A checkpoint's test accuracy is predicted once per (code, checkpoint, test set) and then
read from the course cache; anything that could change the figure predicts again."""

from types import SimpleNamespace

import numpy as np
import pytest

from grader.checking import CheckFailed, accuracy_cache, saved_models
from grader.errors import StudentTimeout
from grader.grading.definitions import CodeUnit

LABELS = np.arange(20) % 10
IMAGES = np.zeros((20, 1, 2, 2), dtype=np.uint8)


class FakeStudent:
    """Answers like a worker whose model gets the first ``right`` shuffled images right."""

    def __init__(self, source="class Net: pass", right=10, fails=None):
        self.extraction = SimpleNamespace(units=[CodeUnit(1, 1, source, ["Net"])])
        self.trusted, self.right, self.fails, self.calls = {}, right, fails, 0

    def tool(self, name, class_name, file_name, data, images, n_classes=10, timeout=None):
        self.calls += 1
        if self.fails:
            raise self.fails
        order = np.random.default_rng(int.from_bytes(
            saved_models.hashlib.sha256(data.tobytes()).digest()[:8], "little")
        ).permutation(len(LABELS))
        predicted = LABELS[order].copy()
        predicted[self.right:] = (predicted[self.right:] + 1) % 10
        return predicted


@pytest.fixture(autouse=True)
def tiny_test_set(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GRADER_ACCURACY_CACHE", raising=False)
    monkeypatch.setattr(saved_models, "test_set", lambda dataset: (IMAGES, LABELS))
    monkeypatch.setattr(saved_models, "test_set_digest",
                        lambda dataset: accuracy_cache.array_digest(IMAGES, LABELS))


def accuracy(student, data=b"weights"):
    return saved_models._accuracy(student, "Net", "net.pt", data, "cifar10")


def test_second_grading_reads_the_cache():
    assert accuracy(FakeStudent()) == 0.5
    again = FakeStudent(right=0)       # same code and checkpoint: never asked
    assert accuracy(again) == 0.5 and again.calls == 0


@pytest.mark.parametrize("change", ["code", "checkpoint", "trusted", "test set"])
def test_anything_that_can_change_the_figure_predicts_again(change, monkeypatch):
    accuracy(FakeStudent())
    student, data = FakeStudent(right=5), b"weights"
    if change == "code":
        student = FakeStudent("class Net:\n    pass", right=5)
    elif change == "checkpoint":
        data = b"other weights"
    elif change == "trusted":
        student.trusted = {"ResidualBlock": object()}
    else:
        monkeypatch.setattr(saved_models, "test_set_digest", lambda dataset: "another")
    assert student.calls == 0 and accuracy(student, data) == 0.25 and student.calls == 1


def test_failures_are_not_kept():
    with pytest.raises(CheckFailed, match="longer than"):
        accuracy(FakeStudent(fails=StudentTimeout("predicting", 1.0)))
    student = FakeStudent()
    assert accuracy(student) == 0.5 and student.calls == 1


@pytest.mark.parametrize("content", ["{not json", '{"accuracy": 7}', '{"accuracy": "high"}', ""])
def test_a_damaged_entry_is_predicted_again(content, tmp_path):
    accuracy(FakeStudent())
    (entry,) = (tmp_path / "grader" / "accuracies").glob("*.json")
    entry.write_text(content)
    student = FakeStudent(right=5)
    assert accuracy(student) == 0.25 and student.calls == 1


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADER_ACCURACY_CACHE", "off")
    accuracy(FakeStudent())
    student = FakeStudent(right=5)
    assert accuracy(student) == 0.25 and student.calls == 1
    assert not (tmp_path / "grader" / "accuracies").exists()
