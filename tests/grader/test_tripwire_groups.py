"""The tripwire groups: window views, fold, pooling and padding are caught when armed, and a
hand-written backward that hides autograd is caught and charged to the backward (05)."""

import nbformat
import numpy as np
import pytest

from grader.checking import BY_HAND_2D, NO_AUTOGRAD, NO_PADDING, NO_POOLING, load_reference
from grader.errors import ForbiddenOperation
from grader.checking.source_scan import forbidden_in_source
from grader.course.layout import CHECKS_ROOT
from grader.grading.definitions import extract_definitions
from grader.grading.student import StudentProxy

pytestmark = pytest.mark.xdist_group("tripwires")

STUDENT_CODE = '''
import numpy as np
import torch
from torch import nn

def window_view(x):
    views = getattr(np.lib.stride_tricks, "sliding_" + "window_view")
    return views(np.asarray(x), (2, 2)).sum(axis=(-1, -2))

def torch_strided(x):
    t = torch.as_tensor(x)
    return getattr(t, "as_" + "strided")((2, 2), (1, 1)).numpy()

def pool_module(x):
    layer = getattr(nn, "Max" + "Pool2d")(2)
    return layer(torch.as_tensor(x)[None, None]).numpy()[0, 0]

def pad_numpy(x):
    return getattr(np, "p" + "ad")(np.asarray(x), 1)

def pad_torch(x):
    functional = torch.nn.functional
    return getattr(functional, "p" + "ad")(torch.as_tensor(x), (1, 1, 1, 1)).numpy()

def fold_back(x):
    cols = torch.as_tensor(x).reshape(1, 4, 4)
    return getattr(torch.nn.functional, "fo" + "ld")(cols, (4, 4), (2, 2), stride=2).numpy()

def forward(x):
    return x * 2, x

def backward_hidden_grad(dout, cache):
    t = torch.tensor(cache, requires_grad=True)
    g, = getattr(torch.autograd, "gr" + "ad")((t * 2).sum(), t)
    return g.numpy()
'''

CASES = [("window_view", BY_HAND_2D), ("torch_strided", BY_HAND_2D), ("fold_back", BY_HAND_2D),
         ("pool_module", NO_POOLING), ("pad_numpy", NO_PADDING), ("pad_torch", NO_PADDING)]


@pytest.fixture(scope="module")
def student():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(STUDENT_CODE)]
    with StudentProxy(extract_definitions(nb), default_timeout=20) as proxy:
        yield proxy


@pytest.mark.parametrize("name, groups", CASES)
def test_hidden_uses_are_caught_at_run_time(student, name, groups):
    x = np.arange(16.0).reshape(4, 4)
    with pytest.raises(ForbiddenOperation):
        student.call(name, x, forbid=groups)


@pytest.mark.parametrize("name, groups", CASES)
def test_the_same_code_runs_when_not_armed(student, name, groups):
    x = np.arange(16.0).reshape(4, 4)
    assert np.all(np.isfinite(student.call(name, x)))


def test_plain_uses_are_found_in_the_source():
    source = ("from numpy.lib.stride_tricks import sliding_window_view\n"
              "def f(x):\n    y = np.pad(x, 1)\n    z = F.max_pool2d(y, 2)\n"
              "    return sliding_window_view(z, 2), F.fold(z, 2, 2), x.as_strided((1,), (1,))\n")
    assert forbidden_in_source(source, BY_HAND_2D) == [
        "F.fold", "numpy.lib.stride_tricks.sliding_window_view", "x.as_strided"]
    assert forbidden_in_source(source, NO_PADDING) == ["np.pad"]
    assert forbidden_in_source(source, NO_POOLING) == ["F.max_pool2d"]


def test_hidden_autograd_is_caught_at_run_time_and_charged_to_the_backward(student):
    pairs = load_reference(CHECKS_ROOT / "05_conv_backprop" / "reference.py", "pairs")
    with pytest.raises(ForbiddenOperation, match="backward_hidden_grad"):
        pairs.run_pair(student, "forward", "backward_hidden_grad", (np.ones(3),), np.ones(3),
                       forbid_backward=NO_AUTOGRAD)
    got = pairs.run_pair(student, "forward", "backward_hidden_grad", (np.ones(3),), np.ones(3))
    assert np.allclose(got[1], 2.0)
