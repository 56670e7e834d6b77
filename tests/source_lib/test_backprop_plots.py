"""source_lib.backprop_plots: coverage counts, figures, and the widget's fallback."""

import builtins
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from source_lib import backprop_plots  # noqa: E402
from source_lib.plotting import closed_figure  # noqa: E402


def test_coverage_counts_the_windows_reading_each_pixel():
    counts, windows = backprop_plots.coverage(5, 5, 3, 1, 0)
    assert len(windows) == 9 and counts[2, 2] == 9 and counts[0, 0] == 1
    counts, _ = backprop_plots.coverage(4, 4, 2, 2, 0)
    assert np.all(counts == 1)                      # stride = kernel: a tiling
    counts, _ = backprop_plots.coverage(5, 5, 1, 2, 0)
    assert counts.sum() == 9 and counts[1, 1] == 0  # stride > kernel: gaps get no gradient
    counts, windows = backprop_plots.coverage(3, 3, 3, 1, 1)
    assert counts.shape == (3, 3) and windows[0] == (-1, -1)
    with pytest.raises(ValueError):
        backprop_plots.coverage(2, 2, 5, 1, 0)


def test_figures_render():
    fig, axes = closed_figure((6, 3))
    backprop_plots.draw_gradient_flow_1d(axes[0, 0], 6, 3, 2)
    assert "dx[2]" in axes[0, 0].get_title()
    fig = backprop_plots.render_gradient_flow_2d(6, 5, 3, 2, 1, (1, 2))
    assert "read by" in fig.axes[0].get_title()
    with pytest.raises(ValueError):
        backprop_plots.draw_gradient_flow_1d(axes[0, 0], 3, 4, 0)


def test_explorer_without_ipywidgets_falls_back_to_a_static_figure(monkeypatch):
    real_import = builtins.__import__

    def no_widgets(name, *args, **kwargs):
        if name == "ipywidgets":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", no_widgets)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = backprop_plots.gradient_flow_explorer(6, 6)
    assert isinstance(result, matplotlib.figure.Figure)
    assert any("ipywidgets" in str(w.message) for w in caught)


def test_explorer_with_ipywidgets_is_a_box():
    pytest.importorskip("ipywidgets")
    box = backprop_plots.gradient_flow_explorer(6, 6)
    assert len(box.children) == 3
    sliders = box.children[0].children + box.children[1].children
    sliders[0].value = 5                               # a kernel that needs padding: no crash
    sliders[2].value = 2
