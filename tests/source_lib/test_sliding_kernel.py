"""Tests for source_lib.widgets.sliding_kernel: the frame shows the right window, products
and sums."""

import re
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.animation import FuncAnimation  # noqa: E402
from matplotlib.container import StemContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from source_lib.widgets import sliding_kernel  # noqa: E402

F, G = [3, 4, 5], [1, 2, 3, 4, 5]
# full-mode results worked out by hand (lecture example), not by a library call
CONVOLUTION = [3, 10, 22, 34, 46, 40, 25]
CORRELATION = [15, 32, 50, 38, 26, 14, 5]



def _sum_in_title(fig):
    return float(re.search(r"= (-?[\d.e+-]+)$", fig.axes[0].get_title()).group(1))


def _products(fig):
    line = next(line for line in fig.axes[0].lines if line.get_label().startswith("products"))
    return line.get_xdata(), line.get_ydata()


def _kernel(fig):
    stems = [c for c in fig.axes[0].containers if isinstance(c, StemContainer)]
    return stems[1].markerline.get_data()


@pytest.mark.parametrize("flip, expected", [(True, CONVOLUTION), (False, CORRELATION)])
def test_sum_at_every_position_matches_hand_computed_output(flip, expected):
    sums = [_sum_in_title(sliding_kernel.render_frame(F, G, n, flip=flip)) for n in range(7)]
    assert sums == expected


def test_window_products_and_flipped_kernel_at_n3():
    fig = sliding_kernel.render_frame(F, G, 3, flip=True)
    positions, products = _products(fig)
    np.testing.assert_array_equal(positions, [-1, 0, 1, 2, 3])
    np.testing.assert_array_equal(products, [0, 12, 12, 10, 0])  # f is 0 outside 0..2
    kernel_x, kernel_y = _kernel(fig)
    np.testing.assert_array_equal(kernel_y, [5, 4, 3, 2, 1])  # flipped
    dot = "\u00b7"
    assert fig.axes[0].get_title() == f"y[3] = 0{dot}5 + 3{dot}4 + 4{dot}3 + 5{dot}2 + 0{dot}1 = 34"
    unflipped = sliding_kernel.render_frame(F, G, 3, flip=False)
    np.testing.assert_array_equal(_kernel(unflipped)[1], G)
    assert "correlation" in _kernel_label(unflipped)


def _kernel_label(fig):
    return [c for c in fig.axes[0].containers if isinstance(c, StemContainer)][1].get_label()


def test_long_kernels_get_a_short_title():
    fig = sliding_kernel.render_frame(np.ones(4), np.arange(1, 9), 7)
    assert fig.axes[0].get_title() == "y[7] = sum of 8 products = 26"  # 8+7+6+5


def test_students_output_is_shown_and_mismatch_explained():
    fig = sliding_kernel.render_frame(F, G, 2, output_fn=lambda f, g: np.array(CONVOLUTION, float))
    bottom = fig.axes[1]
    highlight = next(line for line in bottom.lines if line.get_label() == "your y[2]")
    assert highlight.get_ydata()[0] == 22
    assert len(bottom.texts) == 0  # correct: nothing to explain

    wrong = list(CONVOLUTION)
    wrong[2] = 7
    fig = sliding_kernel.render_frame(F, G, 2, output_fn=lambda f, g: wrong)
    assert fig.axes[1].texts[0].get_text() == "your y[2] = 7, the sliding sum above gives 22"


def test_output_fn_problems_are_shown_not_raised():
    def unfinished(f, g):
        raise NotImplementedError("todo")

    fig = sliding_kernel.render_frame(F, G, 1, output_fn=unfinished)
    assert fig.axes[1].texts[0].get_text() == "output_fn raised NotImplementedError: todo"
    fig = sliding_kernel.render_frame(F, G, 1, output_fn=lambda f, g: [1, 2, 3])
    note = fig.axes[1].texts[0].get_text()
    assert "returned 3 values; full mode has len(f) + len(g) - 1 = 7" in note


def test_output_fn_gets_copies():
    def vandal(f, g):
        f[:] = 0
        return np.zeros(len(f) + len(g) - 1)

    fig = sliding_kernel.render_frame(F, G, 3, output_fn=vandal)
    assert _sum_in_title(fig) == 34


def test_without_output_fn_only_the_current_sum_is_shown():
    fig = sliding_kernel.render_frame(F, G, 4)
    bottom = fig.axes[1]
    stem = [c for c in bottom.containers if isinstance(c, StemContainer)]
    assert len(stem) == 1
    np.testing.assert_array_equal(stem[0].markerline.get_data()[1], [46])
    assert "output_fn=your_function" in bottom.texts[0].get_text()


def test_invalid_inputs():
    with pytest.raises(ValueError, match=r"0\.\.6"):
        sliding_kernel.render_frame(F, G, 7)
    with pytest.raises(ValueError, match="1-D"):
        sliding_kernel.render_frame([[1, 2]], G, 0)
    with pytest.raises(ValueError, match="non-empty"):
        sliding_kernel.render_frame(F, [], 0)


def test_frames_do_not_accumulate_open_figures():
    before = plt.get_fignums()
    for n in range(3):
        assert isinstance(sliding_kernel.render_frame(F, G, n), Figure)
    assert plt.get_fignums() == before


def test_explorer_slider_range_and_redraw(monkeypatch, capsys):
    pytest.importorskip("ipywidgets")
    import ipywidgets

    drawn = []
    original = sliding_kernel.render_frame

    def spy(f, g, n, flip=True, output_fn=None):
        drawn.append((n, flip, output_fn))
        return original(f, g, n, flip=flip, output_fn=output_fn)

    monkeypatch.setattr(sliding_kernel, "render_frame", spy)
    box = sliding_kernel.sliding_kernel_explorer(F, G, flip=False, output_fn=len)
    slider, output = box.children
    assert isinstance(box, ipywidgets.VBox)
    assert isinstance(slider, ipywidgets.IntSlider) and isinstance(output, ipywidgets.Output)
    assert (slider.min, slider.max, slider.value) == (0, 6, 0)
    slider.value = 5
    assert drawn == [(0, False, len), (5, False, len)]


def test_explorer_without_ipywidgets_returns_static_figure(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = sliding_kernel.sliding_kernel_explorer(F, G)
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes[:3]]
    assert [float(t.rsplit("= ", 1)[1]) for t in titles] == [3, 34, 25]  # n = 0, 3, 6


def test_animation_has_one_frame_per_output():
    animation = sliding_kernel.animate_sliding_kernel([1, 2], [1, -1], flip=True)
    assert isinstance(animation, FuncAnimation)
    assert list(animation.new_frame_seq()) == [0, 1, 2]
    html = animation.to_jshtml()
    assert html.count("data:image/png;base64") == 3
