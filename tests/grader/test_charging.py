"""Each mistake charged once: a caller of a wrong graded function is re-checked with a
trusted copy of it, served from the grading process (toy assignment, no training)."""

import textwrap

import nbformat
import numpy as np
import pytest

from grader.grading import trusted_calls
from grader.grading.charging import PartDeclaration, callees_first, read_declaration
from grader.grading.harness import grade_notebook

pytestmark = pytest.mark.xdist_group("charging")

CHECKS = {
    "reference.py": '''
        import numpy as np

        SECRET_REFERENCE_MARKER = "reference source must never reach the student"

        def size(n, k):
            if k > n:
                raise ValueError("kernel does not fit")
            return n - k + 1

        def window_sums(x, k):
            x = np.asarray(x, dtype=float)
            return np.array([x[i:i + k].sum() for i in range(size(len(x), k))])
    ''',
    "test_size.py": '''
        from grader.checking import expect_equal, points

        @points(2)
        def test_size(student):
            "output size"
            for n, k in [(5, 2), (9, 3), (4, 4)]:
                expect_equal(student.call("size", n, k), n - k + 1, f"n={n}, k={k}")
    ''',
    "test_window_sums.py": '''
        import numpy as np
        from grader.checking import expect_close, points

        TRUSTED_CALLEES = ("size",)

        @points(3)
        def test_sums(student):
            "sums over sliding windows"
            x = np.arange(7.0) ** 2
            expect_close(student.call("window_sums", x, 3),
                         [x[i:i + 3].sum() for i in range(5)], "a short signal")

        @points(1)
        def test_kernel_too_long(student):
            "a kernel longer than the signal"
            got = student.call("window_sums", [1.0, 2.0], 2)
            expect_close(got, [3.0], "k == n")
    ''',
    "test_mean_windows.py": '''
        import numpy as np
        from grader.checking import expect_close, points

        GRADES = ("window_means",)
        TRUSTED_CALLEES = ("window_sums", "size")

        @points(2)
        def test_means(student):
            "means over sliding windows"
            x = np.arange(6.0)
            expect_close(student.call("window_means", x, 2),
                         [(x[i] + x[i + 1]) / 2 for i in range(5)], "a short signal")
    ''',
}

RIGHT_SIZE = "def size(n, k):\n    if k > n:\n        raise ValueError('no')\n    return n - k + 1\n"
WRONG_SIZE = "def size(n, k):\n    return n - k\n"
RIGHT_SUMS = '''
import numpy as np
def window_sums(x, k):
    x = np.asarray(x, dtype=float)
    return np.array([x[i:i + k].sum() for i in range(size(len(x), k))])
'''
RIGHT_MEANS = "def window_means(x, k):\n    return window_sums(x, k) / k\n"


@pytest.fixture(scope="module")
def checks_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("checks")
    (root / "toy").mkdir()
    for name, text in CHECKS.items():
        (root / "toy" / name).write_text(textwrap.dedent(text))
    return root


def grade(tmp_path, checks_root, *cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells]
    path = tmp_path / "submission.ipynb"
    nbformat.write(nb, str(path))
    result = grade_notebook(path, "toy", checks_root=checks_root)
    assert result["internal_errors"] == []
    return result


def scores(result):
    return {g: p["score"] for g, p in result["parts"].items()}


def messages(result, part):
    return [t["message"] for t in result["parts"][part]["tests"]]


def test_a_right_caller_of_a_wrong_callee_keeps_its_points(tmp_path, checks_root):
    result = grade(tmp_path, checks_root, WRONG_SIZE, RIGHT_SUMS, RIGHT_MEANS)
    assert scores(result) == {"test_size": 0, "test_window_sums": 4, "test_mean_windows": 2}
    for text in messages(result, "test_window_sums"):
        assert "window_sums is right, but it calls your size, which is wrong: fix size" in text
    assert "fix size" in messages(result, "test_mean_windows")[0]
    assert result["parts"]["test_window_sums"]["tests"][0]["rechecked_with"] == ["size"]
    assert "SECRET" not in str(result) and "kernel does not fit" not in str(result)


