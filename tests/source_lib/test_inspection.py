"""Tests for source_lib.inspection: worst mistakes, filters and feature maps of a classifier."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402

from source_lib.data.registry import FASHION_MNIST_CLASSES  # noqa: E402
from source_lib.inspection import (  # noqa: E402
    class_probabilities,
    plot_feature_maps,
    plot_first_layer_filters,
    show_worst_mistakes,
    worst_mistakes,
)


class FixedLogits(nn.Module):
    """Returns stored logits for images whose first pixel holds their index."""

    def __init__(self, logits):
        super().__init__()
        self.register_buffer("logits", torch.as_tensor(logits, dtype=torch.float32))
        self.seen_training = []

    def forward(self, x):
        self.seen_training.append(self.training)
        return self.logits[x[:, 0, 0, 0].long()]


def indexed_images(n):
    x = torch.zeros(n, 1, 4, 4)
    x[:, 0, 0, 0] = torch.arange(n, dtype=torch.float32)
    return x


def test_class_probabilities_softmax_in_eval_mode_over_batches():
    logits = torch.randn(7, 3, generator=torch.Generator().manual_seed(0))
    model = FixedLogits(logits).train()
    probabilities = class_probabilities(model, indexed_images(7), batch_size=3)
    np.testing.assert_allclose(probabilities, torch.softmax(logits, 1).numpy(), rtol=1e-6)
    assert model.seen_training == [False, False, False] and model.training


def test_worst_mistakes_most_confident_wrong_first():
    logits = torch.tensor([[5.0, 0, 0],    # right
                           [0, 3.0, 0],    # wrong, confident
                           [0, 0, 1.0],    # wrong, less confident
                           [9.0, 0, 0],    # wrong, most confident
                           [0, 2.0, 0]])   # right
    y = torch.tensor([0, 0, 1, 2, 1])
    mistakes = worst_mistakes(FixedLogits(logits), indexed_images(5), y, n=2)
    np.testing.assert_array_equal(mistakes.indices, [3, 1])
    np.testing.assert_array_equal(mistakes.predicted, [0, 1])
    expected = torch.softmax(logits[[3, 1]], 1).max(1).values.numpy()
    np.testing.assert_allclose(mistakes.confidence, expected, rtol=1e-6)
    everything = worst_mistakes(FixedLogits(logits), indexed_images(5), y.numpy(), n=10)
    np.testing.assert_array_equal(everything.indices, [3, 1, 2])  # only 3 mistakes exist
    with pytest.raises(ValueError, match="labels"):
        worst_mistakes(FixedLogits(logits), indexed_images(5), y[:4])


def test_show_worst_mistakes_titles_true_predicted_probability():
    logits = torch.zeros(4, 10)
    logits[:, 9] = 4.0                      # always "Ankle boot"
    y = torch.tensor([0, 9, 6, 9])
    x = indexed_images(4)
    mistakes = worst_mistakes(FixedLogits(logits), x, y, n=8)
    fig = show_worst_mistakes(x, y, mistakes)
    assert isinstance(fig, Figure) and not plt.get_fignums()
    titles = [ax.get_title() for ax in fig.axes if ax.images]
    p = mistakes.confidence[0]
    assert titles == [f"T-shirt/top /\nAnkle boot ({p:.2f})", f"Shirt /\nAnkle boot ({p:.2f})"]
    none = show_worst_mistakes(x, y, worst_mistakes(FixedLogits(logits), x, torch.full((4,), 9)))
    assert "no mistakes" in [text.get_text() for text in none.axes[0].texts]


def test_class_names_are_the_fashion_mnist_ones():
    assert len(FASHION_MNIST_CLASSES) == 10 and FASHION_MNIST_CLASSES[9] == "Ankle boot"


def test_plot_first_layer_filters_grey_and_rgb():
    weight = torch.randn(12, 1, 3, 3)
    fig = plot_first_layer_filters(weight, ncols=8)
    assert isinstance(fig, Figure) and not plt.get_fignums()
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 12
    np.testing.assert_allclose(images[5].get_array(), weight[5, 0].numpy(), rtol=1e-6)
    bound = weight.abs().max().item()
    assert images[0].get_clim() == pytest.approx((-bound, bound))  # one scale for all
    rgb = plot_first_layer_filters(nn.Conv2d(3, 4, 5).weight)
    arrays = [ax.images[0].get_array() for ax in rgb.axes if ax.images]
    assert len(arrays) == 4 and arrays[0].shape == (5, 5, 3)
    with pytest.raises(ValueError):
        plot_first_layer_filters(torch.randn(4, 3, 3))


class TwoConvs(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                                      nn.MaxPool2d(2), nn.Conv2d(4, 10, 3, padding=1), nn.ReLU())
        self.head = nn.Linear(10 * 4 * 4, 10)

    def forward(self, x):
        return self.head(self.features(x).flatten(1))


def test_plot_feature_maps_hooks_conv_layers_and_leaves_model_unchanged():
    torch.manual_seed(0)
    model = TwoConvs().train()
    state = {name: value.clone() for name, value in model.state_dict().items()}
    image = torch.rand(1, 8, 8)
    fig = plot_feature_maps(model, image, n_channels=6)
    assert isinstance(fig, Figure) and not plt.get_fignums()
    assert model.training
    assert all(torch.equal(state[name], value) for name, value in model.state_dict().items())
    assert not model.features[0]._forward_hooks         # hooks removed
    shown = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(shown) == 1 + 4 + 6                      # input, 4 of conv 0, 6 of conv 4
    with torch.no_grad():
        expected = model.eval().features[0](image[None])[0, 2].numpy()
    np.testing.assert_allclose(shown[3], expected, rtol=1e-5, atol=1e-6)
    labels = [text.get_text() for ax in fig.axes for text in ax.texts]
    assert labels == ["features.0\n4x8x8", "features.4\n10x4x4"]


def test_plot_feature_maps_named_layers_and_2d_image():
    model = TwoConvs()
    fig = plot_feature_maps(model, torch.rand(8, 8), layers=["features.2"], n_channels=3)
    assert len([ax for ax in fig.axes if ax.images]) == 1 + 3
    with pytest.raises(ValueError, match="no module named"):
        plot_feature_maps(model, torch.rand(8, 8), layers=["conv9"])


def test_feature_maps_are_recorded_before_a_following_inplace_relu():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(inplace=True),
                          nn.Flatten(), nn.Linear(4 * 6 * 6, 3))
    fig = plot_feature_maps(model, torch.rand(1, 6, 6), n_channels=4)
    maps = [ax.images[0].get_array() for ax in fig.axes if ax.images][1:]
    assert min(float(np.min(m)) for m in maps) < 0   # the convolution's output, not ReLU's


def test_plot_first_layer_filters_title_and_dense_templates():
    dense = nn.Linear(28 * 28, 5)
    fig = plot_first_layer_filters(dense.weight.reshape(5, 1, 28, 28), title="templates")
    assert fig._suptitle.get_text() == "templates"
    assert [ax.images[0].get_array().shape for ax in fig.axes if ax.images] == [(28, 28)] * 5
