"""Pictures and widgets for layer geometry: padding, stride, dilation, receptive fields.

    from source_lib.widgets import layer_geometry
    layer_geometry.output_size_explorer(output_size_fn=conv_output_size)   # sliders n, k, p, s, d
    layer_geometry.receptive_field_viewer(receptive_field_fn=receptive_field)

The output-size explorer draws the windows of a 1D layer (every output with a
line to each input it reads, zero padding hatched) and of the same layer in
2D, and evaluates the output-size formula next to *your* function's answer.
The receptive-field viewer builds a small torch model from a stack of
(kernel, stride, dilation) layers, back-propagates from one output unit and
shows which input pixels receive a gradient: that region is *measured*, so it
can be compared with the *formula* your ``receptive_field`` computes.
Without ipywidgets both return a static figure and warn (RuntimeWarning).
"""

import warnings

import numpy as np
from matplotlib.patches import Rectangle

from source_lib.plotting import closed_figure, png_bytes
from source_lib.widgets.layout import LABEL_PX, SLIDER_PX, slider, wrapping_row

PRESETS = {
    "two 3x3": [(3, 1, 1)] * 2,
    "three 3x3": [(3, 1, 1)] * 3,
    "3x3, 2x2 pool, 3x3": [(3, 1, 1), (2, 2, 1), (3, 1, 1)],
    "VGG-like: (3x3, 3x3, pool) x 2": [(3, 1, 1), (3, 1, 1), (2, 2, 1)] * 2,
    "strided 3x3 / 2, 3x3": [(3, 2, 1), (3, 1, 1)],
    "dilated 3x3: d = 1, 2, 4": [(3, 1, 1), (3, 1, 2), (3, 1, 4)],
}
_PAD_STYLE = {"facecolor": "0.88", "edgecolor": "0.45", "hatch": "///", "linestyle": "--"}


def window_taps(n, k, padding=0, stride=1, dilation=1):
    """Input positions (padded coordinates, 0 .. n+2p-1) read by each output, for drawing."""
    padded = n + 2 * padding
    windows, start = [], 0
    while k >= 1 and stride >= 1 and start + dilation * (k - 1) <= padded - 1:
        windows.append([start + j * dilation for j in range(k)])
        start += stride
    return windows


def draw_windows_1d(ax, n, k, padding=0, stride=1, dilation=1):
    """Input row (padding hatched), one output box per window, lines to its taps."""
    windows = window_taps(n, k, padding, stride, dilation)
    padded = n + 2 * padding
    for i in range(padded):
        pad = i < padding or i >= padded - padding
        style = _PAD_STYLE if pad else {"facecolor": "white", "edgecolor": "0.2"}
        ax.add_patch(Rectangle((i - 0.42, -0.42), 0.84, 0.84, **style))
    for j, taps in enumerate(windows):
        colour, centre = f"C{j % 10}", (taps[0] + taps[-1]) / 2
        for tap in taps:
            ax.plot([centre, tap], [1.6, 0.42], color=colour, lw=1.4)
        ax.add_patch(Rectangle((centre - 0.42, 1.6), 0.84, 0.84, facecolor=colour, alpha=0.5,
                               edgecolor="0.2"))
    ax.set_xlim(-1, max(padded, 1))
    ax.set_ylim(-0.8, 2.8)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"1D: {len(windows)} output(s) from {n} inputs + {padding} zero(s) per side",
                 fontsize="medium")
    return len(windows)


def draw_windows_2d(ax, n, k, padding=0, stride=1, dilation=1):
    """An n x n input with padding; the first and the last window's taps, and every window start."""
    windows = window_taps(n, k, padding, stride, dilation)
    padded = n + 2 * padding
    grid = np.zeros((padded, padded))
    grid[padding:padding + n, padding:padding + n] = 1
    ax.imshow(grid, cmap="Greys", vmin=0, vmax=5)   # input light grey, padding white
    for i in range(padded):
        for j in range(padded):
            if grid[i, j] == 0:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, **{
                    key: v for key, v in _PAD_STYLE.items() if key != "facecolor"}))
    if windows:
        for taps, colour in ((windows[0], "C0"), (windows[-1], "C3")):
            for r in taps:
                for c in taps:
                    ax.add_patch(Rectangle((c - 0.4, r - 0.4), 0.8, 0.8, color=colour,
                                           alpha=0.55))
        starts = [taps[0] for taps in windows]
        rows, cols = np.meshgrid(starts, starts, indexing="ij")
        ax.plot(cols.ravel(), rows.ravel(), "k.", markersize=5)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(f"2D: {len(windows)} x {len(windows)} outputs (first / last window; "
                 "dots = window starts)", fontsize="small")


