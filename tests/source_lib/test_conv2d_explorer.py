"""Tests for source_lib.widgets.conv2d_explorer: presets, feature maps, widget wiring,
static fallback."""

import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from source_lib.widgets import conv2d_explorer as explorer  # noqa: E402

# 4x5 image with a vertical edge; valid correlation with Sobel x worked out by hand:
# every window straddling the edge sees (1+2+1)*(10-0) = 40.
EDGE = np.array([[10, 10, 0, 0, 0]] * 4, dtype=float)
SOBEL_X_ON_EDGE = [[40, 40, 0]] * 2



def test_presets_are_3x3_and_named_as_documented():
    assert {"identity", "box blur", "sharpen", "sobel x", "sobel y", "laplacian",
            "emboss"} <= set(explorer.PRESETS)
    for kernel in explorer.PRESETS.values():
        assert kernel.shape == (3, 3) and kernel.dtype == np.float64
    assert explorer.PRESETS["box blur"].sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(explorer.PRESETS["sobel y"], explorer.PRESETS["sobel x"].T)


def test_torch_feature_map_is_a_valid_correlation():
    values, problem = explorer.feature_map(EDGE, explorer.PRESETS["sobel x"])
    assert problem is None
    np.testing.assert_allclose(values, SOBEL_X_ON_EDGE)
    identity, _ = explorer.feature_map(EDGE, explorer.PRESETS["identity"])
    np.testing.assert_allclose(identity, EDGE[1:-1, 1:-1])


def test_student_function_is_used_and_gets_copies():
    calls = []

    def vandal(image, kernel):
        calls.append((image.shape, kernel.shape))
        image[:] = 0                     # must not change the caller's image
        return np.ones((image.shape[0] - 2, image.shape[1] - 2))

    image = EDGE.copy()
    values, problem = explorer.feature_map(image, explorer.PRESETS["emboss"], conv_fn=vandal)
    assert problem is None and calls == [((4, 5), (3, 3))]
    np.testing.assert_array_equal(values, np.ones((2, 3)))
    np.testing.assert_array_equal(image, EDGE)


def test_student_problems_are_reported_not_raised():
    def unfinished(image, kernel):
        raise NotImplementedError("todo")

    values, problem = explorer.feature_map(EDGE, explorer.PRESETS["sharpen"], conv_fn=unfinished)
    assert values is None and problem == "conv_fn raised NotImplementedError: todo"
    values, problem = explorer.feature_map(EDGE, explorer.PRESETS["sharpen"],
                                           conv_fn=lambda image, kernel: image)
    assert values is None and "expected (2, 3) (valid mode)" in problem
    fig = explorer.render_feature_map(EDGE, explorer.PRESETS["sharpen"], conv_fn=unfinished)
    assert "NotImplementedError" in fig.axes[2].texts[0].get_text()


def test_render_shows_input_kernel_numbers_and_map():
    fig = explorer.render_feature_map(EDGE, explorer.PRESETS["sobel x"], name="sobel x")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    numbers = [t.get_text() for t in fig.axes[1].texts]
    assert numbers == ["1", "0", "-1", "2", "0", "-2", "1", "0", "-1"]
    assert fig.axes[2].get_title() == "sobel x: feature map (torch), 2x3"
    np.testing.assert_allclose(fig.axes[2].images[0].get_array(), SOBEL_X_ON_EDGE)


def test_default_image_is_the_photograph():
    image = explorer.default_image()
    assert image.shape == explorer.DEFAULT_SIZE and 0 <= image.min() and image.max() <= 1


def test_invalid_inputs():
    with pytest.raises(ValueError, match="2-D grey image"):
        explorer.render_feature_map(np.ones((2, 4, 4)), explorer.PRESETS["identity"])
    with pytest.raises(ValueError, match="non-empty 2-D"):
        explorer.feature_map(EDGE, [1, 2, 3])
    with pytest.raises(ValueError, match="unknown preset"):
        explorer.convolution_explorer(EDGE, preset="blurry")


def test_figures_do_not_accumulate():
    before = plt.get_fignums()
    explorer.render_feature_map(EDGE, explorer.PRESETS["laplacian"])
    explorer.presets_figure(EDGE)
    assert plt.get_fignums() == before


def test_explorer_widgets_redraw_on_preset_and_cell_edits(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    drawn = []
    original = explorer.render_feature_map

    def spy(image, kernel, conv_fn=None, name=None):
        drawn.append(np.array(kernel))
        return original(image, kernel, conv_fn=conv_fn, name=name)

    monkeypatch.setattr(explorer, "render_feature_map", spy)
    box = explorer.convolution_explorer(EDGE, preset="sobel x")
    dropdown, grid, output = box.children
    assert isinstance(dropdown, ipywidgets.Dropdown) and isinstance(output, ipywidgets.Output)
    assert len(grid.children) == 9 and dropdown.value == "sobel x"
    np.testing.assert_array_equal(drawn[-1], explorer.PRESETS["sobel x"])
    dropdown.value = "laplacian"                 # one redraw for the whole preset
    assert len(drawn) == 2
    np.testing.assert_array_equal(drawn[-1], explorer.PRESETS["laplacian"])
    grid.children[4].value = -8.0                # edit the centre cell
    assert len(drawn) == 3 and drawn[-1][1, 1] == -8.0


def test_without_ipywidgets_a_static_figure_of_presets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)   # makes `import ipywidgets` fail
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = explorer.convolution_explorer(EDGE)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == list(explorer.STATIC_PRESETS)
