"""Tests for source_lib.transfer.plots: what the figures of notebook 08 draw (lines, bands,
ticks, bars, frames), PCA on data of known directions, nearest neighbours against brute force."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba

from source_lib.transfer import plots

RESULTS = {"scratch": {20: [0.30, 0.40, 0.35], 5: [0.20, 0.26, 0.23], 5000: [0.80, 0.82, 0.81]},
           "linear probe": {5: [0.50, 0.56, 0.53], 20: [0.60, 0.64, 0.62]}}
NAMES = ["dog", "frog", "horse"]


def _band_extent(collection, x):
    """(lowest, highest) y of a fill_between band at x."""
    vertices = collection.get_paths()[0].vertices
    at_x = vertices[np.isclose(vertices[:, 0], x), 1]
    return at_x.min(), at_x.max()


def test_accuracy_lines_are_seed_means_in_min_max_bands_on_a_log_axis():
    fig = plots.plot_accuracy_vs_labels(RESULTS, chance=0.2, full_count=5000)
    ax = fig.axes[0]
    scratch, probe, chance = ax.lines
    np.testing.assert_array_equal(scratch.get_xdata(), [5, 20, 5000])     # sorted counts
    np.testing.assert_allclose(scratch.get_ydata(), [0.23, 0.35, 0.81])
    np.testing.assert_array_equal(probe.get_xdata(), [5, 20])            # a count missing
    np.testing.assert_allclose(probe.get_ydata(), [0.53, 0.62])
    bands = ax.collections
    assert len(bands) == 2
    np.testing.assert_allclose(_band_extent(bands[0], 20), (0.30, 0.40))
    np.testing.assert_allclose(_band_extent(bands[1], 5), (0.50, 0.56))
    assert to_rgba(bands[1].get_facecolor()[0], 1) == to_rgba(probe.get_color())
    assert ax.get_xscale() == "log"
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["5", "20", "5000\n(all)"]
    assert list(ax.get_xticks(minor=True)) == []              # no 2x10^1-style minor ticks
    assert chance.get_linestyle() == ":" and list(chance.get_ydata()) == [0.2, 0.2]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["scratch", "linear probe", "chance (0.20)"]


def test_accuracy_plot_draws_into_a_given_subplot_and_leaves_no_figure_open():
    before = plt.get_fignums()
    plots.plot_accuracy_vs_labels(RESULTS)
    assert plt.get_fignums() == before
    fig, axes = plt.subplots(1, 2)
    assert plots.plot_accuracy_vs_labels({"one seed": {10: [0.5]}}, ax=axes[1]) is fig
    assert len(axes[1].lines) == 1 and not axes[0].lines
    assert _band_extent(axes[1].collections[0], 10) == (0.5, 0.5)
    assert [tick.get_text() for tick in axes[1].get_xticklabels()] == ["10"]


def test_gain_bars_are_grouped_by_count_with_the_seed_spread():
    gains = {"CIFAR-10": {5: [0.20, 0.30], 100: [0.05, 0.15]},
             "Fashion-MNIST": {5: [0.10, 0.12], 20: [-0.06, -0.02], 100: [0.0, 0.02]}}
    ax = plots.plot_transfer_gain(gains, full_count=100).axes[0]
    cifar, fashion = [c for c in ax.containers if c.__class__.__name__ == "BarContainer"]
    assert [bar.get_height() for bar in cifar] == pytest.approx([0.25, 0.10])
    assert [bar.get_x() + bar.get_width() / 2 for bar in cifar] == pytest.approx([-0.2, 1.8])
    assert [bar.get_height() for bar in fashion] == pytest.approx([0.11, -0.04, 0.01])
    assert [bar.get_x() + bar.get_width() / 2 for bar in fashion] == pytest.approx([0.2, 1.2, 2.2])
    errorbars = [c for c in ax.containers if c.__class__.__name__ == "ErrorbarContainer"]
    whiskers = errorbars[1].lines[2][0].get_segments()
    np.testing.assert_allclose(whiskers[1], [[1.2, -0.06], [1.2, -0.02]])   # min to max seed
    seed_dots = [line for line in ax.lines if line.get_linestyle() == "None"
                 and line.get_marker() == "."]
    assert sorted(np.concatenate([dots.get_ydata() for dots in seed_dots])) == pytest.approx(
        sorted([0.20, 0.30, 0.05, 0.15, 0.10, 0.12, -0.06, -0.02, 0.0, 0.02]))
    assert [text.get_text() for text in ax.texts] == ["+0.25", "+0.10", "+0.11", "-0.04", "+0.01"]
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["5", "20", "100\n(all)"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["CIFAR-10",
                                                                         "Fashion-MNIST"]
    assert any(list(line.get_ydata()) == [0, 0] for line in ax.lines)      # the zero line


def _known_directions(seed=0):
    """200 points in 6-D, around a mean far from 0: standard deviation 3 along a first
    direction, 1 along a second, 0.01 along the rest (coordinates exactly uncorrelated, so
    these are the sample's principal directions); returns (points, coordinates (200, 2))."""
    generator = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(generator.normal(size=(6, 6)))
    noise = generator.normal(size=(200, 6))
    uncorrelated, _ = np.linalg.qr(noise - noise.mean(axis=0))   # orthonormal, zero-mean columns
    along = uncorrelated * np.sqrt(200) * [3.0, 1.0, 0.01, 0.01, 0.01, 0.01]
    return 5.0 + along @ rotation.T, along[:, :2]


def test_pca_recovers_the_two_main_directions():
    points, along = _known_directions()
    projected = plots.pca_2d(torch.tensor(points, dtype=torch.float32))
    assert projected.shape == (200, 2) and projected.dtype == np.float64
    np.testing.assert_allclose(projected.mean(axis=0), 0, atol=1e-5)
    for column in range(2):   # the same coordinates up to a sign (float32 input: 1e-4)
        sign = np.sign(projected[0, column] * along[0, column])
        np.testing.assert_allclose(projected[:, column], sign * along[:, column], atol=1e-4)
    np.testing.assert_allclose(projected.std(axis=0), [3.0, 1.0], rtol=1e-4)
    # the same as projecting on the covariance's top eigenvectors (another computation)
    centred = points - points.mean(axis=0)
    _, vectors = np.linalg.eigh(centred.T @ centred)
    expected = centred @ vectors[:, ::-1][:, :2]
    np.testing.assert_allclose(np.abs(plots.pca_2d(points)), np.abs(expected), atol=1e-8)


def test_pca_signs_do_not_depend_on_the_order_of_the_points():
    points, _ = _known_directions(seed=1)
    order = np.random.default_rng(2).permutation(len(points))
    np.testing.assert_allclose(plots.pca_2d(points)[order], plots.pca_2d(points[order]),
                               atol=1e-9)
    with pytest.raises(ValueError, match="at least 2 points of 2 dimensions"):
        plots.pca_2d(np.ones((5, 1)))


def test_embeddings_scatter_each_panels_pca_coloured_by_class():
    points, _ = _known_directions()
    labels = np.arange(200) % 3
    panels = {"before fine-tuning": points, "after fine-tuning": points * [1, -2, 1, 1, 3, 1]}
    fig = plots.plot_embeddings(panels, torch.tensor(labels), NAMES)
    assert [ax.get_title() for ax in fig.axes] == list(panels)
    for ax, features in zip(fig.axes, panels.values()):
        projected = plots.pca_2d(features)
        for label, scatter in enumerate(ax.collections):
            np.testing.assert_allclose(scatter.get_offsets(), projected[labels == label])
            assert to_rgba(scatter.get_facecolor()[0], 1) == to_rgba(f"C{label}")
        assert ax.get_xlabel().startswith("PCA direction 1 (")
    legend = fig.axes[-1].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == NAMES
    with pytest.raises(ValueError, match="has 200 points, labels 10"):
        plots.plot_embeddings({"p": points}, labels[:10], NAMES)


def _brute_force(queries, gallery, k, metric):
    rows = []
    for query in queries:
        scores = []
        for index, item in enumerate(gallery):
            if metric == "cosine":
                score = -np.dot(query, item) / (np.linalg.norm(query) * np.linalg.norm(item))
            else:
                score = np.linalg.norm(query - item)
            scores.append((score, index))
        rows.append([index for _, index in sorted(scores)[:k]])
    return np.array(rows)


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_nearest_neighbours_match_a_brute_force_search(metric):
    generator = np.random.default_rng(3)
    gallery = generator.normal(size=(60, 16))
    queries = generator.normal(size=(7, 16))
    found = plots.nearest_neighbours(torch.tensor(queries), gallery, k=6, metric=metric)
    assert found.shape == (7, 6) and found.dtype == np.int64
    np.testing.assert_array_equal(found, _brute_force(queries, gallery, 6, metric))


def test_nearest_neighbours_ties_self_and_errors():
    gallery = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    # cosine: rows 0, 1 and 3 point the same way (a three-way tie, smaller index first)
    np.testing.assert_array_equal(plots.nearest_neighbours([[5.0, 0.1]], gallery, k=4),
                                  [[0, 1, 3, 2]])
    np.testing.assert_array_equal(plots.nearest_neighbours(gallery[2:3], gallery, k=1,
                                                           metric="euclidean"), [[2]])
    with pytest.raises(ValueError, match=r"k must be in 1\.\.4"):
        plots.nearest_neighbours(gallery, gallery, k=5)
    with pytest.raises(ValueError, match="metric must be"):
        plots.nearest_neighbours(gallery, gallery, k=2, metric="manhattan")
    with pytest.raises(ValueError, match="queries have 3 features, the gallery 2"):
        plots.nearest_neighbours(np.ones((1, 3)), gallery)


def _spine_colors(ax):
    return {to_rgba(spine.get_edgecolor()) for spine in ax.spines.values()}


def test_neighbour_grid_frames_same_class_green_and_others_red():
    gallery = torch.rand(6, 3, 4, 5, generator=torch.Generator().manual_seed(0))
    gallery_labels = torch.tensor([0, 1, 2, 0, 1, 2])
    indices = np.array([[3, 1, 0], [4, 2, 1]])
    fig = plots.show_neighbours(gallery[[0, 1]], gallery, indices, gallery_labels, NAMES,
                                query_labels=[0, 1])
    axes = np.array(fig.axes).reshape(2, 4)
    assert [ax.get_title() for ax in axes[0]] == ["query: dog", "1: dog", "2: frog", "3: dog"]
    assert [ax.get_title() for ax in axes[1]] == ["query: frog", "1: frog", "2: horse",
                                                  "3: frog"]
    green, red = to_rgba("tab:green"), to_rgba("tab:red")
    assert [_spine_colors(ax) for ax in axes[0, 1:]] == [{green}, {red}, {green}]
    assert [_spine_colors(ax) for ax in axes[1, 1:]] == [{green}, {red}, {green}]
    assert _spine_colors(axes[0, 0]) == {to_rgba("black")}
    np.testing.assert_allclose(axes[1, 2].images[0].get_array(),
                               gallery[2].permute(1, 2, 0).numpy())
    assert "green: the query's class" in fig._suptitle.get_text()


def test_neighbour_grid_of_grey_images_without_query_labels():
    gallery = torch.rand(4, 1, 6, 6, generator=torch.Generator().manual_seed(1))
    fig = plots.show_neighbours(gallery[:1], gallery, [[2, 0]], [0, 1, 2, 0], NAMES,
                                title="nearest training images")
    query, first, second = fig.axes
    assert first.images[0].get_array().shape == (6, 6)
    assert first.images[0].get_cmap().name == "gray"
    assert first.images[0].get_clim() == (0, 1)
    assert _spine_colors(first) == _spine_colors(second) == {to_rgba("0.55")}   # not judged
    assert query.get_title() == "query" and second.get_title() == "2: dog"
    assert fig._suptitle.get_text() == "nearest training images"
    with pytest.raises(ValueError, match="1 query images but 2 rows of indices"):
        plots.show_neighbours(gallery[:1], gallery, [[2], [0]], [0, 1, 2, 0], NAMES)