def _formula_text(n, k, padding, stride, dilation, counted, output_size_fn):
    numerator = n + 2 * padding - dilation * (k - 1) - 1
    lines = [f"n={n}, k={k}, padding={padding}, stride={stride}, dilation={dilation}",
             f"floor(({n} + 2*{padding} - {dilation}*({k}-1) - 1) / {stride}) + 1 = "
             f"floor({numerator} / {stride}) + 1 = "
             + (f"{numerator // stride + 1}" if numerator >= 0 else "no window fits"),
             f"windows drawn: {counted}"]
    if output_size_fn is not None:
        try:
            answer = output_size_fn(n, k, padding, stride, dilation)
            mark = "\u2713" if answer == counted and counted > 0 else "\u2717"
            lines.append(f"your function: {answer} {mark}")
        except Exception as error:  # unfinished or raising ValueError when nothing fits
            lines.append(f"your function raised {type(error).__name__}")
    return "\n".join(lines)


def render_output_size(n=7, k=3, padding=1, stride=2, dilation=1, output_size_fn=None):
    """Figure: 1D windows, 2D windows, and the formula (with ``output_size_fn``'s answer)."""
    fig, (axes,) = closed_figure((12, 4.2), 1, 2, gridspec_kw={"width_ratios": [3, 2]})
    counted = draw_windows_1d(axes[0], n, k, padding, stride, dilation)
    draw_windows_2d(axes[1], n, k, padding, stride, dilation)
    axes[0].text(-1, -1.1, _formula_text(n, k, padding, stride, dilation, counted,
                                         output_size_fn), va="top", family="monospace",
                 fontsize="small")
    fig.tight_layout()
    return fig


def _interactive(controls, draw):
    """VBox of controls + an Output showing ``draw(**values)`` as a PNG; None without ipywidgets."""
    try:
        import ipywidgets
        from IPython.display import Image, display
    except ImportError:
        return None
    output = ipywidgets.Output()

    def redraw(change=None):
        png = png_bytes(draw(**{name: control.value for name, control in controls.items()}),
                        dpi=80)
        with output:
            output.clear_output(wait=True)
            display(Image(data=png, format="png"))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    box = ipywidgets.VBox([wrapping_row(controls.values()), output])
    box.redraw = redraw  # lets tests trigger a redraw without a frontend
    return box


def _sliders(specs):
    return {name: slider(value, low, high, name) for name, (value, low, high) in specs.items()}


def _no_widgets(what):
    warnings.warn(f"ipywidgets is not available; showing a static figure instead of the "
                  f"interactive {what}.", RuntimeWarning, stacklevel=3)


def output_size_explorer(n=7, k=3, padding=1, stride=2, dilation=1, output_size_fn=None):
    """Sliders for n, k, padding, stride, dilation over :func:`render_output_size`."""
    try:
        controls = _sliders({"n": (n, 1, 16), "k": (k, 1, 7), "padding": (padding, 0, 4),
                             "stride": (stride, 1, 5), "dilation": (dilation, 1, 4)})
    except ImportError:
        controls = None
    box = None if controls is None else _interactive(
        controls, lambda **v: render_output_size(**v, output_size_fn=output_size_fn))
    if box is None:
        _no_widgets("output-size explorer")
        return render_output_size(n, k, padding, stride, dilation, output_size_fn)
    return box


# ------------------------------------------------------------ receptive fields
def build_stack(layers):
    """torch model: one 1->1 channel Conv2d per (kernel, stride, dilation), all weights 1."""
    import torch
    from torch import nn
    convs = []
    for k, s, d in layers:
        conv = nn.Conv2d(1, 1, int(k), stride=int(s), dilation=int(d), bias=False)
        with torch.no_grad():
            conv.weight.fill_(1.0)   # positive weights: no gradient can cancel to zero
        convs.append(conv)
    return nn.Sequential(*convs)


