"""The trained SmallCNN, saved as `smallcnn.pt`: its accuracy on the Fashion-MNIST test set."""

from grader.checking import points
from grader.checkpoint_grading import checkpoint_accuracy, expect_accuracy

FILE, FULL_MARKS = "smallcnn.pt", 0.91
HOW_TO_SAVE = ('Save the trained model with `save_checkpoint(cnn, "smallcnn.pt")` and hand the '
               'file in with the notebook.')


def _tier(student, submitted_files, at_least):
    accuracy = checkpoint_accuracy(student, submitted_files, "SmallCNN", FILE, "fashion_mnist",
                                   HOW_TO_SAVE)
    expect_accuracy(accuracy, at_least, FULL_MARKS, "SmallCNN", FILE)


@points(1)
def test_reaches_0_85(student, submitted_files):
    """Test accuracy of your saved SmallCNN: at least 0.85."""
    _tier(student, submitted_files, 0.85)


@points(1)
def test_reaches_0_89(student, submitted_files):
    """Test accuracy of your saved SmallCNN: at least 0.89."""
    _tier(student, submitted_files, 0.89)


@points(2)
def test_reaches_0_91(student, submitted_files):
    """Test accuracy of your saved SmallCNN: at least 0.91 (full marks)."""
    _tier(student, submitted_files, FULL_MARKS)
