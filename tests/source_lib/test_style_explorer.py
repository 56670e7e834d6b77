"""Tests for source_lib.widgets.style_explorer: the frame slider, the explorer of precomputed
results (its figure, its wiring, its static grid without ipywidgets) and the upload button."""

import datetime
import io
import sys
import types

import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from source_lib.style.plots import UNAVAILABLE_FACE, picture
from source_lib.widgets import frame
from source_lib.widgets import style_explorer as explorer


def gradient(size=16):
    y, x = torch.meshgrid(torch.linspace(0, 1, size), torch.linspace(0, 1, size),
                          indexing="ij")
    return torch.stack([x, y, 1 - x * y])[None]


def noisy(seed=0, size=16):
    return torch.rand(1, 3, size, size, generator=torch.Generator().manual_seed(seed))


FRAMES = [(step, (1 - step / 50) * gradient() + step / 50 * noisy()) for step in (0, 10, 25, 50)]
RATIOS = ["α/β = 1e-4", "α/β = 1e-3", "α/β = 1e-2"]
PRESETS = ["all layers equal", "relu1_1 only"]
RESULTS = {(ratio, preset): noisy(seed=10 * i + j)
           for i, ratio in enumerate(RATIOS) for j, preset in enumerate(PRESETS)
           if (i, j) != (2, 1)}                                 # one pair not computed


def shown(ax):
    (image,) = ax.images
    return np.asarray(image.get_array())


@pytest.fixture
def shown_figures(monkeypatch):
    """The figures the widgets put in their Output area, in order."""
    figures = []
    monkeypatch.setattr(frame, "show_figure", lambda output, fig, dpi=80: figures.append(fig))
    return figures


@pytest.fixture
def no_ipywidgets(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)     # makes `import ipywidgets` fail


def test_render_frame_titles_the_step():
    fig = explorer.render_frame(FRAMES, 2)
    assert fig.axes[0].get_title() == "G at step 25 (frame 3 of 4)"
    np.testing.assert_allclose(shown(fig.axes[0]), picture(FRAMES[2][1]))
    with pytest.raises(ValueError, match=r"index must be in 0\.\.3"):
        explorer.render_frame(FRAMES, 4)


def test_frames_slider_shows_frame_i_when_set_to_i(shown_figures):
    ipywidgets = pytest.importorskip("ipywidgets")
    box = explorer.frames_slider(FRAMES)
    control, output = box.children
    assert isinstance(output, ipywidgets.Output)
    assert [label for label, _ in control.options] == ["0", "10", "25", "50"]   # the steps
    assert control.value == 0 and control.layout.width == "420px"
    assert not control.continuous_update                    # one redraw per release
    for index in (3, 1):
        control.value = index
        np.testing.assert_allclose(shown(shown_figures[-1].axes[0]), picture(FRAMES[index][1]))
        assert control.label == str(FRAMES[index][0])
    assert [fig.axes[0].get_title().split()[3] for fig in shown_figures] == ["0", "50", "10"]
    with pytest.raises(ValueError, match="no frames"):
        explorer.frames_slider([])


def test_frames_slider_without_ipywidgets_is_the_strip(no_ipywidgets):
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = explorer.frames_slider(FRAMES)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["step 0", "step 10", "step 25", "step 50"]


def test_explorer_labels_keep_the_order_of_the_results():
    pick = explorer.StyleExplorer(RESULTS, gradient(), noisy())
    assert pick.ratios == RATIOS and pick.presets == PRESETS
    with pytest.raises(ValueError, match="results is empty"):
        explorer.StyleExplorer({}, gradient(), noisy())
    with pytest.raises(ValueError, match="pairs, got 'α/β = 1'"):
        explorer.StyleExplorer({"α/β = 1": noisy()}, gradient(), noisy())


def test_render_shows_content_style_and_the_chosen_result():
    pick = explorer.StyleExplorer(RESULTS, gradient(), noisy(seed=99))
    fig = pick.render(RATIOS[1], PRESETS[1])
    content, style, result = fig.axes
    assert [content.get_title(), style.get_title()] == ["content C", "style S"]
    np.testing.assert_allclose(shown(content), picture(gradient()))
    np.testing.assert_allclose(shown(style), picture(noisy(seed=99)))
    assert result.get_title() == f"G: {RATIOS[1]}\n{PRESETS[1]}"
    np.testing.assert_allclose(shown(result), picture(RESULTS[RATIOS[1], PRESETS[1]]))
    missing = pick.render(RATIOS[2], PRESETS[1]).axes[2]
    assert not missing.images and to_rgba(missing.get_facecolor()) == to_rgba(UNAVAILABLE_FACE)
    assert "not computed" in missing.texts[0].get_text()


