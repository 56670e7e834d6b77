"""What the widgets that run a student's function (10's iou_boxes, nms_threshold) share:
one printed line instead of a traceback while that function is unfinished or fails.

    from source_lib.widgets.unfinished import draw_or_explain, ready
    if not ready(lambda: iou(box_a, box_b), iou, "iou"):
        return None                                           # one line was printed
    draw_or_explain(output, lambda: render(...), iou, "iou")   # in a redraw
"""

from source_lib.self_check import FAIL_MARK, TODO_MARK
from source_lib.widgets import frame


def name_of(function, default):
    """The student's function's name, as the notebook calls it (``default`` for a lambda)."""
    name = getattr(function, "__name__", "")
    return name if name.isidentifier() else default


def unfinished_line(function, default):
    """The one line a widget prints while ``function`` raises NotImplementedError."""
    name = name_of(function, default)
    return (f"{TODO_MARK} This widget needs your {name}, which is not implemented yet: run "
            f"this cell again once {name} passes its self-check.")


def failure_line(function, default, error):
    """The one line a widget prints when drawing with ``function`` raised ``error``."""
    return (f"{FAIL_MARK} The picture could not be drawn with your "
            f"{name_of(function, default)}: {type(error).__name__}: {error}")


def explain(function, default, error):
    """The line for ``error``: unfinished (NotImplementedError) or a failure."""
    if isinstance(error, NotImplementedError):
        return unfinished_line(function, default)
    return failure_line(function, default, error)


def draw_or_explain(output, draw, function, default):
    """Show ``draw()``'s figure in the Output area ``output``; if it raises, print the one
    line of :func:`explain` there instead (the widget stays alive). True when drawn."""
    try:
        fig = draw()
    except Exception as error:   # the student's function: say what happened, no traceback
        with output:
            output.clear_output(wait=True)
            print(explain(function, default, error))
        return False
    frame.show_figure(output, fig)
    return True


def ready(call, function, default):
    """Run ``call()`` (the student's ``function`` on the widget's first input): False, after
    printing :func:`unfinished_line`, while it raises NotImplementedError; else True (another
    error is left to the widget's first redraw, which shows it as one line)."""
    try:
        call()
    except NotImplementedError:
        print(unfinished_line(function, default))
        return False
    except Exception:   # shown by the first redraw, as one line
        pass
    return True
