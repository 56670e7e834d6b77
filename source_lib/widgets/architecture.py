"""Edit a small CNN and watch its layer table, parameters and MACs update.

    from source_lib.widgets.architecture import architecture_editor
    architecture_editor(layer_table_fn=layer_table, model_macs_fn=model_macs)

Three convolution layers (channels, kernel, stride, groups each) + ReLU, then global average
pooling and a linear classifier. The counts come from *your* ``layer_table`` and
``model_macs``: this module only builds the model and draws. Without ipywidgets (or without
a frontend) a static figure of the default architecture is shown, with a warning.
"""

import contextlib
import io
import warnings

from torch import nn

from source_lib.plotting import closed_figure, png_bytes
from source_lib.widgets.layout import slider, wrapping_row

DEFAULT_LAYERS = ((16, 3, 1, 1), (32, 3, 2, 1), (32, 3, 1, 32))  # (channels, kernel, stride, groups)


def build_cnn(layers, in_channels=3, num_classes=10):
    """nn.Sequential of Conv2d(padding k//2) + ReLU per (channels, kernel, stride, groups),
    then AdaptiveAvgPool2d(1), Flatten, Linear(channels, num_classes). ValueError when a
    groups value does not divide the channels (raised by nn.Conv2d)."""
    modules, channels = [], in_channels
    for c_out, k, stride, groups in layers:
        modules += [nn.Conv2d(channels, c_out, k, stride=stride, padding=k // 2, groups=groups),
                    nn.ReLU()]
        channels = c_out
    modules += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*modules)


def _summary(layers, input_shape, layer_table_fn, model_macs_fn):
    """(rows, macs, problem): the student's results, or a message saying what failed."""
    try:
        model = build_cnn(layers, in_channels=input_shape[1])
    except ValueError as error:
        return [], None, f"invalid layer: {error}"
    try:
        with contextlib.redirect_stdout(io.StringIO()):   # the table is drawn, not printed
            rows = list(layer_table_fn(model, input_shape))
        macs = model_macs_fn(model, input_shape)
    except NotImplementedError:
        return [], None, "implement layer_table and model_macs first"
    except Exception as error:  # the student's code: show its error, keep the widget alive
        return [], None, f"{type(error).__name__}: {error}"
    return rows, macs, None


def describe_layer(module):
    """A short type label for the table, e.g. "Conv2d 3->16, 3x3, s1, g1"."""
    if isinstance(module, nn.Conv2d):
        return (f"Conv2d {module.in_channels}->{module.out_channels}, "
                f"{module.kernel_size[0]}x{module.kernel_size[1]}, s{module.stride[0]}, "
                f"g{module.groups}")
    if isinstance(module, nn.Linear):
        return f"Linear {module.in_features}->{module.out_features}"
    return type(module).__name__


def render_architecture(layers=DEFAULT_LAYERS, input_shape=(1, 3, 32, 32),
                        layer_table_fn=None, model_macs_fn=None):
    """A figure: the layer table (name, type, output shape, params) and the totals."""
    rows, macs, problem = _summary(layers, input_shape, layer_table_fn, model_macs_fn)
    if problem:
        fig, axes = closed_figure((8.5, 1.2))
        axes[0, 0].axis("off")
        axes[0, 0].text(0.5, 0.5, problem, ha="center", va="center", wrap=True)
        return fig
    modules = dict(build_cnn(layers, in_channels=input_shape[1]).named_modules())
    cells = [[name, describe_layer(modules[name]) if name in modules else "?",
              str(tuple(shape)), f"{params:,}"] for name, shape, params in rows]
    total = sum(r[2] for r in rows)
    cells.append(["total", "", "", f"{total:,}"])
    # Height follows the row count so no empty band is left under the table.
    fig, axes = closed_figure((8.5, 0.26 * (len(cells) + 1) + 0.5))
    ax = axes[0, 0]
    ax.axis("off")
    table = ax.table(cellText=cells, colLabels=["layer", "type", "output shape", "params"],
                     colWidths=[0.08, 0.42, 0.3, 0.2], cellLoc="left", bbox=[0, 0, 1, 1])
    table.auto_set_font_size(False)
    table.set_fontsize(9)
    ax.set_title(f"input {tuple(input_shape)}: {total:,} parameters, {macs:,} MACs",
                 fontsize=10)
    return fig


def architecture_editor(layer_table_fn, model_macs_fn, input_shape=(1, 3, 32, 32)):
    """Sliders for each layer's channels, kernel, stride and groups; the figure updates."""
    try:
        import ipywidgets as widgets
        from IPython.display import display
    except ImportError:
        warnings.warn("ipywidgets is not available: showing the default architecture only.")
        return render_architecture(DEFAULT_LAYERS, input_shape, layer_table_fn, model_macs_fn)
    # one column per layer (its name over its four sliders); the columns wrap on a narrow page
    controls = [[slider(c, 1, 128, "C_out", continuous_update=True),
                 slider(k, 1, 7, "kernel", step=2, continuous_update=True),
                 slider(s, 1, 3, "stride", continuous_update=True),
                 slider(g, 1, 128, "groups", continuous_update=True)]
                for c, k, s, g in DEFAULT_LAYERS]
    columns = [widgets.VBox([widgets.HTML(f"<b>conv{index + 1}</b>")] + row)
               for index, row in enumerate(controls)]
    image = widgets.Image(format="png")

    def redraw(change=None):
        layers = [tuple(w.value for w in row) for row in controls]
        image.value = png_bytes(render_architecture(layers, input_shape, layer_table_fn,
                                                    model_macs_fn))

    for row in controls:
        for control in row:
            control.observe(redraw, names="value")
    redraw()
    display(widgets.VBox([wrapping_row(columns), image]))
    return None


def plot_cost_split(splits, ax=None):
    """Bars of the share of parameters and of MACs in the conv body vs the dense head.

    splits: {network: {"params": (body, head), "macs": (body, head)}} (numbers you counted).
    """
    if ax is None:
        fig, axes = closed_figure((8, 3.6))
        ax = axes[0, 0]
    else:
        fig = ax.figure
    names = list(splits)
    for offset, key, colors in [(-0.2, "params", ("#4c72b0", "#dd8452")),
                                (0.2, "macs", ("#8fb0de", "#f2bf99"))]:
        body = [splits[n][key][0] / max(sum(splits[n][key]), 1) for n in names]
        head = [1 - b for b in body]
        xs = [i + offset for i in range(len(names))]
        ax.bar(xs, body, 0.38, color=colors[0], label=f"{key}: conv body")
        ax.bar(xs, head, 0.38, bottom=body, color=colors[1], label=f"{key}: dense head")
    ax.set_xticks(range(len(names)), names)
    ax.set_xlabel("left bar: parameters, right bar: MACs")
    ax.set_ylabel("share of the network's total")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.tight_layout()
    return fig
