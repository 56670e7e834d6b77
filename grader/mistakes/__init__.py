"""Sample mistakes per assignment: the demo grades them, the tests assert their feedback."""

from grader.mistakes import nb01
from grader.mistakes.types import Mistake  # noqa: F401  (re-exported)

MISTAKES = {
    "01_conv1d": nb01.MISTAKES,
}