def measure_receptive_field(layers, unit=None, max_size=1024):
    """Gradient of one output unit w.r.t. the input: (grad (S, S), unit, output side, extent).

    The input side S doubles until the output is at least 3 x 3 (no padding, so every
    unit's field lies inside the input); ``unit`` defaults to the centre unit.
    ``extent`` = (rows, cols) of the smallest box holding every nonzero gradient.
    """
    import torch
    model = build_stack(layers)
    size = 32   # large enough to show a photograph behind small fields
    while True:
        with torch.no_grad():
            try:
                side = model(torch.zeros(1, 1, size, size)).shape[-1]
            except RuntimeError:   # the stack does not fit yet
                side = 0
        if side >= 3 or size >= max_size:
            break
        size *= 2
    if side < 1:
        raise ValueError(f"the stack does not fit in a {max_size} x {max_size} input")
    unit = (side // 2, side // 2) if unit is None else tuple(min(max(u, 0), side - 1) for u in unit)
    x = torch.zeros(1, 1, size, size, requires_grad=True)
    model(x)[0, 0, unit[0], unit[1]].backward()
    grad = x.grad[0, 0].numpy()
    rows, cols = np.nonzero(grad)
    extent = (int(rows.max() - rows.min() + 1), int(cols.max() - cols.min() + 1))
    return grad, unit, side, extent


def render_receptive_field(layers, unit=None, receptive_field_fn=None, ax=None, photo=True):
    """Heat map of the measured field of one output unit, over a photograph; returns the Figure."""
    grad, unit, side, extent = measure_receptive_field(layers, unit)
    if ax is None:
        fig, (axes,) = closed_figure((5.2, 5.4))
        ax = axes[0]
    if photo:
        from source_lib.images import sample_image
        ax.imshow(sample_image("grace_hopper", gray=True, size=grad.shape), cmap="gray")
    shown = np.ma.masked_equal(grad, 0)
    ax.imshow(shown, cmap="magma", alpha=0.75)
    rows, cols = np.nonzero(grad)
    ax.add_patch(Rectangle((cols.min() - 0.5, rows.min() - 0.5), extent[1], extent[0],
                           fill=False, edgecolor="cyan", lw=1.5))
    title = f"unit {unit} of {side}x{side}: measured field {extent[0]} x {extent[1]}"
    if receptive_field_fn is not None:
        try:
            answer = receptive_field_fn([tuple(layer) for layer in layers])
            title += f"\nyour receptive_field: {answer} " + ("\u2713" if answer == extent[0]
                                                              else "\u2717")
        except Exception as error:
            title += f"\nyour receptive_field raised {type(error).__name__}"
    ax.set_title(title, fontsize="small")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax.figure


def receptive_field_viewer(presets=None, receptive_field_fn=None):
    """Pick a preset stack and an output unit; see its measured field (and your formula's)."""
    presets = dict(presets or PRESETS)
    try:
        import ipywidgets
        controls = {"stack": ipywidgets.Dropdown(
            options=list(presets), description="stack", style={"description_width": f"{LABEL_PX}px"},
            layout=ipywidgets.Layout(width=f"{SLIDER_PX + 60}px", flex="0 0 auto"))}
        controls.update(_sliders({"row": (1, 0, 8), "col": (1, 0, 8)}))
    except ImportError:
        controls = None

    def draw(stack, row, col):
        return render_receptive_field(presets[stack], (row, col), receptive_field_fn)

    box = None if controls is None else _interactive(controls, draw)
    if box is not None:
        return box
    _no_widgets("receptive-field viewer")
    names = list(presets)[:3]
    fig, (axes,) = closed_figure((5 * len(names), 5.4), 1, len(names))
    for ax, name in zip(axes, names):
        render_receptive_field(presets[name], None, receptive_field_fn, ax=ax)
        ax.set_title(f"{name}\n" + ax.get_title(), fontsize="small")
    fig.tight_layout()
    return fig
