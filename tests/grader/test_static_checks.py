from grader.checking import BY_HAND
from grader.checking.source_scan import forbidden_in_source


def test_library_calls_are_found():
    source = "def f(a, b):\n    import numpy as np\n    return np.convolve(a, b)\n"
    assert forbidden_in_source(source, BY_HAND) == ["np.convolve"]
    source = "def f(x, w):\n    return F.conv1d(x, w) + x.unfold(0, 2, 1).sum()\n"
    assert forbidden_in_source(source, BY_HAND) == ["F.conv1d", "x.unfold"]


def test_imports_of_forbidden_names_and_modules_are_found():
    source = "def f(a, b):\n    from scipy.signal import fftconvolve as fc\n    return fc(a, b)\n"
    assert forbidden_in_source(source, BY_HAND) == ["scipy.signal.fftconvolve"]


def test_own_helpers_and_plain_loops_are_fine():
    source = ("def conv1d_matrix(w, n):\n    out = correlate1d(x, w)\n"
              "    for i in range(n):\n        out[i] += w[0]\n    return out\n")
    assert forbidden_in_source(source, BY_HAND, own_names={"correlate1d"}) == []
    assert forbidden_in_source(None, BY_HAND) == []
    assert forbidden_in_source("def broken(:", BY_HAND) == []


def test_only_requested_groups_are_checked():
    source = "def f(x, w):\n    return torch.nn.functional.conv1d(x, w)\n"
    assert forbidden_in_source(source, ["numpy.convolve"]) == []


def test_04s_formula_rule_flags_library_counting_but_not_variable_names():
    from grader.authoring.implementations import implementation
    from grader.checking import load_reference
    from grader.course.layout import CHECKS_ROOT
    assignment = "04_param_counting"
    mis = load_reference(CHECKS_ROOT / assignment / "reference.py", "misconceptions")
    assert mis.library_counting("def f(a):\n    parameters = summary = a * 2\n    return parameters") == []
    by_loop = implementation(assignment, "written_differently").cells["conv2d_params"]
    assert mis.library_counting(by_loop) == []
    used = mis.library_counting("def f(a):\n    return sum(p.numel() for p in nn.Conv2d(a, 2, 3).parameters())")
    assert used == ["Conv2d", "numel", "parameters"]
