"""Helpers that run inside the untrusted worker, on the student's objects.

Each tool is ``tool(namespace, *args, **kwargs)`` where ``namespace`` is the
dict of the student's executed definitions. Checks reach them through
``student.tool(name, ...)``. Tools only ever receive inputs the student's code
may see (never test labels): accuracy and thresholds are computed in the
trusted grading process. Self-contained on purpose (numpy and torch only).

One module per notebook; this registry is what the worker looks tools up in.
"""

from gradeworker.tools.augment_blocks import TOOLS as _AUGMENT_BLOCKS
from gradeworker.tools.backprop import TOOLS as _BACKPROP
from gradeworker.tools.detection import TOOLS as _DETECTION
from gradeworker.tools.saved_models import TOOLS as _SAVED_MODELS
from gradeworker.tools.models import TOOLS as _MODELS
from gradeworker.tools.spec_models import TOOLS as _SPEC_MODELS
from gradeworker.tools.speed import TOOLS as _SPEED
from gradeworker.tools.style import TOOLS as _STYLE
from gradeworker.tools.training_loops import TOOLS as _TRAINING_LOOPS
from gradeworker.tools.transfer import TOOLS as _TRANSFER

TOOLS = {**_MODELS, **_SPEED, **_SPEC_MODELS, **_BACKPROP, **_SAVED_MODELS, **_TRAINING_LOOPS,
         **_AUGMENT_BLOCKS, **_TRANSFER, **_STYLE, **_DETECTION}
