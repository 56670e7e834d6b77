"""The trained CifarNet, saved as `cifarnet.pt`: its accuracy on the CIFAR-10 test set."""

from grader.checking import points
from grader.checkpoint_grading import checkpoint_accuracy, expect_accuracy

FILE, FULL_MARKS = "cifarnet.pt", 0.80
HOW_TO_SAVE = ('Save the trained model with `save_checkpoint(model, "cifarnet.pt")` and hand '
               'the file in with the notebook.')


def _tier(student, submitted_files, at_least):
    accuracy = checkpoint_accuracy(student, submitted_files, "CifarNet", FILE, "cifar10",
                                   HOW_TO_SAVE)
    expect_accuracy(accuracy, at_least, FULL_MARKS, "CifarNet", FILE)


@points(1)
def test_reaches_0_70(student, submitted_files):
    """Test accuracy of your saved CifarNet: at least 0.70."""
    _tier(student, submitted_files, 0.70)


@points(1)
def test_reaches_0_75(student, submitted_files):
    """Test accuracy of your saved CifarNet: at least 0.75."""
    _tier(student, submitted_files, 0.75)


@points(2)
def test_reaches_0_80(student, submitted_files):
    """Test accuracy of your saved CifarNet: at least 0.80 (full marks)."""
    _tier(student, submitted_files, FULL_MARKS)
