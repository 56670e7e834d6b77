"""The trained MLP, saved as `mlp.pt`: its accuracy on the Fashion-MNIST test set."""

from grader.checking import points
from grader.checkpoint_grading import checkpoint_accuracy, expect_accuracy

FILE, FULL_MARKS = "mlp.pt", 0.87
HOW_TO_SAVE = ('Save the trained model with `save_checkpoint(mlp, "mlp.pt")` and hand the '
               'file in with the notebook.')


def _tier(student, submitted_files, at_least):
    accuracy = checkpoint_accuracy(student, submitted_files, "MLP", FILE, "fashion_mnist",
                                   HOW_TO_SAVE)
    expect_accuracy(accuracy, at_least, FULL_MARKS, "MLP", FILE)


@points(1)
def test_reaches_0_80(student, submitted_files):
    """Test accuracy of your saved MLP: at least 0.80."""
    _tier(student, submitted_files, 0.80)


@points(1)
def test_reaches_0_84(student, submitted_files):
    """Test accuracy of your saved MLP: at least 0.84."""
    _tier(student, submitted_files, 0.84)


@points(2)
def test_reaches_0_87(student, submitted_files):
    """Test accuracy of your saved MLP: at least 0.87 (full marks)."""
    _tier(student, submitted_files, FULL_MARKS)
