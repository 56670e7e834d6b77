"""Tests for source_lib.widgets.feature_map_browser: the maps of a chosen layer and channels,
one forward pass per image, the widget's wiring and its static fallback."""

import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from source_lib.widgets import feature_map_browser as browser

CLASSES = ["zero", "one", "two", "three"]


class Counting(nn.Sequential):
    """1x1 convolution 1 -> 20 channels (channel k = (k - 10) * image), ReLU, then a 2x2 pool
    to 4 channels' worth of logits; counts its forward passes."""

    def __init__(self):
        conv = nn.Conv2d(1, 20, 1, bias=False)
        with torch.no_grad():
            conv.weight.copy_((torch.arange(20.0) - 10).view(20, 1, 1, 1))
        super().__init__(conv, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(20, 4))
        self.passes = 0

    def forward(self, x):
        self.passes += 1
        return super().forward(x)


def _images():
    return torch.rand(3, 1, 5, 6, generator=torch.Generator().manual_seed(0))


def test_layer_outputs_are_the_maps_of_the_named_layers():
    model, image = Counting(), _images()[0]
    outputs = browser.layer_outputs(model, image, ["0", "1", "4"])
    assert sorted(outputs) == ["0", "1"]              # the Linear's output is not a map
    scales = (torch.arange(20.0) - 10).view(20, 1, 1)
    np.testing.assert_allclose(outputs["0"], (scales * image).numpy(), rtol=1e-6)
    np.testing.assert_allclose(outputs["1"], torch.relu(scales * image).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="no module named"):
        browser.layer_outputs(model, image, ["classifier"])


def test_render_pages_through_the_channels_on_one_scale():
    model, image = Counting(), _images()[1]
    fig = browser.render_channels(model, image, "0", first_channel=16, n_channels=8, ncols=4)
    maps = [ax for ax in fig.axes if ax.images][1:]        # the first one is the input
    assert [ax.get_title() for ax in maps] == [f"channel {k}" for k in (16, 17, 18, 19)]
    np.testing.assert_allclose(maps[1].images[0].get_array(), 7 * image[0].numpy(), rtol=1e-6)
    bound = 10 * image.max().item()   # the largest value of the whole layer, channel 0's
    for ax in maps:
        np.testing.assert_allclose(ax.images[0].get_clim(), (-bound, bound), rtol=1e-6)
    assert fig._suptitle.get_text().startswith("0: 20 channels of 5x6 (channels 16-19;")


def test_input_title_names_the_prediction_and_the_truth():
    model, image = Counting(), _images()[2]
    fig = browser.render_channels(model, image, "1", label=2, class_names=CLASSES)
    with torch.no_grad():
        probabilities = torch.softmax(model.eval()(image[None]), 1)[0]
    guess = int(probabilities.argmax())
    assert fig.axes[0].get_title() == (f"true: two\npredicted: {CLASSES[guess]} "
                                       f"({probabilities[guess]:.2f})")
    assert browser.render_channels(model, image, "1").axes[0].get_title() == "input"


def test_invalid_arguments():
    model, image = Counting(), _images()[0]
    with pytest.raises(ValueError, match=r"first_channel must be in 0\.\.19"):
        browser.render_channels(model, image, "0", first_channel=20)
    with pytest.raises(ValueError, match="no .* feature map"):
        browser.render_channels(model, image, "4")
    with pytest.raises(ValueError, match=r"one image \(C, H, W\)"):
        browser.render_channels(model, image[None], "0")
    with pytest.raises(ValueError, match="at least one module"):
        browser.feature_map_browser(model, _images(), layers=[])


def test_figures_do_not_accumulate():
    before = plt.get_fignums()
    browser.render_channels(Counting(), _images()[0], "0")
    assert plt.get_fignums() == before


def test_browser_redraws_and_runs_the_model_once_per_image(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    drawn = []
    original = browser.render_channels

    def spy(model, image, layer, first, n_channels, label=None, class_names=None, outputs=None):
        drawn.append((layer, first, label))
        return original(model, image, layer, first, n_channels, label=label,
                        class_names=class_names, outputs=outputs)

    monkeypatch.setattr(browser, "render_channels", spy)
    model = Counting()
    box = browser.feature_map_browser(model, _images(), ["0", "2"], labels=[0, 1, 2],
                                      n_channels=8)
    index, layer, first, output = box.children
    assert isinstance(layer, ipywidgets.Dropdown) and isinstance(output, ipywidgets.Output)
    assert list(layer.options) == ["0", "2"] and (first.max, first.step) == (16, 8)
    first.value = 16
    layer.value = "2"            # a 20 x 1 x 1 map: 20 channels, the page stays
    index.value = 2
    index.value = 0              # seen before: no new forward pass
    assert drawn == [("0", 0, 0), ("0", 16, 0), ("2", 16, 0), ("2", 16, 2), ("2", 16, 0)]
    assert model.passes == 2


def test_a_layer_with_fewer_channels_clamps_the_page(monkeypatch):
    pytest.importorskip("ipywidgets")
    model = Counting()
    model.append(nn.Unflatten(1, (4, 1, 1)))   # "5": 4 channels of 1x1
    drawn = []
    monkeypatch.setattr(browser, "render_channels",
                        lambda *args, **kwargs: drawn.append(args[2:4]) or plt.figure())
    box = browser.feature_map_browser(model, _images(), ["0", "5"], n_channels=8)
    _, layer, first, _ = box.children
    first.value = 16
    layer.value = "5"
    assert (first.max, first.value) == (0, 0) and drawn[-1] == ("5", 0)
    assert len(drawn) == 3       # one redraw per change, none for the clamped slider


def test_without_ipywidgets_the_static_feature_maps(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` fail
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = browser.feature_map_browser(Counting(), _images(), ["0", "1"])
    assert isinstance(fig, Figure)
    assert fig._suptitle.get_text().startswith("feature maps")
    assert sum(1 for ax in fig.axes if ax.images) == 1 + 2 * 8   # input + 8 maps per layer
