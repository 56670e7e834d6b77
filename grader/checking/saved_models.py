"""Grade a trained model from its submitted checkpoint (06-09).

The worker loads the checkpoint into the student's own class (weights only) and predicts
the official test images; this trusted process holds the labels and computes the accuracy.
The images travel in an order shuffled per submission, so a model cannot answer by
position, and the worker never sees labels or the data directory (the sandbox mounts
neither).
"""

import functools
import hashlib
import weakref
from dataclasses import dataclass

import numpy as np

from grader.checking import CheckFailed, accuracy_cache
from grader.errors import StudentCodeError, StudentTimeout

PREDICT_TIMEOUT = 180.0   # seconds for the whole test set, one thread
_memo = weakref.WeakKeyDictionary()   # proxy -> {(class, file, digest): figure | CheckFailed}


class TestSetUnavailable(RuntimeError):
    """The grader's machine has no copy of the test set: the TA's problem, not the student's."""


@functools.lru_cache(maxsize=None)
def test_set(dataset):
    """(images uint8 (N, C, H, W), labels int64 (N,)) of the official test split, read once
    per grading process from the prepared data directory (never downloaded mid-batch)."""
    from source_lib.data import DataError, load_cifar10, load_fashion_mnist
    loaders = {"fashion_mnist": lambda: load_fashion_mnist("test", download=False),
               "cifar10": lambda: load_cifar10("test", download=False),
               "cifar10_target": _cifar10_target}
    try:
        images, labels = loaders[dataset]()
    except DataError as error:
        raise TestSetUnavailable(f"the grader needs the {dataset} test set (set "
                                 f"COURSE_DATA_DIR on the grading machine): {error}") from None
    if images.ndim == 3:
        images = images[:, None]
    return np.ascontiguousarray(images), labels


def _cifar10_target():
    """08: the test images of the target classes (labels 0..4), which pretraining never saw."""
    from source_lib.transfer.tasks import target_test_set
    return target_test_set(download=False)


N_CLASSES = {"cifar10_target": 5}


@functools.lru_cache(maxsize=None)
def test_set_digest(dataset):
    return accuracy_cache.array_digest(*test_set(dataset))


def _predict(student, class_name, file_name, data, images, n_classes):
    try:
        return student.tool("checkpoint_predictions", class_name, file_name,
                            np.frombuffer(data, dtype=np.uint8), images,
                            n_classes=n_classes, timeout=PREDICT_TIMEOUT)
    except StudentCodeError as error:
        if error.exc_type == "CheckpointError":
            raise CheckFailed(f"`{file_name}` could not be loaded into your `{class_name}`: "
                              f"{error.message}") from None
        if error.exc_type in ("LookupError", "TypeError") and "`" in error.message:
            raise CheckFailed(error.message) from None
        raise CheckFailed(f"Predicting the test images with your `{class_name}` loaded from "
                          f"`{file_name}` raised {error.exc_type}: {error.message}") from None
    except StudentTimeout:
        raise CheckFailed(f"Predicting the {len(images):,} test images with your "
                          f"`{class_name}` loaded from `{file_name}` took longer than "
                          f"{PREDICT_TIMEOUT:.0f} s.") from None


def cached_figure(cache_key, compute):
    """``compute()``, or its figure from the course's accuracy cache when this very code and
    checkpoint were scored before (``grader.checking.accuracy_cache``)."""
    figure = accuracy_cache.read(cache_key)
    if figure is None:
        figure = compute()
        accuracy_cache.write(cache_key, figure)
    return figure


def once_per_notebook(student, key, compute):
    """``compute()`` once per graded notebook (several tiers of points ask for the same
    figure): the figure, or the same CheckFailed again for every tier."""
    known = _memo.setdefault(student, {})
    if key not in known:
        try:
            known[key] = compute()
        except CheckFailed as failure:
            known[key] = failure
    if isinstance(known[key], CheckFailed):
        raise CheckFailed(str(known[key]))
    return known[key]


def _accuracy(student, class_name, file_name, data, dataset):
    cache_key = accuracy_cache.key(student, class_name, file_name, data,
                                   test_set_digest(dataset))
    return cached_figure(cache_key, lambda: _predicted_accuracy(
        student, class_name, file_name, data, dataset))


def _predicted_accuracy(student, class_name, file_name, data, dataset):
    images, labels = test_set(dataset)
    seed = int.from_bytes(hashlib.sha256(data).digest()[:8], "little")
    order = np.random.default_rng(seed).permutation(len(images))
    predicted = np.asarray(_predict(student, class_name, file_name, data, images[order],
                                    N_CLASSES.get(dataset, 10)))
    if predicted.shape != (len(images),) or predicted.dtype.kind not in "iu":
        raise CheckFailed(f"Your `{class_name}` did not give one class per test image.")
    return float(np.mean(predicted == labels[order]))


def checkpoint_accuracy(student, files, class_name, file_name, dataset, how_to_save):
    """Test accuracy of ``class_name`` with the weights of the submitted ``file_name``;
    CheckFailed, in words, when the file is missing or unusable. Computed once per
    notebook: several tiers of points ask for the same figure."""
    found, data = files.read(file_name, how_to_save)
    key = (class_name, found, hashlib.sha256(data).hexdigest())
    return once_per_notebook(student, key,
                             lambda: _accuracy(student, class_name, found, data, dataset))


@dataclass(frozen=True)
class SavedModel:
    """What a notebook's checkpoint part grades: ``class_name`` loaded from ``file_name``,
    scored on ``dataset``'s test set; full marks from ``full_marks``. Each tier of points is
    one ``@points`` test calling ``expect_tier`` (points live on the tests, read with ast)."""
    class_name: str
    file_name: str
    dataset: str
    how_to_save: str
    full_marks: float

    def expect_tier(self, student, submitted_files, at_least):
        accuracy = checkpoint_accuracy(student, submitted_files, self.class_name,
                                       self.file_name, self.dataset, self.how_to_save)
        expect_accuracy(accuracy, at_least, self.full_marks, self.class_name, self.file_name)


def expect_accuracy(accuracy, at_least, full_marks, class_name, file_name):
    """A tier of points: passes when ``accuracy >= at_least``; the message says the
    student's own figure and where full marks start (never anything about the labels)."""
    if accuracy < at_least:
        raise CheckFailed(f"Your `{class_name}` from `{file_name}` reaches {accuracy:.3f} test "
                          f"accuracy; this check needs {at_least:.2f} (full marks from "
                          f"{full_marks:.2f}). Train longer or improve the model.")
