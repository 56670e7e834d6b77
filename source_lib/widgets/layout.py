"""Slider sizes that leave a draggable track at a normal notebook width.

    from source_lib.widgets.layout import slider, wide, wrapping_row, track_width

An ipywidgets slider is one flex row: description label, track, readout. With the default
description (80 px) and readout (72 px minimum) a 210 px slider keeps a track of about 34 px,
and an HBox narrower than its sliders shrinks them further (03's explorer: 14 px). So every
slider here gets a fixed width, a narrower description, and no shrinking; rows of sliders
wrap onto the next line instead of squeezing.
"""

# ipywidgets 8 CSS (jupyterlab_widgets): --jp-widgets-inline-label-width, the label's
# right margin (2 x --jp-widgets-inline-margin), --jp-widgets-inline-width-tiny plus the
# readout's left margin, and the track container's margins (handle 16 px / 2 - 2 px each side).
LABEL_MARGIN_PX, READOUT_PX, TRACK_MARGINS_PX = 8, 72 + 4, 2 * (16 // 2 - 2)
DEFAULT_LABEL_PX, DEFAULT_SLIDER_PX = 80, 300
SLIDER_PX, LABEL_PX = 280, 64          # track: 280 - 72 - 76 - 12 = 120 px
MIN_TRACK_PX = 100                     # comfortable to drag with a mouse


def _px(value, default):
    value = value or ""
    return int(value[:-2]) if value.endswith("px") else default


def track_width(slider):
    """Width in px of a horizontal slider's track, from its Layout and style (CSS of ipywidgets 8).

    Assumes the slider is not shrunk by its container (see ``wrapping_row``)."""
    width = _px(slider.layout.width, DEFAULT_SLIDER_PX)
    label = _px(slider.style.description_width, DEFAULT_LABEL_PX) if slider.description else 0
    return width - (label + LABEL_MARGIN_PX if slider.description else 0) - READOUT_PX - TRACK_MARGINS_PX


def slider(value, low, high, description, step=1, continuous_update=False):
    """An IntSlider of fixed width that never shrinks, with a 64 px description."""
    import ipywidgets
    return ipywidgets.IntSlider(value=value, min=low, max=high, step=step, description=description,
                                continuous_update=continuous_update,
                                style={"description_width": f"{LABEL_PX}px"},
                                layout=ipywidgets.Layout(width=f"{SLIDER_PX}px", flex="0 0 auto"))


def wrapping_row(children):
    """An HBox whose children wrap onto new lines instead of being squeezed."""
    import ipywidgets
    return ipywidgets.HBox(list(children), layout=ipywidgets.Layout(flex_flow="row wrap"))


CONTROL_WIDTH = "420px"        # 06/07's controls: a 214 px track beside labels such as
DESCRIPTION_WIDTH = "110px"    # "first channel", without truncation


def wide(ipywidgets):
    """Keyword arguments for any ipywidgets control (slider, dropdown, check box) of the
    widgets with long labels: its fixed width, never shrunk, and its label's width."""
    return {"layout": ipywidgets.Layout(width=CONTROL_WIDTH, flex="0 0 auto"),
            "style": {"description_width": DESCRIPTION_WIDTH}}
