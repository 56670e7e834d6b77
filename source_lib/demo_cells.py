"""Demo cells that use an exercise: one line instead of a crash while it is unfinished.

A figure or experiment cell that calls an exercise puts those lines in a ``needs`` block::

    photo = sample_image("grace_hopper", gray=True)     # later cells use it: outside
    with needs("corr2d"):
        edges = corr2d(photo, SOBEL_X)
        plt.imshow(edges)

While ``corr2d`` is still the stub, the block stops at the NotImplementedError and prints
one line ("This cell needs your corr2d, which is not implemented yet: ...") and the cell
succeeds, so "Run All" and "Run selected cell and all below" go on to the next cells
(Run All still stops at the exercise's own check cell: that one fails on purpose).
Figures the block opened are closed: no half-drawn figure under the line.

What counts: a NotImplementedError raised inside a function or class defined in the
notebook (the stub, or the student's code calling it) whose name is one of the named
exercises, also when course code called it (``train_model(..., train_epoch, ...)``).
Every other error propagates unchanged: a bug is never hidden. A cell whose inputs come
from a skipped block (``mlp`` was never trained) names the same exercises: a NameError
raised in the block itself, while one of them was skipped since it last ran cleanly,
gets the same one line.
"""

import sys

from source_lib.self_check import TODO_MARK, is_notebook_code, raised_in

# exercises whose stub ended a block, until a block that names them runs cleanly
_skipped = set()


def _names_of(frame):
    """The names a notebook frame answers to: its function and, for a method, its class
    (``CNN1D.__init__`` -> {"CNN1D", "__init__"})."""
    return set(frame.f_code.co_qualname.split(".")) - {"<locals>"}


def _frames(traceback):
    frames = []
    while traceback is not None:
        frames.append(traceback.tb_frame)
        traceback = traceback.tb_next
    return frames


def _listed(names):
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def needs(*exercises):
    """``with needs("corr2d"):`` around the lines of a demo cell that call the exercises
    ``exercises`` (names of functions or classes defined in the notebook); see the module's
    docstring."""
    if not exercises or not all(isinstance(name, str) for name in exercises):
        raise TypeError("needs() takes the names of the exercises, e.g. needs('corr2d')")
    return _Needs(exercises)


def _open_figures():
    pyplot = sys.modules.get("matplotlib.pyplot")   # no pyplot imported: no figures
    return set(pyplot.get_fignums()) if pyplot is not None else set()


class _Needs:
    def __init__(self, exercises):
        self.exercises = exercises
        self.figures = set()

    def __enter__(self):
        self.figures = _open_figures()
        return self

    def __exit__(self, exception_type, error, traceback):
        if exception_type is None:
            _skipped.difference_update(self.exercises)
            return False
        skipped = False
        if issubclass(exception_type, NotImplementedError):
            skipped = self._unfinished(traceback)
        elif issubclass(exception_type, NameError) and traceback.tb_next is None:
            skipped = self._missing_input(error)     # raised by the cell's own lines
        if skipped:
            for number in _open_figures() - self.figures:
                sys.modules["matplotlib.pyplot"].close(number)
        return skipped

    def _unfinished(self, traceback):
        frames = _frames(traceback)
        if not is_notebook_code(frames[-1]):
            return False            # raised by a library (an unsupported operation): real
        notebook = [frame for frame in frames if is_notebook_code(frame)]
        met = [name for name in self.exercises if any(name in _names_of(f) for f in notebook)]
        if not met:
            return False            # not an exercise this cell names: a real error
        _skipped.update(met)
        stub = raised_in(traceback)
        if stub in met:
            detail = f"{stub}, which is not implemented yet"
        else:
            detail = f"{met[0]}, and {stub} (which it calls) is not implemented yet"
        print(f"{TODO_MARK} This cell needs your {detail}: skipped for now; run it again "
              f"once {stub} passes its self-check.")
        return True

    def _missing_input(self, error):
        waiting = [name for name in self.exercises if name in _skipped]
        if not waiting:
            return False            # nothing this cell needs was skipped: a real error
        them = "it" if len(waiting) == 1 else "them"
        print(f"{TODO_MARK} This cell needs your {_listed(waiting)}, not implemented yet: "
              f"skipped for now, as an earlier cell that needs {them} was ({error}).")
        return True