def test_a_wrong_caller_keeps_its_first_message_and_loses_points(tmp_path, checks_root):
    wrong_sums = '''
    import numpy as np
    def window_sums(x, k):
        x = np.asarray(x, dtype=float)
        if size(len(x), k) == len(x) - k:          # the student's own, wrong size()
            raise RuntimeError("first-run failure text")
        raise KeyError("second-run text must stay hidden")
    '''
    result = grade(tmp_path, checks_root, WRONG_SIZE, wrong_sums, RIGHT_MEANS)
    assert scores(result) == {"test_size": 0, "test_window_sums": 0, "test_mean_windows": 2}
    assert "fix window_sums" in messages(result, "test_mean_windows")[0]
    text = " ".join(messages(result, "test_window_sums"))
    assert "second-run text" not in text and "re-checked" not in text
    assert "first-run failure text" in text


def test_a_chain_charges_only_the_function_at_its_root(tmp_path, checks_root):
    """window_means -> window_sums -> size: with size wrong, only size loses points and
    window_means is told about size (the function to fix), not window_sums."""
    result = grade(tmp_path, checks_root, WRONG_SIZE, RIGHT_SUMS, RIGHT_MEANS)
    assert result["parts"]["test_mean_windows"]["tests"][0]["rechecked_with"] == ["size"]


def test_a_missing_callee_is_served_too(tmp_path, checks_root):
    result = grade(tmp_path, checks_root, RIGHT_SUMS, RIGHT_MEANS)
    assert scores(result) == {"test_size": 0, "test_window_sums": 4, "test_mean_windows": 2}


def test_no_recheck_when_callees_are_right(tmp_path, checks_root):
    wrong_means = "def window_means(x, k):\n    return window_sums(x, k)\n"
    result = grade(tmp_path, checks_root, RIGHT_SIZE, RIGHT_SUMS, wrong_means)
    assert scores(result) == {"test_size": 2, "test_window_sums": 4, "test_mean_windows": 0}
    assert "re-checked" not in str(result)


def test_the_trusted_callee_bounds_hostile_arguments(tmp_path, checks_root):
    greedy = '''
    import numpy as np
    def window_sums(x, k):
        size(10 ** 9, 3)            # would make the trusted side do unbounded work
        return np.zeros(1)
    '''
    result = grade(tmp_path, checks_root, WRONG_SIZE, greedy, RIGHT_MEANS)
    assert scores(result)["test_window_sums"] == 0


def test_answer_passes_only_values_and_exception_names():
    implementations = {"size": lambda n, k: n - k + 1 if k <= n else (_ for _ in ()).throw(
        ValueError("secret detail"))}
    request = {"callback": "size", "args": [5, 2], "kwargs": {"__dict__": []}}
    assert trusted_calls.answer(implementations, request) == {"value": 4}
    request["args"] = [2, 5]
    assert trusted_calls.answer(implementations, request) == {"error": "ValueError"}
    request["args"] = [10 ** 9, 2]
    assert trusted_calls.answer(implementations, request) == {"error": "ValueError"}
    request["callback"] = "reference_source"
    assert trusted_calls.answer(implementations, request) == {"error": "RuntimeError"}
    big = {"__ndarray__": ["<f8", [1 << 23], ""]}
    assert trusted_calls.answer({"f": np.sum}, {"callback": "f", "args": [big]}) == \
        {"error": "TypeError"}   # malformed: data does not match the shape


def test_declarations_and_order(tmp_path):
    path = tmp_path / "test_caller.py"
    path.write_text('GRADES = ("a", "b")\nTRUSTED_CALLEES = ("b", "c")\n')
    assert read_declaration("test_caller", path) == PartDeclaration(("a", "b"), ("c",))
    path.write_text("x = 1\n")
    assert read_declaration("test_pad2d", path) == PartDeclaration(("pad2d",), ())
    decls = {"test_top": PartDeclaration(("top",), ("mid",)),
             "test_mid": PartDeclaration(("mid",), ("low",)),
             "test_low": PartDeclaration(("low",), ("top",))}   # a cycle still terminates
    assert sorted(callees_first(decls)) == sorted(decls)
    decls["test_low"] = PartDeclaration(("low",), ())
    assert callees_first(decls) == ["test_low", "test_mid", "test_top"]


def test_callees_sharing_state_are_stubbed_together(tmp_path):
    path = tmp_path / "test_fn.py"
    path.write_text('TRUSTED_CALLEES = ("fwd", "bwd", "other")\n'
                    'TRUSTED_TOGETHER = (("fwd", "bwd"),)\n')
    decl = read_declaration("test_fn", path)
    assert decl.together == (("fwd", "bwd"),)
    assert decl.stubbed_with({"bwd"}) == ["fwd", "bwd"]      # a wrong backward brings its forward
    assert decl.stubbed_with({"other"}) == ["other"]
    assert decl.stubbed_with(set()) == []
