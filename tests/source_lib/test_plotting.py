"""Tests for source_lib.plotting: the helpers draw the given data and return Figure/Axes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.container import StemContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from source_lib import plotting  # noqa: E402
from source_lib.training.loops import History  # noqa: E402


def _texts(ax):
    return [text.get_text() for text in ax.texts]


def test_plot_signals_lines_and_legend():
    ax = plotting.plot_signals({"x": [1, 2, 3], "y": torch.tensor([0.5, -1.0])}, title="two")
    assert isinstance(ax, Axes) and ax.get_title() == "two"
    signal_lines = [line for line in ax.lines if line.get_label() in {"x", "y"}]
    np.testing.assert_allclose(signal_lines[0].get_ydata(), [1, 2, 3])
    np.testing.assert_allclose(signal_lines[1].get_xdata(), [0, 1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "y"]


def test_plot_signals_stem_on_given_axes_offsets_signals():
    fig, ax = plt.subplots()
    returned = plotting.plot_signals({"f": [1, 0, 2], "g": [3, 4, 5]}, ax=ax, stem=True)
    assert returned is ax
    stems = [c for c in ax.containers if isinstance(c, StemContainer)]
    assert len(stems) == 2
    x_f, y_f = stems[0].markerline.get_data()
    x_g, _ = stems[1].markerline.get_data()
    np.testing.assert_allclose(y_f, [1, 0, 2])
    assert np.all(np.asarray(x_f) < np.asarray(x_g))  # side by side, not on top


def test_plot_matrix_shows_values_and_annotates_small_matrices():
    matrix = np.array([[1, -2, 0], [3, 4, 5], [-1, 0, 2]])
    ax = plotting.plot_matrix(matrix, title="kernel matrix")
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), matrix)
    assert image.get_clim() == (-5, 5)  # diverging map centred on zero
    assert _texts(ax) == ["1", "-2", "0", "3", "4", "5", "-1", "0", "2"]
    assert ax.get_title() == "kernel matrix"


def test_plot_matrix_large_or_forced_annotation():
    big = plotting.plot_matrix(np.random.default_rng(0).random((20, 20)))
    assert _texts(big) == [] and big.images[0].get_cmap().name == "viridis"
    small = plotting.plot_matrix([[0.25, 0.5]], annotate=False)
    assert _texts(small) == []
    forced = plotting.plot_matrix([[0.25, 0.5]], annotate=True)
    assert _texts(forced) == ["0.25", "0.50"]
    with pytest.raises(ValueError, match="2-D"):
        plotting.plot_matrix(np.zeros(3))


def _history(acc):
    return History(train_loss=[1.0, 0.6, 0.4], train_acc=[0.5, 0.7, 0.8],
                   val_loss=[1.1, 0.8, 0.7], val_acc=acc, seconds=[0.1] * 3)


def test_learning_curves_compare_runs():
    fig = plotting.plot_learning_curves({"lr 0.1": _history([0.4, 0.6, 0.7]),
                                         "lr 0.01": _history([0.3, 0.5, 0.9])},
                                        metrics=("train_loss", "val_acc", "val_loss"))
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    acc_ax = fig.axes[1]
    assert acc_ax.get_title() == "validation accuracy"
    assert [line.get_label() for line in acc_ax.lines] == ["lr 0.1", "lr 0.01"]
    np.testing.assert_allclose(acc_ax.lines[1].get_ydata(), [0.3, 0.5, 0.9])
    np.testing.assert_allclose(acc_ax.lines[1].get_xdata(), [1, 2, 3])


def test_learning_curves_single_history_dict_and_missing_metric():
    no_val = History(train_loss=[1.0, 0.5], train_acc=[0.5, 0.6])
    fig = plotting.plot_learning_curves(no_val.to_dict())
    loss_ax, acc_ax = fig.axes
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), [1.0, 0.5])
    assert len(acc_ax.lines) == 0 and loss_ax.get_legend() is None


def test_mnist1d_examples_one_column_per_class():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(50, 40)), np.arange(50) % 10
    t = np.linspace(0, 1, 40)
    names = [f"digit {i}" for i in range(10)]
    fig = plotting.plot_mnist1d_examples(x, y, t=t, n_per_class=2, class_names=names)
    axes = np.array(fig.axes).reshape(2, 10)
    assert [ax.get_title() for ax in axes[0]] == names
    first_of_class_3 = axes[0, 3].lines[0]
    np.testing.assert_allclose(first_of_class_3.get_xdata(), t)
    np.testing.assert_allclose(first_of_class_3.get_ydata(), x[3])
    np.testing.assert_allclose(axes[1, 3].lines[0].get_ydata(), x[13])


def test_mnist1d_examples_hides_rows_without_examples():
    x, y = np.zeros((3, 40)), np.array([0, 0, 1])
    fig = plotting.plot_mnist1d_examples(x[:, None, :], y, n_per_class=2)
    visible = [ax.get_visible() for ax in fig.axes]
    assert visible == [True, True, True, False]  # row-major: class 1 has one example


def test_show_images_channels_first_float_with_names():
    images = np.random.default_rng(0).random((5, 3, 8, 6)).astype(np.float32)
    fig = plotting.show_images(images, labels=[0, 1, 2, 1, 0], class_names=["cat", "dog", "owl"],
                               ncols=4)
    axes = fig.axes
    assert len(axes) == 8
    shown = [ax for ax in axes if ax.images]
    assert len(shown) == 5
    assert shown[2].get_title() == "owl"
    np.testing.assert_allclose(shown[0].images[0].get_array(), images[0].transpose(1, 2, 0))


def test_show_images_grey_uint8_and_normalised_tensors():
    grey = np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 4, 4)
    fig = plotting.show_images(grey)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (0, 255)
    np.testing.assert_array_equal(image.get_array(), grey[0])

    normalised = torch.tensor([[[[-1.0, 1.0], [0.0, 3.0]]]])  # (1, 1, 2, 2), outside [0, 1]
    fig = plotting.show_images(normalised, labels=torch.tensor([7]))
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), [[0, 0.5], [0.25, 1]])
    assert fig.axes[0].get_title() == "7"
    with pytest.raises(ValueError, match="expected images"):
        plotting.show_images(np.zeros((2, 2, 3, 4, 5)))


def test_confusion_matrix_values_normalised_and_counts():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 0, 2]
    ax = plotting.plot_confusion_matrix(y_true, y_pred, class_names=["a", "b", "c"])
    expected = np.array([[0.5, 0.5, 0], [1 / 3, 2 / 3, 0], [0, 0, 1]])
    np.testing.assert_allclose(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_ylabel() == "true" and ax.get_xlabel() == "predicted"
    counts = plotting.plot_confusion_matrix(np.array(y_true), np.array(y_pred), normalize=False)
    np.testing.assert_array_equal(counts.images[0].get_array(), [[1, 1, 0], [1, 2, 0], [0, 0, 1]])
    assert "2" in _texts(counts)
    with pytest.raises(ValueError, match="differ in length"):
        plotting.plot_confusion_matrix([0, 1], [0])


def test_equivariance_panels_plot_given_arrays():
    x = np.array([0, 1, 2, 0, 0])
    y = np.array([[1, 2, 3, 4, 5], [5, 4, 3, 2, 1]])  # two channels
    fig = plotting.plot_equivariance(x, np.roll(x, 1), y, np.roll(y, 1, axis=1),
                                     labels=("a", "b", "c", "d"), title="Conv1d")
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["a", "b", "c", "d"]
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), np.roll(x, 1))
    assert len(axes[3].lines) >= 2
    np.testing.assert_allclose(axes[3].lines[1].get_ydata(), np.roll(y[1], 1))
    assert fig._suptitle.get_text() == "Conv1d"


def test_closed_figure_is_not_left_open_and_renders_to_png():
    import matplotlib.pyplot as plt

    from source_lib.plotting import closed_figure, png_bytes
    before = len(plt.get_fignums())
    fig, axes = closed_figure((3, 2), 2, 3, gridspec_kw={"height_ratios": [2, 1]})
    assert axes.shape == (2, 3) and len(plt.get_fignums()) == before
    assert png_bytes(fig, dpi=20).startswith(b"\x89PNG")
