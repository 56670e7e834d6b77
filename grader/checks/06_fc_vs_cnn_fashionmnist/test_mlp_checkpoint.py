"""The trained MLP, saved as `mlp.pt`: its accuracy on the Fashion-MNIST test set."""

from grader.checking import points
from grader.checking.saved_models import SavedModel

HOW_TO_SAVE = ('Save the trained model with `save_checkpoint(mlp, "mlp.pt")` and hand the '
               'file in with the notebook.')
MODEL = SavedModel("MLP", "mlp.pt", "fashion_mnist", HOW_TO_SAVE, full_marks=0.87)


@points(1)
def test_reaches_0_80(student, submitted_files):
    """Test accuracy of your saved MLP: at least 0.80."""
    MODEL.expect_tier(student, submitted_files, 0.80)


@points(1)
def test_reaches_0_84(student, submitted_files):
    """Test accuracy of your saved MLP: at least 0.84."""
    MODEL.expect_tier(student, submitted_files, 0.84)


@points(2)
def test_reaches_0_87(student, submitted_files):
    """Test accuracy of your saved MLP: at least 0.87 (full marks)."""
    MODEL.expect_tier(student, submitted_files, MODEL.full_marks)
