"""Hidden checks for the MNIST-1D models CNN1D and MLP1D (structure, then a short training race).

Models take a batch of signals of shape (N, 40) and return class scores (N, 10).
The training data are generated here, in the trusted process, with a hidden
seed (not the public default); the student's worker gets x_train, y_train and
x_test only, returns predicted labels, and accuracy is computed here.

An MLP1D that cannot give scores for a batch is charged in its architecture test only: the
race then grades CNN1D's accuracy alone (the CNN is what the race is about), saying so.
"""

import functools

import numpy as np

from grader.checking import CheckFailed, expect, fail, note, points
from grader.errors import MissingDefinition, StudentCodeError, StudentFault

BATCH_SHAPE = (8, 40)
HIDDEN_SEED = 271828            # != 42, the public default
TRAINING = {"epochs": 40, "lr": 1e-2, "batch_size": 100, "seed": 0}
TRAIN_TIMEOUT = 120             # seconds per model; a reasonable model needs a few
MIN_CNN_ACCURACY = 0.75
MIN_MARGIN = 0.05
GRADES = ("CNN1D", "MLP1D")
TRUSTED_CALLEES = ("conv1d_output_length",)  # e.g. to size the linear layer


@functools.lru_cache(maxsize=1)
def _dataset():
    # Generating it takes seconds: the course's loader keeps it on the grading machine's
    # disk (COURSE_CACHE_DIR, out of the sandbox's sight), so each slot reads it instead.
    from source_lib.data.mnist1d import load_mnist1d
    data = load_mnist1d(seed=HIDDEN_SEED)
    return data["x_train"], data["y_train"], data["x_test"], data["y_test"]


def _tool(student, tool_name, class_name, *args, **kwargs):
    """Run a worker tool on the student's class; faults are reported under the class name."""
    try:
        return student.tool(tool_name, class_name, *args, **kwargs)
    except StudentCodeError as error:
        if error.exc_type == "LookupError":
            raise MissingDefinition(class_name) from None
        raise StudentCodeError(class_name, error.exc_type, error.message) from None


def _summary(student, class_name):
    try:
        summary = _tool(student, "module_summary", class_name, input_shape=BATCH_SHAPE, timeout=60)
    except StudentCodeError as error:
        if error.exc_type != "RuntimeError":
            raise
        fail(f"{class_name} failed on a batch of signals of shape {BATCH_SHAPE}. Check that "
             "forward accepts shape (N, 40) (add the channel axis inside forward, e.g. "
             "x.unsqueeze(1)) and that the Linear layer's input size matches the flattened "
             f"features. The error was: {error.message}")
    shape = list(summary["output_shape"])
    expect(shape == [BATCH_SHAPE[0], 10],
           f"For a batch of shape {BATCH_SHAPE}, {class_name} returned scores of shape "
           f"{tuple(shape)}; it must return one score per class for each signal, shape (N, 10).")
    expect(summary["output_finite"], f"{class_name} returned NaN or infinite scores.")
    return summary


@points(1)
def test_cnn1d_architecture(student):
    "CNN1D: three Conv1d layers, one Linear layer, about 2k parameters, 10 scores per signal."
    summary = _summary(student, "CNN1D")
    counts = summary["layer_counts"]
    expect(counts.get("Conv1d", 0) == 3,
           f"CNN1D has {counts.get('Conv1d', 0)} nn.Conv1d layer(s); the exercise asks for 3.")
    expect(counts.get("Linear", 0) == 1,
           f"CNN1D has {counts.get('Linear', 0)} nn.Linear layer(s); the exercise asks for "
           "1 (the classifier after the convolutions).")
    n = summary["n_params"]
    expect(1_000 <= n <= 5_000,
           f"CNN1D has {n:,} parameters; the exercise asks for a small CNN of about 2,000 "
           "(check the number of channels and the size of the flattened features).")
    expect(summary["n_trainable"] == n, "Some of CNN1D's parameters are frozen (requires_grad=False).")


@points(1)
def test_mlp1d_architecture(student):
    "MLP1D: fully connected only (no convolutions), about 150k parameters, 10 scores per signal."
    summary = _summary(student, "MLP1D")
    convs = {name: c for name, c in summary["layer_counts"].items() if "conv" in name.lower()}
    expect(not convs, f"MLP1D contains convolution layers ({', '.join(sorted(convs))}); "
                      "it must be a fully connected network.")
    expect(summary["layer_counts"].get("Linear", 0) >= 2,
           "MLP1D needs at least one hidden nn.Linear layer before the output layer.")
    n = summary["n_params"]
    expect(100_000 <= n <= 250_000,
           f"MLP1D has {n:,} parameters; the exercise asks for about 150,000 "
           "(check the hidden layer widths).")
    expect(summary["n_trainable"] == n, "Some of MLP1D's parameters are frozen (requires_grad=False).")


def _runs_on_a_batch(student, class_name):
    """The model gives finite scores of shape (N, 10) on a batch (the architecture test's
    first requirement)."""
    try:
        _summary(student, class_name)
    except (CheckFailed, StudentFault):
        return False
    return True


def _accuracy(student, class_name, data):
    x_train, y_train, x_test, y_test = data
    predicted = _tool(student, "train_and_predict", class_name, x_train, y_train, x_test,
                      timeout=TRAIN_TIMEOUT, **TRAINING)
    predicted = np.asarray(predicted)
    if predicted.shape != y_test.shape:
        fail(f"After training, {class_name} gave predictions of shape {predicted.shape}; "
             "forward must return class scores of shape (N, 10).")
    return float(np.mean(predicted == y_test))


@points(3)
def test_cnn_beats_mlp(student):
    "Both models trained briefly on freshly generated MNIST-1D: the CNN is accurate and clearly beats the MLP."
    data = _dataset()
    cnn = _accuracy(student, "CNN1D", data)
    expect(cnn >= MIN_CNN_ACCURACY,
           f"After a short training run (Adam, {TRAINING['epochs']} epochs) on freshly "
           f"generated MNIST-1D, CNN1D reached only {cnn:.1%} test accuracy; a working small "
           "CNN gets clearly more. Check the layers: ReLU between the convolutions, the "
           "strides, and that forward accepts signals of shape (N, 40).")
    try:
        mlp = _accuracy(student, "MLP1D", data)
    except (StudentFault, CheckFailed):
        if _runs_on_a_batch(student, "MLP1D"):
            raise
        note("MLP1D could not be trained: it does not give 10 scores per signal for a batch, "
             "which is charged in the MLP1D architecture test only; CNN1D's accuracy was "
             "graded alone.")
        return
    expect(cnn >= mlp + MIN_MARGIN,
           f"After the same short training run, CNN1D reached {cnn:.1%} and MLP1D {mlp:.1%} "
           "test accuracy: the CNN, with far fewer parameters, should win clearly. "
           "Check both architectures.")
