"""Every slider of the widgets in notebooks 01-04 keeps a track wide enough to drag.

The track width is computed from each slider's Layout and style with the CSS sizes of
ipywidgets 8 (source_lib.widgets.layout); a row of sliders must wrap instead of squeezing
them (an HBox narrower than its children shrinks them: 03's explorer had 14 px tracks)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

ipywidgets = pytest.importorskip("ipywidgets")

from source_lib.widgets import architecture, conv2d_explorer, layer_geometry, sliding_kernel  # noqa: E402
from source_lib.widgets.layout import MIN_TRACK_PX, track_width  # noqa: E402


def _walk(widget, parent=None):
    yield widget, parent
    for child in getattr(widget, "children", ()):
        yield from _walk(child, widget)


def _sliders(box):
    return [(w, parent) for w, parent in _walk(box) if isinstance(w, ipywidgets.IntSlider)]


def _architecture_editor(monkeypatch):
    import IPython.display
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    monkeypatch.setattr(architecture, "png_bytes", lambda fig, dpi=None: b"")
    architecture.architecture_editor(lambda m, s: [], lambda m, s: 0)
    (box,) = shown
    return box


def _all_widgets(monkeypatch):
    monkeypatch.setattr(layer_geometry, "png_bytes", lambda fig, dpi=None: b"")
    monkeypatch.setattr(conv2d_explorer, "png_bytes", lambda fig, dpi=None: b"")
    monkeypatch.setattr(sliding_kernel, "png_bytes", lambda fig, dpi=None: b"")
    return {"01 sliding kernel": sliding_kernel.sliding_kernel_explorer([3, 4, 5], [1, 2, 3, 4, 5]),
            "02 convolution explorer": conv2d_explorer.convolution_explorer(np.random.rand(20, 18)),
            "03 output-size explorer": layer_geometry.output_size_explorer(),
            "03 receptive-field viewer": layer_geometry.receptive_field_viewer(),
            "04 architecture editor": _architecture_editor(monkeypatch)}


def test_the_old_layout_is_what_the_measure_rejects():
    # 03's sliders before the fix: 210 px with the default 80 px description
    old = ipywidgets.IntSlider(description="padding", layout=ipywidgets.Layout(width="210px"))
    assert track_width(old) == 34 < MIN_TRACK_PX
    assert track_width(ipywidgets.IntSlider(description="n")) == 124    # default 300 px


def test_every_slider_has_a_draggable_track_and_is_never_squeezed(monkeypatch):
    found = 0
    for name, box in _all_widgets(monkeypatch).items():
        for slider, parent in _sliders(box):
            found += 1
            assert track_width(slider) >= MIN_TRACK_PX, (name, slider.description)
            if isinstance(parent, ipywidgets.HBox):
                assert parent.layout.flex_flow == "row wrap", (name, "a row of sliders must wrap")
                assert slider.layout.flex == "0 0 auto", (name, "a slider in a row must not shrink")
    assert found == 1 + 5 + 2 + 12


def test_descriptions_fit_their_label():
    # about 7 px per character at the widgets' 13 px font; a longer text would be cut ("conv1 C_o…")
    box = _architecture_editor(pytest.MonkeyPatch())
    for slider, _ in _sliders(box):
        assert len(slider.description) * 7 <= int(slider.style.description_width[:-2])


def test_the_wide_controls_of_06_and_07_keep_a_draggable_track():
    from source_lib.widgets.layout import wide
    slider = ipywidgets.IntSlider(0, 0, 9, description="first channel", **wide(ipywidgets))
    assert track_width(slider) >= MIN_TRACK_PX and slider.layout.flex == "0 0 auto"
    assert len(slider.description) * 7 <= int(slider.style.description_width[:-2])
