"""Widgets of notebook 09 (style transfer): G's frames, precomputed results, your own photo.

    from source_lib.widgets.style_explorer import frames_slider, StyleExplorer, upload_content
    frames_slider(recorder.frames)                 # a slider over the steps of one run
    StyleExplorer(results, content, style).widget()   # results: {(ratio, preset): G}
    upload, get_photo = upload_content(size=128)   # display(upload); later: get_photo()

Nothing is optimised here: the widgets only show images the notebook computed, so they
respond at once. Without ipywidgets each falls back (with a RuntimeWarning) to a static
figure: the strip of frames, the grid of every precomputed result; ``upload_content`` then
returns no widget and a getter that gives None.
"""

import warnings

from source_lib.plotting import closed_figure
from source_lib.style.plots import (CHARS_PER_INCH, draw_image, draw_unavailable, finish,
                                    frames_strip, picture)
from source_lib.widgets import frame, layout

NOT_COMPUTED = "not computed: this pair is not in the results"


def render_frame(frames, index, size=4.0):
    """Frame ``index`` of ``frames`` ([(step, image), ...]), titled with its step and how many
    frames there are. Returns the Figure."""
    if not 0 <= index < len(frames):
        raise ValueError(f"index must be in 0..{len(frames) - 1}, got {index}")
    step, image = frames[index]
    fig, axes = closed_figure((size, size + 0.4))
    draw_image(axes[0, 0], image, f"G at step {step} (frame {index + 1} of {len(frames)})",
               width=int(size * CHARS_PER_INCH))
    return finish(fig)


def frames_slider(frames):
    """A slider over the recorded steps (its readout: the step; its value: the frame's index)
    showing that frame of G. ``frames``: ``FrameRecorder.frames``. Returns an
    ``ipywidgets.VBox``; without ipywidgets, :func:`frames_strip`."""
    frames = list(frames)
    if not frames:
        raise ValueError("no frames: record them with FrameRecorder(extractor, every=...)")
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available; showing a strip of the frames instead of "
                      "the slider.", RuntimeWarning, stacklevel=2)
        return frames_strip(frames)
    # a selection, not an IntSlider over steps: frames need not be evenly spaced
    control = ipywidgets.SelectionSlider(
        options=[(str(step), index) for index, (step, _) in enumerate(frames)], value=0,
        description="step", continuous_update=False, **layout.wide(ipywidgets))
    output = ipywidgets.Output()

    def redraw(change=None):
        # looked up at call time so that tests can observe the redraws
        frame.show_figure(output, render_frame(frames, control.value))

    control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([control, output])


def _unique(values):
    return list(dict.fromkeys(values))


class StyleExplorer:
    """Precomputed stylisations, picked by two controls: the alpha/beta ratio and the preset of
    style-layer weights.

    ``results``: ``{(ratio label, weights label): G}`` (e.g. ``("α/β = 1e-3", "all layers
    equal")``), G an image (1, 3, H, W) in [0, 1]; ``content``, ``style``: the images they
    were made from. Labels keep the order in which ``results`` first names them; a pair that
    was not computed shows as a grey panel."""

    def __init__(self, results, content, style):
        results = dict(results)
        if not results:
            raise ValueError("results is empty: pass {(ratio label, weights label): image}")
        malformed = [key for key in results if not (isinstance(key, tuple) and len(key) == 2)]
        if malformed:
            raise ValueError(f"results keys must be (ratio label, weights label) pairs, got "
                             f"{malformed[0]!r}")
        self.results, self.content, self.style = results, content, style
        self.ratios = _unique(ratio for ratio, _ in results)
        self.presets = _unique(preset for _, preset in results)

    def _panel(self, ax, ratio, preset, title, width):
        image = self.results.get((ratio, preset))
        if image is None:
            draw_unavailable(ax, title or "", NOT_COMPUTED, width, aspect=self._aspect())
        else:
            draw_image(ax, image, title, width)

    def _aspect(self):
        height, width = picture(self.content).shape[:2]
        return height / width

    def render(self, ratio, preset, size=2.8):
        """Content, style and the G of (``ratio``, ``preset``) side by side. Returns the Figure."""
        fig, axes = closed_figure((3 * size, size + 0.7), 1, 3)
        width = int(size * CHARS_PER_INCH)
        draw_image(axes[0, 0], self.content, "content C", width)
        draw_image(axes[0, 1], self.style, "style S", width)
        self._panel(axes[0, 2], ratio, preset, f"G: {ratio}\n{preset}", width)
        return finish(fig)

    def grid_figure(self, size=2.0):
        """Every precomputed G: one row per ratio, one column per weights preset (named above
        the first row and beside the first column). Returns the Figure."""
        nrows, ncols = len(self.ratios), len(self.presets)
        fig, axes = closed_figure((size * ncols + 0.8, size * nrows + 0.9), nrows, ncols)
        width = int(size * CHARS_PER_INCH)
        for row, ratio in enumerate(self.ratios):
            for column, preset in enumerate(self.presets):
                ax = axes[row, column]
                self._panel(ax, ratio, preset, preset if row == 0 else None, width)
                if column == 0:
                    ax.set_ylabel(ratio, fontsize="medium")
        fig.suptitle("G for each α/β ratio (rows) and style-layer weights (columns)",
                     fontsize="medium")
        return finish(fig)

    def widget(self):
        """A slider over the ratios and a menu of the weight presets, showing :meth:`render`.
        Returns an ``ipywidgets.VBox``; without ipywidgets, :meth:`grid_figure`."""
        try:
            import ipywidgets
        except ImportError:
            warnings.warn("ipywidgets is not available; showing every precomputed result as "
                          "a static grid instead of the explorer.", RuntimeWarning,
                          stacklevel=2)
            return self.grid_figure()
        wide = layout.wide(ipywidgets)
        # redrawn on release (about 0.1 s a figure), not for every position dragged over
        ratio = ipywidgets.SelectionSlider(options=self.ratios, value=self.ratios[0],
                                           description="α/β", continuous_update=False, **wide)
        preset = ipywidgets.Dropdown(options=self.presets, value=self.presets[0],
                                     description="layer weights", **wide)
        output = ipywidgets.Output()

        def redraw(change=None):
            frame.show_figure(output, self.render(ratio.value, preset.value))

        ratio.observe(redraw, names="value")
        preset.observe(redraw, names="value")
        redraw()
        return ipywidgets.VBox([ratio, preset, output])


def uploaded_bytes(value):
    """The bytes of the last file in a ``FileUpload``'s value, or None when there is none:
    ipywidgets 8 gives a tuple of dicts with "content" (a memoryview), ipywidgets 7 a dict
    {file name: {"content": bytes, ...}}."""
    files = list(value.values()) if isinstance(value, dict) else list(value or ())
    if not files:
        return None
    return bytes(files[-1]["content"])


def upload_content(size=128):
    """A file-upload button for your own content photo, and a getter: ``getter()`` returns the
    last uploaded image as ``load_image`` makes it ((1, 3, size, size) in [0, 1], centre-
    cropped), or None before anything is uploaded. Without ipywidgets: (None, a getter that
    returns None)."""
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available: no upload button; pass a file path to "
                      "content_image(source=...) instead.", RuntimeWarning, stacklevel=2)
        return None, lambda: None
    upload = ipywidgets.FileUpload(accept="image/*", multiple=False,
                                   description="your photo")

    def getter():
        data = uploaded_bytes(upload.value)
        if data is None:
            return None
        # imported here: the image loader (PIL, downloads) is needed only once a photo exists
        from source_lib.style.images import load_image
        return load_image(data, size=size)

    return upload, getter
