"""What the widgets built from controls and an Output area share: the redraw.

    from source_lib.widgets.frame import show_figure
    show_figure(output, fig)      # replaces what the Output area shows

Control sizes live in ``source_lib.widgets.layout`` (``slider``, ``wide``).
"""

from source_lib.plotting import png_bytes


def show_figure(output, fig, dpi=80):
    """Show ``fig`` as a PNG in the ``ipywidgets.Output`` area, in place of what it showed."""
    from IPython.display import Image, display
    with output:
        output.clear_output(wait=True)   # wait: no flicker between frames
        display(Image(data=png_bytes(fig, dpi=dpi), format="png"))
