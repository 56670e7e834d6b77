"""What the widgets built from sliders and an Output area share: control sizes and redraws.

    from source_lib.widgets.frame import show_figure, wide
    slider = ipywidgets.IntSlider(0, 0, 9, description="image", **wide(ipywidgets))
    show_figure(output, fig)      # replaces what the Output area shows
"""

from source_lib.plotting import png_bytes

CONTROL_WIDTH = "420px"        # a slider track long enough to drag at a normal window size
DESCRIPTION_WIDTH = "110px"    # room for labels such as "first channel" without truncation


def wide(ipywidgets):
    """Keyword arguments for an ipywidgets control: its width and its label's width."""
    return {"layout": ipywidgets.Layout(width=CONTROL_WIDTH),
            "style": {"description_width": DESCRIPTION_WIDTH}}


def show_figure(output, fig, dpi=80):
    """Show ``fig`` as a PNG in the ``ipywidgets.Output`` area, in place of what it showed."""
    from IPython.display import Image, display
    with output:
        output.clear_output(wait=True)   # wait: no flicker between frames
        display(Image(data=png_bytes(fig, dpi=dpi), format="png"))
