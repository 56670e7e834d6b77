"""Tests for source_lib.widgets.layer_geometry (headless): windows, measured fields, fallbacks."""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from source_lib.widgets import layer_geometry as gw  # noqa: E402


def _formula(n, k, p, s, d):
    return max(0, (n + 2 * p - d * (k - 1) - 1) // s + 1) if n + 2 * p >= d * (k - 1) + 1 else 0


def test_window_taps_match_the_output_size_formula():
    rng = np.random.default_rng(0)
    for _ in range(200):
        n, k, p, s, d = (int(v) for v in (rng.integers(1, 20), rng.integers(1, 6),
                                          rng.integers(0, 4), rng.integers(1, 5), rng.integers(1, 4)))
        windows = gw.window_taps(n, k, p, s, d)
        assert len(windows) == _formula(n, k, p, s, d)
        for i, taps in enumerate(windows):
            assert taps == [i * s + j * d for j in range(k)]
            assert taps[-1] <= n + 2 * p - 1


def test_1d_drawing_has_padding_cells_and_one_line_per_tap():
    fig, ax = plt.subplots()
    count = gw.draw_windows_1d(ax, n=7, k=3, padding=2, stride=2, dilation=1)
    assert count == 5
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 4                           # 2 zeros on each side
    assert len(ax.lines) == count * 3


@pytest.mark.parametrize("layers, size", [([(3, 1, 1)] * 2, 5), ([(3, 1, 1)] * 3, 7),
                                          ([(3, 2, 1), (3, 1, 1)], 7),
                                          ([(3, 1, 1), (2, 2, 1), (3, 1, 1)], 8),
                                          ([(3, 1, 1), (3, 1, 2), (3, 1, 4)], 15),
                                          ([(5, 1, 1)], 5)])
def test_measured_receptive_fields(layers, size):
    grad, unit, side, extent = gw.measure_receptive_field(layers)
    assert extent == (size, size)
    assert side >= 3 and unit == (side // 2, side // 2)
    assert (grad > 0).sum() == size * size             # a full square: no cancellation


def test_render_output_size_compares_the_students_function():
    right = lambda n, k, p, s, d: (n + 2 * p - d * (k - 1) - 1) // s + 1  # noqa: E731
    wrong = lambda n, k, p, s, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1  # noqa: E731 (ceil)

    def unfinished(*args):
        raise NotImplementedError()

    texts = {}
    for name, fn in [("right", right), ("wrong", wrong), ("unfinished", unfinished)]:
        fig = gw.render_output_size(8, 3, 0, 2, 1, output_size_fn=fn)
        assert isinstance(fig, Figure)
        texts[name] = fig.axes[0].texts[0].get_text()
    assert "your function: 3 \u2713" in texts["right"]
    assert "\u2717" in texts["wrong"]
    assert "raised NotImplementedError" in texts["unfinished"]


def test_render_receptive_field_marks_right_and_wrong_answers():
    layers = [(3, 1, 1)] * 2
    right = gw.render_receptive_field(layers, receptive_field_fn=lambda ls: 5)
    wrong = gw.render_receptive_field(layers, receptive_field_fn=lambda ls: 6, photo=False)
    assert "\u2713" in right.axes[0].get_title() and "\u2717" in wrong.axes[0].get_title()


def test_without_ipywidgets_both_widgets_fall_back_to_a_static_figure(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)       # import now fails
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        assert isinstance(gw.output_size_explorer(), Figure)
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = gw.receptive_field_viewer(receptive_field_fn=lambda ls: 5)
    assert isinstance(fig, Figure) and len(fig.axes) == 3


def test_widgets_redraw_when_a_control_changes(monkeypatch):
    pytest.importorskip("ipywidgets")
    calls = []
    monkeypatch.setattr(gw, "png_bytes", lambda fig, dpi=None: calls.append(fig) or b"")
    box = gw.output_size_explorer(output_size_fn=lambda *a: 1)
    sliders = box.children[0].children
    assert [s.description for s in sliders] == ["n", "k", "padding", "stride", "dilation"]
    sliders[3].value = 3
    assert len(calls) == 2
    viewer = gw.receptive_field_viewer()
    viewer.children[0].children[0].value = "three 3x3"
    assert len(calls) == 4
