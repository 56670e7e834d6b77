"""The fine-tuned few-label model, saved as `transfer.pt`: its accuracy on the test images of
the five target classes (dog, frog, horse, ship, truck), which pretraining never saw.

Tiers, from benchmarks/bench_transfer.py (the notebook's recipe: the course backbone
fine-tuned on 100 labelled images per class, 300 steps): the reference reaches 0.716 to 0.734
over three seeds (median 0.716). Full marks at 0.68 leave 3.5 points below the worst seed;
0.60 is what training from scratch reaches on the same 100 labels per class (0.59 to 0.60 in
the notebook's section 4.1): a model above it got something from transfer; 0.45 is what
quick mode's model gives (0.50 on the test subset), a little more than twice chance (0.20).
"""

from grader.checking import points
from grader.checking.saved_models import SavedModel

HOW_TO_SAVE = ('Save the fine-tuned model with `save_checkpoint(model, "transfer.pt")` and '
               'hand the file in with the notebook.')
MODEL = SavedModel("TransferNet", "transfer.pt", "cifar10_target", HOW_TO_SAVE,
                   full_marks=0.68)


@points(1)
def test_reaches_0_45(student, submitted_files):
    """Target test accuracy of your saved TransferNet: at least 0.45."""
    MODEL.expect_tier(student, submitted_files, 0.45)


@points(1)
def test_reaches_0_60(student, submitted_files):
    """Target test accuracy of your saved TransferNet: at least 0.60."""
    MODEL.expect_tier(student, submitted_files, 0.60)


@points(2)
def test_reaches_0_68(student, submitted_files):
    """Target test accuracy of your saved TransferNet: at least 0.68 (full marks)."""
    MODEL.expect_tier(student, submitted_files, MODEL.full_marks)
