"""Browse a trained CNN's feature maps: pick an image and a layer, page through its channels.

    from source_lib.widgets.feature_map_browser import feature_map_browser, render_channels
    feature_map_browser(model, x_test[:50], layers=["features.0", "features.2"],
                        labels=y_test[:50], class_names=CIFAR10_CLASSES)

The browser runs the model once per image in eval mode (forward hooks, as
``source_lib.inspection.plot_feature_maps``) and shows the input with the model's prediction,
and ``n_channels`` maps of the chosen layer from a chosen first channel, all on one red/blue
scale centred on 0 (white: 0). Without ipywidgets it returns the static
``plot_feature_maps`` figure of the first image (with a RuntimeWarning).
"""

import warnings

import numpy as np
import torch

from source_lib.inspection import (_hooked_modules, _record_outputs, class_probabilities,
                                   plot_feature_maps)
from source_lib.plotting import closed_figure
from source_lib.widgets import frame, layout


def _batch_of_one(image):
    batch = torch.as_tensor(image, dtype=torch.float32)
    if batch.ndim != 3:
        raise ValueError(f"expected one image (C, H, W), got shape {tuple(batch.shape)}")
    return batch[None]


def layer_outputs(model, image, layers):
    """{layer name: its output (C, H', W') for ``image`` (C, H, W)} for the named modules
    (names from ``model.named_modules()``); layers whose output is not a map are left out."""
    outputs = _record_outputs(model, _batch_of_one(image), _hooked_modules(model, layers))
    return {name: maps for name, maps in outputs.items() if maps.ndim == 3}


def _image_title(model, batch, label, class_names):
    if class_names is None:
        return "input"
    probabilities = class_probabilities(model, batch)[0]
    guess = int(probabilities.argmax())
    truth = "" if label is None else f"true: {class_names[int(label)]}\n"
    return f"{truth}predicted: {class_names[guess]} ({probabilities[guess]:.2f})"


def _show_input(ax, batch, title):
    shown = batch[0].permute(1, 2, 0).numpy() if batch.shape[1] == 3 else batch[0, 0].numpy()
    ax.imshow(shown.clip(0, 1), cmap=None if shown.ndim == 3 else "gray")
    ax.set_title(title, fontsize="small")


def render_channels(model, image, layer, first_channel=0, n_channels=16, ncols=8, label=None,
                    class_names=None, outputs=None):
    """The input and channels ``first_channel`` .. ``+ n_channels - 1`` of ``layer``'s output
    (fewer at the end); returns the Figure. ``outputs``: a :func:`layer_outputs` result to
    reuse (it must contain ``layer``); with ``class_names`` the input is titled with the
    model's prediction (and the true class when ``label`` is given)."""
    batch = _batch_of_one(image)
    maps = (outputs if outputs is not None else layer_outputs(model, image, [layer])).get(layer)
    if maps is None:
        raise ValueError(f"layer {layer!r} gives no (C, H, W) feature map for this image")
    if not 0 <= first_channel < len(maps):
        raise ValueError(f"first_channel must be in 0..{len(maps) - 1}, got {first_channel}")
    shown = maps[first_channel:first_channel + n_channels]
    nrows = -(-len(shown) // ncols)
    fig, axes = closed_figure((1.25 * ncols + 2.6, 1.35 * nrows + 0.9), nrows, ncols + 1,
                              gridspec_kw={"width_ratios": [2] + [1] * ncols})
    for ax in axes.ravel():
        ax.axis("off")
    _show_input(axes[0, 0], batch, _image_title(model, batch, label, class_names))
    bound = max(float(np.abs(maps).max()), 1e-12)   # one scale for the whole layer
    for offset, values in enumerate(shown):
        ax = axes[offset // ncols, 1 + offset % ncols]
        ax.imshow(values, cmap="RdBu_r", vmin=-bound, vmax=bound)
        ax.set_title(f"channel {first_channel + offset}", fontsize="x-small")
    channels, height, width = maps.shape
    fig.suptitle(f"{layer}: {channels} channels of {height}x{width} (channels {first_channel}-"
                 f"{first_channel + len(shown) - 1}; white: 0, red: positive, blue: negative)",
                 fontsize="medium")
    fig.tight_layout()
    return fig


def _controls(ipywidgets, count, layers, n_channels):
    wide = layout.wide(ipywidgets)
    return {"index": ipywidgets.IntSlider(0, 0, count - 1, description="image", **wide),
            "layer": ipywidgets.Dropdown(options=list(layers), description="layer", **wide),
            "first": ipywidgets.IntSlider(0, 0, 0, step=n_channels, description="first channel",
                                          **wide)}


def feature_map_browser(model, images, layers, labels=None, class_names=None, n_channels=16):
    """Image slider, layer menu and a first-channel slider (steps of ``n_channels``); redraws
    :func:`render_channels`. ``images``: (N, C, H, W). Returns an ``ipywidgets.VBox``;
    without ipywidgets, :func:`source_lib.inspection.plot_feature_maps` of the first image."""
    layers = list(layers)
    if not layers:
        raise ValueError("layers must name at least one module of the model")
    _hooked_modules(model, layers)   # unknown names fail now, not at the first redraw
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available; showing the first channels of every layer "
                      "for one image as a static figure instead of the browser.", RuntimeWarning,
                      stacklevel=2)
        return plot_feature_maps(model, images[0], layers=layers)
    controls = _controls(ipywidgets, len(images), layers, n_channels)
    output, cache, state = ipywidgets.Output(), {}, {"busy": False}

    def redraw(change=None):
        if state["busy"]:   # the channel slider moved because its range changed: drawn below
            return
        index, layer = controls["index"].value, controls["layer"].value
        if index not in cache:   # one forward pass per image, for all layers
            cache[index] = layer_outputs(model, images[index], layers)
        state["busy"] = True
        try:   # a layer with fewer channels clamps the first channel
            controls["first"].max = (len(cache[index][layer]) - 1) // n_channels * n_channels
        finally:
            state["busy"] = False
        label = None if labels is None else int(labels[index])
        # looked up at call time so that tests can observe the redraws
        fig = render_channels(model, images[index], layer, controls["first"].value, n_channels,
                              label=label, class_names=class_names, outputs=cache[index])
        frame.show_figure(output, fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([*controls.values(), output])
