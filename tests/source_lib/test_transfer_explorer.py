"""Tests for source_lib.widgets.transfer_explorer: the line describing k frozen stages, the
figure for a chosen (k, labels per class), the widget's wiring and its static fallback."""

import sys

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from source_lib.widgets import transfer_explorer as explorer

STAGES = ["stem", "layer1", "layer2", "layer3", "layer4"]
# k = 0, 2, 5 measured (the notebook need not measure every k); the full set: 5000 per class
TABLE = {0: {5: [0.40, 0.44], 20: [0.60, 0.66], 5000: [0.90, 0.92]},
         2: {5: [0.42, 0.46], 20: [0.62, 0.64], 5000: [0.85, 0.87]},
         5: {5: [0.50, 0.52], 5000: [0.70, 0.74]}}
COUNTS = {0: 2_800_165, 2: 1_234_567, 5: 2_565}


def test_the_line_names_the_frozen_stages_and_the_trainable_share():
    assert explorer.describe_frozen(2, COUNTS, STAGES) == (
        "2 frozen stages: stem, layer1 | trainable parameters: 1,234,567 of 2,800,165 (44%)")
    assert explorer.describe_frozen(0, COUNTS, STAGES) == (
        "0 frozen stages: none | trainable parameters: 2,800,165 of 2,800,165 (100%)")
    assert explorer.describe_frozen(5, COUNTS, STAGES) == (
        "5 frozen stages: stem, layer1, layer2, layer3, layer4 | trainable parameters: "
        "2,565 of 2,800,165 (0.092%)")                     # the head alone: not "0%"
    assert explorer.describe_frozen(1, {0: 1000, 1: 996}, STAGES).startswith(
        "1 frozen stage: stem | trainable parameters: 996 of 1,000 (99.6%)")
    assert [explorer.percent(share) for share in (0, 0.5, 0.9999, 1)] == [
        "0%", "50%", "99.9%", "100%"]


def _chosen_and_faint(ax):
    thick = [line for line in ax.lines if line.get_linewidth() == 2.2]
    faint = [line for line in ax.lines if line.get_alpha() == 0.25]
    return thick, faint


def test_render_shows_the_chosen_k_and_marks_the_chosen_count():
    fig = explorer.render_frozen_stages(TABLE, 2, 20, COUNTS, STAGES, chance=1 / 3,
                                        full_count=5000)
    curves, bars = fig.axes
    (chosen,), faint = _chosen_and_faint(curves)
    np.testing.assert_array_equal(chosen.get_xdata(), [5, 20, 5000])
    np.testing.assert_allclose(chosen.get_ydata(), [0.44, 0.63, 0.86])
    faint_means = [list(line.get_ydata()) for line in faint]        # k = 0 and k = 5
    assert len(faint_means) == 2
    assert faint_means[0] == pytest.approx([0.42, 0.63, 0.91])
    assert faint_means[1] == pytest.approx([0.51, 0.72])
    band = curves.collections[0].get_paths()[0].vertices
    at_20 = band[np.isclose(band[:, 0], 20), 1]
    assert (at_20.min(), at_20.max()) == pytest.approx((0.62, 0.64))   # min-max over seeds
    marker = [line for line in curves.lines if line.get_markersize() == 12]
    assert len(marker) == 1 and list(marker[0].get_xydata()[0]) == pytest.approx([20, 0.63])
    assert [text.get_text() for text in curves.texts] == ["0.63"]
    assert curves.get_title() == "20 labels per class: accuracy 0.63 (mean over seeds)"
    assert [tick.get_text() for tick in curves.get_xticklabels()] == ["5", "20", "5000\n(all)"]
    assert fig._suptitle.get_text() == explorer.describe_frozen(2, COUNTS, STAGES)
    heights = [patch.get_height() for patch in bars.patches]
    assert heights == [2_800_165, 1_234_567, 2_565]
    assert [patch.get_alpha() for patch in bars.patches] == [0.35, 1.0, 0.35]
    assert to_rgba(bars.patches[1].get_edgecolor()) == to_rgba("tab:red")
    assert bars.get_yscale() == "log"


def test_render_of_a_count_not_measured_for_that_k():
    fig = explorer.render_frozen_stages(TABLE, 5, 20, COUNTS, STAGES)
    curves = fig.axes[0]
    (chosen,), _ = _chosen_and_faint(curves)
    np.testing.assert_array_equal(chosen.get_xdata(), [5, 5000])
    assert not [line for line in curves.lines if line.get_markersize() == 12]
    assert curves.get_title() == "no run with 20 labels per class and 5 frozen stages"
    with pytest.raises(ValueError, match=r"no measurements for k = 3; the table has k in "
                                         r"\[0, 2, 5\]"):
        explorer.render_frozen_stages(TABLE, 3, 20, COUNTS, STAGES)


def test_static_figure_has_every_k_with_its_trainable_count():
    fig = explorer.static_frozen_stages(TABLE, COUNTS, STAGES, chance=0.2)
    ax = fig.axes[0]
    assert len(ax.collections) == 3                                    # one band per k
    np.testing.assert_allclose(ax.lines[2].get_ydata(), [0.51, 0.72])
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["k=0 (none): 2,800,165 trainable (100%)",
                      "k=2 (stem, layer1): 1,234,567 trainable (44%)",
                      "k=5 (stem, layer1, layer2, layer3, layer4): 2,565 trainable (0.092%)",
                      "chance (0.20)"]


def test_figures_do_not_accumulate():
    before = plt.get_fignums()
    explorer.render_frozen_stages(TABLE, 0, 5, COUNTS, STAGES)
    explorer.static_frozen_stages(TABLE, COUNTS, STAGES)
    assert plt.get_fignums() == before


def test_explorer_redraws_for_the_chosen_k_and_count(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    drawn = []
    original = explorer.render_frozen_stages

    def spy(table, k, labels, counts, names, chance, full_count):
        drawn.append((k, labels, chance, full_count))
        return original(table, k, labels, counts, names, chance, full_count)

    monkeypatch.setattr(explorer, "render_frozen_stages", spy)
    box = explorer.transfer_explorer(TABLE, COUNTS, STAGES, chance=0.2, full_count=5000)
    k, labels, output = box.children
    assert isinstance(output, ipywidgets.Output)
    assert [value for _, value in k.options] == [0, 2, 5]         # only the k measured
    assert [value for _, value in labels.options] == [5, 20, 5000]
    assert k.layout.width == "420px" and labels.layout.width == "420px"
    k.value, labels.value = 0, 5000
    assert drawn == [(5, 5, 0.2, 5000), (0, 5, 0.2, 5000), (0, 5000, 0.2, 5000)]


def test_explorer_refuses_a_k_without_a_trainable_count():
    with pytest.raises(ValueError, match=r"no count for k = \[5\]"):
        explorer.transfer_explorer(TABLE, {0: 10, 2: 5}, STAGES)
    with pytest.raises(ValueError, match="at least one k"):
        explorer.transfer_explorer({}, COUNTS, STAGES)


def test_without_ipywidgets_a_static_figure(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` fail
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = explorer.transfer_explorer(TABLE, COUNTS, STAGES, full_count=5000)
    assert isinstance(fig, Figure) and len(fig.axes[0].collections) == 3
    assert fig.axes[0].get_xticklabels()[-1].get_text() == "5000\n(all)"