def test_widget_shows_the_precomputed_image_of_the_selected_pair(shown_figures):
    ipywidgets = pytest.importorskip("ipywidgets")
    pick = explorer.StyleExplorer(RESULTS, gradient(), noisy())
    ratio, preset, output = pick.widget().children
    assert isinstance(ratio, ipywidgets.SelectionSlider) and list(ratio.options) == RATIOS
    assert not ratio.continuous_update
    assert isinstance(preset, ipywidgets.Dropdown) and list(preset.options) == PRESETS
    assert isinstance(output, ipywidgets.Output)
    ratio.value = RATIOS[1]
    preset.value = PRESETS[1]
    assert len(shown_figures) == 3                      # the first view, then one per change
    for fig, pair in zip(shown_figures, [(RATIOS[0], PRESETS[0]), (RATIOS[1], PRESETS[0]),
                                         (RATIOS[1], PRESETS[1])]):
        np.testing.assert_allclose(shown(fig.axes[2]), picture(RESULTS[pair]))


def test_grid_has_a_row_per_ratio_and_a_column_per_preset():
    fig = explorer.StyleExplorer(RESULTS, gradient(), noisy()).grid_figure()
    axes = np.array(fig.axes).reshape(3, 2)
    assert [ax.get_title() for ax in axes[0]] == PRESETS
    assert [ax.get_ylabel() for ax in axes[:, 0]] == RATIOS
    np.testing.assert_allclose(shown(axes[1, 1]), picture(RESULTS[RATIOS[1], PRESETS[1]]))
    assert not axes[2, 1].images and "not computed" in axes[2, 1].texts[0].get_text()
    assert "α/β ratio (rows)" in fig._suptitle.get_text()


def test_widget_without_ipywidgets_is_the_grid(no_ipywidgets):
    pick = explorer.StyleExplorer(RESULTS, gradient(), noisy())
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = pick.widget()
    assert isinstance(fig, Figure) and len(fig.axes) == 6
    assert sum(1 for ax in fig.axes if ax.images) == 5


def _png(image):
    from PIL import Image
    buffer = io.BytesIO()
    Image.fromarray((picture(image) * 255).round().astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


def _upload(widget, data, name="photo.png"):
    widget.value = ({"name": name, "type": "image/png", "size": len(data),
                     "content": memoryview(data),
                     "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def test_uploaded_bytes_of_ipywidgets_7_and_8():
    assert explorer.uploaded_bytes(()) is None and explorer.uploaded_bytes({}) is None
    assert explorer.uploaded_bytes(({"content": memoryview(b"ab")},)) == b"ab"
    assert explorer.uploaded_bytes({"a.jpg": {"content": b"a"}, "b.jpg": {"content": b"b"}}) \
        == b"b"                                          # the last file


def test_upload_getter_loads_the_uploaded_bytes(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    calls = []
    fake = types.ModuleType("source_lib.style.images")
    fake.load_image = lambda source, size=128: calls.append((source, size)) or "tensor"
    monkeypatch.setitem(sys.modules, "source_lib.style.images", fake)
    upload, getter = explorer.upload_content(size=32)
    assert isinstance(upload, ipywidgets.FileUpload) and upload.accept == "image/*"
    assert not upload.multiple
    assert getter() is None and calls == []                # nothing uploaded yet
    _upload(upload, b"\x89PNG...")
    assert getter() == "tensor" and calls == [(b"\x89PNG...", 32)]


def test_upload_getter_with_the_real_loader():
    pytest.importorskip("ipywidgets")
    images = pytest.importorskip("source_lib.style.images")
    upload, getter = explorer.upload_content(size=8)
    _upload(upload, _png(gradient(size=16)))
    image = getter()
    assert tuple(image.shape) == (1, 3, 8, 8)
    assert 0 <= float(image.min()) and float(image.max()) <= 1
    np.testing.assert_allclose(image, images.load_image(_png(gradient(size=16)), size=8))


def test_upload_without_ipywidgets(no_ipywidgets):
    with pytest.warns(RuntimeWarning, match="content_image"):
        upload, getter = explorer.upload_content()
    assert upload is None and getter() is None
