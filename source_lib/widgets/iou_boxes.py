"""Move and resize two boxes with sliders and read their IoU, computed by *your* ``iou``.

    from source_lib.widgets.iou_boxes import iou_boxes
    iou_boxes(iou)

A preset (identical, disjoint, touching, contained, half overlap) places both boxes; eight
sliders move them (top-left corner x, y) and resize them (width, height; 0 makes a degenerate
box) on a 100 x 100 canvas, y down as in an image. The picture shades the intersection,
outlines the union and gives ``iou(A, B)`` in its title (source_lib.detection.diagrams
.iou_picture). While ``iou`` raises NotImplementedError the cell prints one line and shows no
widget; an error of ``iou`` while sliding is one line in the picture's place. Without
ipywidgets, a static figure of every preset (with a RuntimeWarning).
"""

import warnings

from source_lib.detection.diagrams import iou_picture, iou_value
from source_lib.plotting import closed_figure
from source_lib.widgets import layout, unfinished

CANVAS = 100
# (A, B) as corners (x1, y1, x2, y2): the cases the notebook's checks talk about
PRESETS = {
    "half overlap": ((10, 25, 50, 65), (30, 25, 70, 65)),   # each box half inside the other
    "identical": ((25, 25, 65, 65), (25, 25, 65, 65)),
    "disjoint": ((5, 10, 35, 40), (55, 50, 90, 85)),
    "touching": ((10, 25, 45, 65), (45, 25, 80, 65)),
    "contained": ((10, 10, 80, 80), (30, 30, 60, 60)),
}
FIELDS = ("x", "y", "width", "height")


def corners(x, y, width, height):
    """A box's corners (x1, y1, x2, y2) from its top-left corner and size."""
    return (x, y, x + width, y + height)


def _fields(box):
    x1, y1, x2, y2 = box
    return {"x": x1, "y": y1, "width": x2 - x1, "height": y2 - y1}


def render_iou_boxes(box_a, box_b, iou_fn):
    """The IoU picture of boxes A and B (corners) on the canvas; returns the Figure."""
    far = max(CANVAS, *box_a[2:], *box_b[2:])   # a box pushed past the canvas stays in view
    fig = iou_picture(box_a, box_b, iou_fn, limits=(0, far if far == CANVAS else far + 5))
    fig.axes[0].set_xlabel(f"A = {tuple(box_a)}, B = {tuple(box_b)}  (x1, y1, x2, y2)",
                           fontsize="small")
    fig.tight_layout()
    return fig


def static_presets(iou_fn):
    """Every preset's picture side by side; returns the Figure."""
    fig, axes = closed_figure((3.6 * len(PRESETS), 4.2), 1, len(PRESETS))
    for ax, (name, (box_a, box_b)) in zip(axes[0], PRESETS.items()):
        iou_picture(box_a, box_b, iou_fn, limits=(0, CANVAS), ax=ax)
        ax.set_title(f"{name}: IoU = {iou_value(iou_fn, box_a, box_b):.3f}", fontsize="medium")
        ax.get_legend().remove()
    fig.tight_layout()
    return fig


def _controls(ipywidgets, preset):
    """The preset menu and, per box, its four sliders (keys "A x", ..., "B height")."""
    menu = ipywidgets.Dropdown(options=list(PRESETS), value=preset, description="preset",
                               **layout.wide(ipywidgets))
    sliders = {}
    for name, box in zip("AB", PRESETS[preset]):
        for field, value in _fields(box).items():
            high = CANVAS - 5 if field in ("x", "y") else CANVAS
            sliders[f"{name} {field}"] = layout.slider(int(value), 0, high, f"{name} {field}",
                                                       continuous_update=True)
    return menu, sliders


def _boxes(sliders):
    return tuple(corners(*(sliders[f"{name} {field}"].value for field in FIELDS))
                 for name in "AB")


def iou_boxes(iou_fn, preset="half overlap"):
    """The widget (see the module): returns an ``ipywidgets.VBox``, None (one line printed)
    while ``iou_fn`` raises NotImplementedError, or without ipywidgets the static figure."""
    if not unfinished.ready(lambda: iou_value(iou_fn, *PRESETS[preset]), iou_fn, "iou"):
        return None     # a line says what to do
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available; showing every preset as a static figure "
                      "instead of the interactive boxes.", RuntimeWarning, stacklevel=2)
        return static_presets(iou_fn)
    menu, sliders = _controls(ipywidgets, preset)
    output = ipywidgets.Output()
    placing = []    # set while a preset moves the sliders: one redraw, not eight

    def redraw(change=None):
        if not placing:
            # looked up at call time so that tests can observe the redraws
            unfinished.draw_or_explain(output, lambda: render_iou_boxes(*_boxes(sliders),
                                                                        iou_fn), iou_fn, "iou")

    def place(change):
        placing.append(True)
        try:
            for name, box in zip("AB", PRESETS[change["new"]]):
                for field, value in _fields(box).items():
                    sliders[f"{name} {field}"].value = int(value)
        finally:
            placing.clear()
        redraw()

    menu.observe(place, names="value")
    for control in sliders.values():
        control.observe(redraw, names="value")
    columns = [ipywidgets.VBox([ipywidgets.HTML(f"<b>box {name}</b>")]
                               + [sliders[f"{name} {field}"] for field in FIELDS])
               for name in "AB"]
    redraw()
    return ipywidgets.VBox([menu, layout.wrapping_row(columns), output])
