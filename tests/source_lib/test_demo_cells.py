"""source_lib.demo_cells.needs: a demo cell that calls an unfinished exercise says so in
one line and succeeds; every other error still fails the cell.

Cells run here as IPython runs them: code compiled and executed in a namespace named
"__main__" (the notebook's functions and classes live there)."""

import textwrap

import matplotlib.pyplot as plt
import pytest

from source_lib import demo_cells
from source_lib.demo_cells import needs
from source_lib.self_check import TODO_MARK

STUBS = """
def corr2d(X, K):
    # YOUR CODE HERE
    raise NotImplementedError()


def corr2d_multi_in(X, K):
    return sum(corr2d(x, k) for x, k in zip(X, K))


class MLP:
    def __init__(self):
        raise NotImplementedError()


def done(x):
    return 2 * x
"""


@pytest.fixture
def notebook():
    """Run cells like a notebook: returns run(source) -> the namespace."""
    namespace = {"__name__": "__main__", "needs": needs}
    demo_cells._skipped.clear()

    def run(source):
        exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
        return namespace

    run(STUBS)
    yield run
    demo_cells._skipped.clear()


def library_call(function, *args):
    """Course code (not the notebook) calling the student's function, like train_model."""
    return function(*args)


def test_unfinished_exercise_one_line_and_the_cell_goes_on(notebook, capsys):
    namespace = notebook("""
        photo = 1
        with needs("corr2d"):
            edges = corr2d(photo, 2)
            reached = True
        after = "the cell goes on"
    """)
    out = capsys.readouterr().out
    assert out == (f"{TODO_MARK} This cell needs your corr2d, which is not implemented yet: "
                   "skipped for now; run it again once corr2d passes its self-check.\n")
    assert namespace["after"] == "the cell goes on" and namespace["photo"] == 1
    assert "reached" not in namespace and "edges" not in namespace


def test_unfinished_function_called_by_the_named_one_or_by_course_code(notebook, capsys):
    notebook("""
        with needs("corr2d_multi_in"):
            corr2d_multi_in([1], [2])
    """)
    assert ("needs your corr2d_multi_in, and corr2d (which it calls) is not implemented yet"
            in capsys.readouterr().out)
    namespace = notebook("x = 0")
    namespace["library_call"] = library_call
    notebook("""
        with needs("corr2d"):
            library_call(corr2d, 1, 2)
    """)
    assert "This cell needs your corr2d, which is not" in capsys.readouterr().out


def test_a_class_is_named_by_its_methods(notebook, capsys):
    notebook("""
        with needs("MLP"):
            model = MLP()
    """)
    assert "needs your MLP, which is not implemented yet" in capsys.readouterr().out


def test_errors_that_are_not_an_unfinished_named_exercise_propagate(notebook):
    with pytest.raises(NotImplementedError):      # an exercise the cell does not name
        notebook("""
            with needs("MLP"):
                corr2d(1, 2)
        """)
    with pytest.raises(ValueError):
        notebook("""
            with needs("done"):
                done(1)
                raise ValueError("a real bug")
        """)


def test_library_raising_not_implemented_inside_an_exercise_propagates(notebook):
    namespace = notebook("x = 0")

    def unsupported(*args):           # a library's own NotImplementedError (its frame last)
        raise NotImplementedError("not supported on this device")

    namespace["unsupported"] = unsupported
    notebook("""
        def forward(x):
            return unsupported(x)
    """)
    with pytest.raises(NotImplementedError, match="device"):
        notebook("""
            with needs("forward"):
                forward(1)
        """)


def test_later_cells_that_lack_a_skipped_result_say_so(notebook, capsys):
    notebook("""
        with needs("MLP"):
            mlp = MLP()
    """)
    capsys.readouterr()
    notebook("""
        with needs("MLP", "corr2d"):
            print(mlp)
    """)
    out = capsys.readouterr().out
    assert out == (f"{TODO_MARK} This cell needs your MLP, not implemented yet: skipped for "
                   "now, as an earlier cell that needs it was (name 'mlp' is not defined).\n")


def test_a_name_error_is_real_when_nothing_was_skipped(notebook):
    with pytest.raises(NameError):
        notebook("""
            with needs("MLP"):
                print(mlp)
        """)
    notebook("""
        with needs("MLP"):
            MLP()
    """)
    notebook("""
        class MLP:
            pass
    """)
    notebook("""
        with needs("MLP"):
            mlp = MLP()
    """)                                          # ran cleanly: MLP is no longer skipped
    with pytest.raises(NameError):
        notebook("""
            with needs("MLP"):
                print(typo_in_the_cell)
        """)


def test_a_name_error_inside_a_function_is_real(notebook):
    notebook("""
        with needs("MLP"):
            MLP()
        def plot():
            return undefined_inside
    """)
    with pytest.raises(NameError):
        notebook("""
            with needs("MLP"):
                plot()
        """)


def test_figures_of_a_skipped_block_are_closed(notebook):
    namespace = notebook("x = 0")
    namespace["plt"] = plt
    notebook("""
        before = plt.figure()
        with needs("corr2d"):
            fig, ax = plt.subplots()
            ax.imshow(corr2d(1, 2))
    """)
    assert plt.get_fignums() == [namespace["before"].number]
    notebook("""
        with needs("done"):
            kept = plt.figure()
            done(1)
    """)
    assert namespace["kept"].number in plt.get_fignums()


def test_needs_takes_names():
    with pytest.raises(TypeError, match="names of the exercises"):
        needs()
    with pytest.raises(TypeError):
        needs(len)
