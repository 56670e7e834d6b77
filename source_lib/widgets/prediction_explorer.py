"""Shift or scramble one test image and watch several models' predicted probabilities.

    from source_lib.widgets.prediction_explorer import prediction_explorer, render_predictions
    prediction_explorer({"MLP": mlp, "SmallCNN": cnn}, x_test[:100], y_test[:100],
                        permutation=permutation,
                        scrambled_models={"MLP": scrambled_mlp, "SmallCNN": scrambled_cnn})

Sliders pick a test image and a shift (right/down, zeros uncovered, as
``source_lib.invariance.shift_images``); a check box scrambles the pixels with the fixed
``permutation`` (after the shift: a scrambled copy of the shifted photograph). While it is
on, the models of ``scrambled_models`` answer (models made for scrambled images; without
them the same models see the scrambled image). Each model's class probabilities are drawn
as bars. Without ipywidgets a static figure of a few shifts and the scrambled image is
returned instead (with a RuntimeWarning).
"""

import warnings

import numpy as np
import torch

from source_lib.data.registry import FASHION_MNIST_CLASSES
from source_lib.inspection import class_probabilities
from source_lib.invariance import permute_pixels, shift_images
from source_lib.plotting import closed_figure
from source_lib.widgets import frame, layout

STATIC_SHIFTS = (0, 2, 4)   # pixels to the right in the static figure


def transformed(image, dx=0, dy=0, permutation=None):
    """One image (C, H, W) as the models see it: a batch of one (1, C, H, W), shifted by
    ``dx`` right and ``dy`` down, then scrambled with ``permutation`` if one is given."""
    batch = torch.as_tensor(image, dtype=torch.float32)
    if batch.ndim != 3:
        raise ValueError(f"expected one image (C, H, W), got shape {tuple(batch.shape)}")
    batch = shift_images(batch[None], dx, dy)
    return batch if permutation is None else permute_pixels(batch, permutation)


def model_probabilities(models, batch):
    """{name: class probabilities (K,)} of every model for a batch of one image."""
    return {name: class_probabilities(model, batch)[0] for name, model in models.items()}


def _draw_image(ax, batch, title):
    ax.imshow(batch[0, 0].numpy(), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize="medium")
    ax.axis("off")


def _draw_bars(ax, probabilities, label, class_names, names_shown=True):
    """Horizontal bars, one group per class (top: class 0), one bar per model."""
    count = len(probabilities)
    height = 0.8 / max(count, 1)
    positions = np.arange(len(class_names))
    for index, (name, values) in enumerate(probabilities.items()):
        ax.barh(positions - 0.4 + height * (index + 0.5), values, height, color=f"C{index}",
                label=f"{name}: {class_names[int(values.argmax())]} ({values.max():.2f})")
    ax.set_yticks(positions, class_names if names_shown else [""] * len(class_names))
    if label is not None and names_shown:
        ax.get_yticklabels()[int(label)].set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("predicted probability")
    # above the bars: inside, it would hide the bars of some class
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize="small", frameon=False)


def _condition(models, image, dx, dy, scrambled, permutation, scrambled_models):
    """(batch the models see, their probabilities, title) for one setting of the controls."""
    if scrambled and permutation is None:
        raise ValueError("scrambled=True needs the permutation")
    batch = transformed(image, dx, dy, permutation if scrambled else None)
    answering = scrambled_models if scrambled and scrambled_models else models
    moved = f"shifted {dx} right, {dy} down" if dx or dy else "not shifted"
    return batch, model_probabilities(answering, batch), moved + (", scrambled" if scrambled else "")


def render_predictions(models, image, label=None, dx=0, dy=0, scrambled=False,
                       permutation=None, scrambled_models=None,
                       class_names=FASHION_MNIST_CLASSES):
    """The image as the models see it and their class probabilities; returns the Figure.

    ``label``: the true class (its name is printed in bold), or None."""
    batch, probabilities, title = _condition(models, image, dx, dy, scrambled, permutation,
                                             scrambled_models)
    fig, axes = closed_figure((9, 3.8), 1, 2, gridspec_kw={"width_ratios": [1, 2.2]})
    truth = "" if label is None else f"true class: {class_names[int(label)]}\n"
    _draw_image(axes[0, 0], batch, truth + title)
    _draw_bars(axes[0, 1], probabilities, label, class_names)
    fig.tight_layout()
    return fig


def static_predictions(models, image, label=None, permutation=None, scrambled_models=None,
                       class_names=FASHION_MNIST_CLASSES, shifts=STATIC_SHIFTS):
    """A few shifts to the right (and the scrambled image, given a permutation) side by side:
    images on top, every model's probabilities below. Returns the Figure."""
    settings = [(dx, False) for dx in shifts] + ([(0, True)] if permutation is not None else [])
    fig, axes = closed_figure((3.3 * len(settings) + 1.2, 6.2), 2, len(settings),
                              gridspec_kw={"height_ratios": [1, 1.5]})
    for column, (dx, scrambled) in enumerate(settings):
        batch, probabilities, title = _condition(models, image, dx, 0, scrambled, permutation,
                                                 scrambled_models)
        _draw_image(axes[0, column], batch, title)
        _draw_bars(axes[1, column], probabilities, label, class_names, names_shown=column == 0)
    if label is not None:
        fig.suptitle(f"true class: {class_names[int(label)]}")
    fig.tight_layout()
    return fig


def _controls(ipywidgets, count, max_shift, can_scramble):
    wide = layout.wide(ipywidgets)
    return {"index": ipywidgets.IntSlider(0, 0, count - 1, description="test image", **wide),
            "dx": ipywidgets.IntSlider(0, -max_shift, max_shift, description="shift right",
                                       **wide),
            "dy": ipywidgets.IntSlider(0, -max_shift, max_shift, description="shift down",
                                       **wide),
            "scrambled": ipywidgets.Checkbox(False, description="scramble the pixels",
                                             disabled=not can_scramble)}


def prediction_explorer(models, images, labels=None, permutation=None, scrambled_models=None,
                        class_names=FASHION_MNIST_CLASSES, max_shift=4):
    """Sliders (test image, shift right, shift down) and a scramble check box; redraws
    :func:`render_predictions`. ``images``: (N, C, H, W); ``labels``: (N,) or None.

    Returns an ``ipywidgets.VBox``; without ipywidgets, :func:`static_predictions` of the
    first image (with a RuntimeWarning)."""
    if not models:
        raise ValueError("models must name at least one model: {name: model}")
    label_of = (lambda i: None) if labels is None else (lambda i: int(labels[i]))
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available; showing a few shifts of one image as a "
                      "static figure instead of the interactive explorer.", RuntimeWarning,
                      stacklevel=2)
        return static_predictions(models, images[0], label_of(0), permutation,
                                  scrambled_models, class_names)
    controls = _controls(ipywidgets, len(images), int(max_shift), permutation is not None)
    output = ipywidgets.Output()

    def redraw(change=None):
        index = controls["index"].value
        # looked up at call time so that tests can observe the redraws
        fig = render_predictions(models, images[index], label_of(index), controls["dx"].value,
                                 controls["dy"].value, controls["scrambled"].value,
                                 permutation, scrambled_models, class_names)
        frame.show_figure(output, fig)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([*controls.values(), output])
