"""The untrusted worker: isolation, timeouts, crashes, forbidden operations."""

import nbformat
import numpy as np
import pytest

from grader.checking import BY_HAND
from grader.errors import (BadReturnValue, ForbiddenOperation, MissingDefinition, StudentCodeError,
                           StudentTimeout, WorkerCrashed)
from grader.grading.definitions import extract_definitions
from grader.grading.student import StudentProxy

STUDENT_CODE = '''
import os
import numpy as np
from numpy import convolve as early_binding

def add(a, b):
    return np.asarray(a) + b

def shape_of(x):
    return tuple(x.shape)

def hang():
    while True:
        pass

def boom():
    raise KeyError("oops")

def uses_library(a, b):
    return np.convolve(a, b)

def hides_library(a, b):
    return getattr(np, "con" + "volve")(a, b)

def early(a, b):
    return early_binding(a, b)

def swallows(a, b):
    try:
        return np.convolve(a, b)
    except Exception:
        return np.zeros(3)

def dies():
    os._exit(3)

def returns_object():
    return object()

def chatty():
    print("noise " * 1000)
    return 5

def exits():
    raise SystemExit(0)

def patch_allclose():
    np.allclose = lambda *a, **k: True
    return np.allclose(1, 2)

def writes_file():
    with open("scratch.txt", "w") as handle:
        handle.write("x")
    return os.getcwd()

def hog():
    return np.ones(1 << 31).sum()

def broken_at_definition():
    return 1

BROKEN = 1 / 0
'''


@pytest.fixture(scope="module")
def student():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(STUDENT_CODE), nbformat.v4.new_code_cell("def late(:\n")]
    with StudentProxy(extract_definitions(nb), default_timeout=5) as proxy:
        yield proxy


def test_values_and_tensors_cross_the_process_boundary(student):
    assert student.call("add", [1.0, 2.0], 1).tolist() == [2.0, 3.0]
    import torch
    assert student.call("shape_of", torch.zeros(2, 3)) == (2, 3)


def test_student_errors_are_reported_with_their_location(student):
    with pytest.raises(StudentCodeError) as caught:
        student.call("boom")
    assert caught.value.exc_type == "KeyError" and "cell 0, line" in caught.value.feedback


def test_missing_names_and_broken_definitions(student):
    with pytest.raises(MissingDefinition) as caught:
        student.call("late")
    assert "syntax error" in caught.value.feedback
    with pytest.raises(MissingDefinition) as caught:
        student.call("BROKEN")
    assert "ZeroDivisionError" in caught.value.feedback


@pytest.mark.parametrize("name", ["uses_library", "hides_library", "early", "swallows"])
def test_forbidden_operations_are_detected(student, name):
    with pytest.raises(ForbiddenOperation) as caught:
        student.call(name, [1.0, 2.0], [1.0], forbid=BY_HAND)
    assert "numpy" in caught.value.feedback or "np." in caught.value.feedback


def test_forbidden_operations_are_allowed_when_not_armed(student):
    assert student.call("hides_library", [1.0, 2.0], [1.0]).tolist() == [1.0, 2.0]


def test_hang_times_out_and_the_worker_is_replaced(student):
    restarts = student.restarts
    with pytest.raises(StudentTimeout):
        student.call("hang", timeout=1)
    assert student.call("add", 1, 1) == 2
    assert student.restarts == restarts + 1


def test_crash_is_contained(student):
    with pytest.raises(WorkerCrashed) as caught:
        student.call("dies")
    assert "exit code 3" in caught.value.feedback
    assert student.call("add", 2, 2) == 4


def test_system_exit_and_prints_do_not_break_the_protocol(student):
    with pytest.raises(StudentCodeError):
        student.call("exits")
    assert student.call("chatty") == 5


def test_unsendable_return_value(student):
    with pytest.raises(BadReturnValue):
        student.call("returns_object")


def test_monkeypatching_numpy_stays_in_the_worker(student):
    assert student.call("patch_allclose") is True
    assert not np.allclose(1, 2)


def test_worker_runs_in_a_scratch_directory(student, tmp_path):
    cwd = student.call("writes_file")
    assert "grader-worker-" in cwd
    assert not (tmp_path / "scratch.txt").exists()


def test_runaway_memory_fails_in_the_worker_only(student):
    with pytest.raises(StudentCodeError) as caught:
        student.call("hog")
    assert caught.value.exc_type == "MemoryError"
    assert student.call("add", 1, 2) == 3


def test_a_notebook_whose_loading_hangs_costs_one_load_timeout(monkeypatch):
    """Loading hangs once: later calls fail at once instead of hanging again each time."""
    import time

    from grader.grading import student as student_module
    monkeypatch.setattr(student_module, "LOAD_TIMEOUT", 2.0)
    code = "import time\nSTALL = time.sleep(60)\ndef f():\n    return 1\n"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    with StudentProxy(extract_definitions(notebook)) as proxy:
        with pytest.raises(StudentTimeout, match="loading your notebook"):
            proxy.call("f")
        started = time.perf_counter()
        for _ in range(3):
            with pytest.raises(StudentTimeout, match="within 2 s"):
                proxy.call("f")
        assert time.perf_counter() - started < 1.0
