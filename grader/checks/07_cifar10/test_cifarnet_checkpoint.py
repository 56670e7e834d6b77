"""The trained CifarNet, saved as `cifarnet.pt`: its accuracy on the CIFAR-10 test set."""

from grader.checking import points
from grader.checking.saved_models import SavedModel

HOW_TO_SAVE = ('Save the trained model with `save_checkpoint(model, "cifarnet.pt")` and hand '
               'the file in with the notebook.')
MODEL = SavedModel("CifarNet", "cifarnet.pt", "cifar10", HOW_TO_SAVE, full_marks=0.80)


@points(1)
def test_reaches_0_70(student, submitted_files):
    """Test accuracy of your saved CifarNet: at least 0.70."""
    MODEL.expect_tier(student, submitted_files, 0.70)


@points(1)
def test_reaches_0_75(student, submitted_files):
    """Test accuracy of your saved CifarNet: at least 0.75."""
    MODEL.expect_tier(student, submitted_files, 0.75)


@points(2)
def test_reaches_0_80(student, submitted_files):
    """Test accuracy of your saved CifarNet: at least 0.80 (full marks)."""
    MODEL.expect_tier(student, submitted_files, MODEL.full_marks)
