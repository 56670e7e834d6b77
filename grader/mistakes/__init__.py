"""Sample mistakes per assignment: the demo grades them, the tests assert their feedback."""

from grader.mistakes import nb01
from grader.mistakes import nb02
from grader.mistakes import nb03
from grader.mistakes.types import Mistake  # noqa: F401  (re-exported)

MISTAKES = {
    "01_conv1d": nb01.MISTAKES,
    "02_conv2d": nb02.MISTAKES,
    "03_padding_stride_pooling": nb03.MISTAKES,
}
