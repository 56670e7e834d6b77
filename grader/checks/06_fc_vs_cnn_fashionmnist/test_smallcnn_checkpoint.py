"""The trained SmallCNN, saved as `smallcnn.pt`: its accuracy on the Fashion-MNIST test set."""

from grader.checking import points
from grader.checking.saved_models import SavedModel

HOW_TO_SAVE = ('Save the trained model with `save_checkpoint(cnn, "smallcnn.pt")` and hand the '
               'file in with the notebook.')
MODEL = SavedModel("SmallCNN", "smallcnn.pt", "fashion_mnist", HOW_TO_SAVE, full_marks=0.91)


@points(1)
def test_reaches_0_85(student, submitted_files):
    """Test accuracy of your saved SmallCNN: at least 0.85."""
    MODEL.expect_tier(student, submitted_files, 0.85)


@points(1)
def test_reaches_0_89(student, submitted_files):
    """Test accuracy of your saved SmallCNN: at least 0.89."""
    MODEL.expect_tier(student, submitted_files, 0.89)


@points(2)
def test_reaches_0_91(student, submitted_files):
    """Test accuracy of your saved SmallCNN: at least 0.91 (full marks)."""
    MODEL.expect_tier(student, submitted_files, MODEL.full_marks)
