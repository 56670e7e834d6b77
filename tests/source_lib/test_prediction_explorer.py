"""Tests for source_lib.widgets.prediction_explorer: shifted/scrambled inputs, the models'
probabilities as bars, the widget's wiring and its static fallback."""

import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from source_lib.invariance import fixed_pixel_permutation, permute_pixels, shift_images
from source_lib.widgets import prediction_explorer as explorer

CLASSES = [f"class {k}" for k in range(10)]


class FirstRow(nn.Module):
    """Logits = 5 * the first 10 pixels of the top row: the brightest of them is the class."""

    def forward(self, x):
        return 5.0 * x[:, 0, 0, :10]


class Constant(nn.Module):
    """Always the same probabilities, whatever the image (softmax of 0..9)."""

    def forward(self, x):
        return torch.arange(10.0).expand(len(x), 10)


def _image(column=3):
    image = torch.zeros(1, 8, 12)
    image[0, 0, column] = 1.0
    return image


def _softmax(logits):
    return torch.softmax(torch.as_tensor(logits, dtype=torch.float32), 0).numpy()


def _bar_widths(ax, n_models):
    widths = np.array([patch.get_width() for patch in ax.patches])
    return widths.reshape(n_models, 10)   # one barh call per model, in the models' order


def test_transformed_shifts_then_scrambles():
    image = torch.rand(1, 8, 12, generator=torch.Generator().manual_seed(0))
    permutation = fixed_pixel_permutation(8 * 12, seed=1)
    batch = explorer.transformed(image, dx=2, dy=-1, permutation=permutation)
    expected = permute_pixels(shift_images(image[None], 2, -1), permutation)
    assert batch.shape == (1, 1, 8, 12)
    torch.testing.assert_close(batch, expected)
    torch.testing.assert_close(explorer.transformed(image), image[None])
    with pytest.raises(ValueError, match=r"one image \(C, H, W\)"):
        explorer.transformed(image[None])


def test_bars_are_each_models_probabilities_and_follow_the_shift():
    models = {"row": FirstRow(), "constant": Constant()}
    fig = explorer.render_predictions(models, _image(3), label=3, class_names=CLASSES)
    bars = _bar_widths(fig.axes[1], 2)
    expected_row = _softmax(5.0 * np.eye(10)[3])
    np.testing.assert_allclose(bars[0], expected_row, rtol=1e-5)
    np.testing.assert_allclose(bars[1], _softmax(np.arange(10.0)), rtol=1e-5)
    legend = [text.get_text() for text in fig.axes[1].get_legend().get_texts()]
    assert legend == [f"row: class 3 ({expected_row[3]:.2f})", "constant: class 9 (0.63)"]
    assert fig.axes[1].get_yticklabels()[3].get_fontweight() == "bold"   # the true class
    assert fig.axes[0].get_title() == "true class: class 3\nnot shifted"

    moved = explorer.render_predictions(models, _image(3), label=3, dx=2, class_names=CLASSES)
    assert _bar_widths(moved.axes[1], 2)[0].argmax() == 5          # the bright pixel moved
    assert moved.axes[0].get_title().endswith("shifted 2 right, 0 down")
    np.testing.assert_array_equal(moved.axes[0].images[0].get_array()[0, 5], 1.0)


def test_scrambled_uses_the_scrambled_models_on_the_scrambled_image():
    permutation = torch.arange(96).roll(-4)       # pixel i + 4 moves to position i
    fig = explorer.render_predictions({"row": Constant()}, _image(7), scrambled=True,
                                      permutation=permutation,
                                      scrambled_models={"row": FirstRow()}, class_names=CLASSES)
    assert _bar_widths(fig.axes[1], 1)[0].argmax() == 3            # FirstRow answered
    assert fig.axes[0].get_title() == "not shifted, scrambled"
    # without scrambled models the same models see the scrambled image
    fig = explorer.render_predictions({"row": FirstRow()}, _image(7), scrambled=True,
                                      permutation=permutation, class_names=CLASSES)
    assert _bar_widths(fig.axes[1], 1)[0].argmax() == 3
    with pytest.raises(ValueError, match="needs the permutation"):
        explorer.render_predictions({"row": FirstRow()}, _image(), scrambled=True)


def test_models_get_their_mode_back():
    model = nn.Sequential(FirstRow(), nn.Dropout(0.5)).train()
    explorer.render_predictions({"m": model}, _image(), class_names=CLASSES)
    assert model.training


def test_static_figure_has_the_shifts_and_the_scrambled_image():
    permutation = fixed_pixel_permutation(96, seed=0)
    fig = explorer.static_predictions({"row": FirstRow()}, _image(2), label=2,
                                      permutation=permutation, class_names=CLASSES)
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles == ["not shifted", "shifted 2 right, 0 down", "shifted 4 right, 0 down",
                      "not shifted, scrambled"]
    winners = [_bar_widths(ax, 1)[0].argmax() for ax in fig.axes[4:]]
    assert winners[:3] == [2, 4, 6]
    assert fig._suptitle.get_text() == "true class: class 2"
    no_permutation = explorer.static_predictions({"row": FirstRow()}, _image(), class_names=CLASSES)
    assert len(no_permutation.axes) == 6


def test_figures_do_not_accumulate():
    before = plt.get_fignums()
    explorer.render_predictions({"row": FirstRow()}, _image(), class_names=CLASSES)
    explorer.static_predictions({"row": FirstRow()}, _image(), class_names=CLASSES)
    assert plt.get_fignums() == before


def test_explorer_redraws_on_every_control(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    drawn = []
    original = explorer.render_predictions

    def spy(models, image, label, dx, dy, scrambled, permutation, scrambled_models, names):
        drawn.append((int(image[0, 0].argmax()), label, dx, dy, scrambled))
        return original(models, image, label, dx, dy, scrambled, permutation, scrambled_models,
                        names)

    monkeypatch.setattr(explorer, "render_predictions", spy)
    images = torch.stack([_image(1), _image(6)])
    box = explorer.prediction_explorer({"row": FirstRow()}, images, labels=torch.tensor([1, 6]),
                                       permutation=fixed_pixel_permutation(96),
                                       class_names=CLASSES, max_shift=3)
    index, dx, dy, scramble, output = box.children
    assert isinstance(output, ipywidgets.Output) and isinstance(scramble, ipywidgets.Checkbox)
    assert (index.max, dx.min, dx.max, dy.max) == (1, -3, 3, 3)
    assert index.layout.width == "420px"                       # wide enough to drag
    index.value, dx.value, dy.value, scramble.value = 1, 2, -1, True
    assert drawn == [(1, 1, 0, 0, False), (6, 6, 0, 0, False), (6, 6, 2, 0, False),
                     (6, 6, 2, -1, False), (6, 6, 2, -1, True)]


def test_scramble_box_is_disabled_without_a_permutation():
    pytest.importorskip("ipywidgets")
    box = explorer.prediction_explorer({"row": FirstRow()}, _image()[None], class_names=CLASSES)
    assert box.children[3].disabled
    with pytest.raises(ValueError, match="at least one model"):
        explorer.prediction_explorer({}, _image()[None])


def test_without_ipywidgets_a_static_figure(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` fail
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = explorer.prediction_explorer({"row": FirstRow()}, _image(4)[None],
                                           labels=[4], class_names=CLASSES)
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    assert fig._suptitle.get_text() == "true class: class 4"
