"""Figures of notebook 09 (neural style transfer), drawn from images and cost histories.

    from source_lib.style.plots import (show_images, frames_strip, loss_curves,
                                        side_by_side, layer_grid)

Images: tensors (1, 3, H, W) or (3, H, W) in [0, 1] (what ``load_image`` and
``run_style_transfer`` return) or NumPy arrays (H, W, 3). Histories:
``{"content": [...], "style": [...], "total": [...]}``, one float per step (the cost before
that step), as ``run_style_transfer`` returns them. Nothing here computes a cost: the figures
only draw the numbers they are given. Every helper returns a Figure that is already closed:
show it with ``display(fig)`` or as the cell's last value.
"""

import re
import textwrap

import numpy as np
from matplotlib.lines import Line2D

from source_lib.plotting import _displayable, _image_batch, _to_numpy, closed_figure

COST_KEYS = ("content", "style", "total")
COST_COLORS = {"content": "tab:blue", "style": "tab:orange", "total": "black"}
COST_TITLES = {"content": "content cost J_content", "style": "style cost J_style",
               "total": "total cost J = α J_content + β J_style"}
UNAVAILABLE_FACE = "0.88"    # the grey panel of an extractor that could not run
CHAR_EM = 0.52               # average width of a character, in font sizes (DejaVu Sans)
LINE_SPACING = 1.3           # of the grey panels' text, in font sizes
CHARS_PER_INCH = 11          # characters of a "medium" title that fit in one inch of width


class _PathWrapper(textwrap.TextWrapper):
    """Also breaks after a "/" or "-" inside a word: a file path in a reason then wraps at
    its folders, not in the middle of a name."""
    wordsep_re = re.compile(r"(\s+|(?<=[^\s/-][/-])(?=[^\s/-]))")


def wrapped(text, width):
    """``text`` with every line wrapped at ``width`` characters (existing line breaks kept)."""
    wrapper = _PathWrapper(width=width)
    return "\n".join(wrapper.fill(line) if line else "" for line in str(text).split("\n"))


def picture(image):
    """One image for imshow: (H, W, 3) or (H, W) NumPy, floats in [0, 1] (anything outside is
    rescaled) or uint8. Accepts (1, C, H, W) or (C, H, W) tensors/arrays with C in {1, 3},
    (H, W, C) arrays and (H, W) grey ones."""
    array = _to_numpy(image)
    if array.ndim == 4:
        if len(array) != 1:
            raise ValueError(f"expected one image, got a batch of {len(array)} "
                             f"(shape {array.shape}); pass image[i:i+1]")
        array = array[0]
    if array.ndim not in (2, 3):
        raise ValueError(f"expected an image (1, 3, H, W), (3, H, W) or (H, W, 3), "
                         f"got shape {array.shape}")
    return _displayable(_image_batch(array[None])[0])


def draw_image(ax, image, title=None, width=24, fontsize="medium"):
    """``image`` in ``ax`` without ticks, titled ``title`` wrapped at ``width`` characters."""
    shown = picture(image)
    ax.imshow(shown, cmap="gray" if shown.ndim == 2 else None, vmin=0,
              vmax=255 if shown.dtype == np.uint8 else 1)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(wrapped(title, width), fontsize=fontsize)


def fitted_text(text, width_inches, height_inches, sizes=(9, 8, 7)):
    """(``text`` wrapped, font size in points) so that it fits a box of the given size: the
    largest of ``sizes`` that fits; at the smallest, the lines that do not fit become "..."."""
    for points in sizes:
        chars = max(int(width_inches * 72 / (CHAR_EM * points)), 8)
        lines = wrapped(text, chars).split("\n")
        fitting = int(height_inches * 72 / (LINE_SPACING * points))
        if len(lines) <= fitting:
            return "\n".join(lines), points
    return "\n".join(lines[:max(fitting - 1, 1)] + ["..."]), points


def fit_reasons(fig):
    """Wrap and size the text of every grey panel of ``fig`` to the panel as laid out: call
    it after ``tight_layout`` (which sets the panels' final size)."""
    width, height = fig.get_size_inches()
    for ax in fig.axes:
        for artist in ax.texts:
            if hasattr(artist, "reason"):
                panel = ax.get_position()
                box = 0.9 * panel.width * width, 0.9 * panel.height * height
                aspect = ax.get_box_aspect()   # None: the panel fills its cell
                if aspect is not None:
                    side = min(box[0], box[1] / aspect)
                    box = side, side * aspect
                text, points = fitted_text(artist.reason, *box)
                artist.set_text(text)
                artist.set_fontsize(points)


def finish(fig):
    """tight_layout, then the grey panels' text fitted to the final panels; returns ``fig``."""
    fig.tight_layout()
    fit_reasons(fig)
    return fig


def draw_unavailable(ax, name, reason, width=24, aspect=1.0):
    """A grey panel titled ``name`` (wrapped at ``width`` characters) whose text says why it
    is empty: ``reason``, wrapped and sized to fit the panel by :func:`fit_reasons` (a long
    reason, e.g. the folders looked in, gets a smaller font); ``aspect``: its height / width,
    as the images beside it (None: as tall as its cell)."""
    ax.set_facecolor(UNAVAILABLE_FACE)
    if aspect is not None:
        ax.set_box_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(wrapped(name, width), fontsize="medium", color="0.35")
    # the course's reasons may start with the words the panel already shows
    reason = re.sub(r"^not available[:,.]?\s*", "", str(reason), flags=re.IGNORECASE)
    artist = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                     color="0.2", linespacing=LINE_SPACING - 0.1)
    artist.reason = "not available\n\n" + reason
    fit_reasons(ax.figure)   # a first fit; the figure's finish() fits it to the final layout


def _draw_panel(ax, title, image, width):
    """An image, or (``image`` a str: the reason it is missing) a grey panel."""
    if isinstance(image, str):
        draw_unavailable(ax, title, image, width)
    else:
        draw_image(ax, image, title, width)


def show_images(images, ncols=None, size=2.5):
    """Images side by side, ``{title: image}``, ``ncols`` per row (default: all of them, at
    most 4), each ``size`` inches wide, titles wrapped to fit. A value that is a str is the
    reason an image is missing: drawn as a grey panel with that text. Returns the Figure."""
    if not images:
        raise ValueError("images is empty: pass {title: image}")
    count = len(images)
    ncols = max(1, min(count, ncols or 4))
    nrows = -(-count // ncols)
    width = int(size * CHARS_PER_INCH)
    # room for the longest wrapped title: square images leave tight_layout no slack for it
    lines = max(wrapped(title, width).count("\n") + 1 for title in images)
    fig, axes = closed_figure((size * ncols, (size + 0.2 * lines + 0.25) * nrows), nrows, ncols)
    for ax in axes.ravel()[count:]:
        ax.set_visible(False)
    for ax, (title, image) in zip(axes.ravel(), images.items()):
        _draw_panel(ax, str(title), image, width)
    return finish(fig)


def spread(count, most):
    """Indices of at most ``most`` of ``count`` items, evenly spaced, first and last kept."""
    if count <= most:
        return list(range(count))
    return sorted({int(round(index)) for index in np.linspace(0, count - 1, max(most, 2))})


def frames_strip(frames, max_frames=8):
    """A row of frames of G, ``[(step, image), ...]`` as ``FrameRecorder.frames`` keeps them,
    titled by their step; more than ``max_frames`` are thinned evenly (the first and the last
    always shown). Returns the Figure."""
    frames = list(frames)
    if not frames:
        raise ValueError("no frames: record them with FrameRecorder(extractor, every=...)")
    chosen = spread(len(frames), max_frames)
    fig, axes = closed_figure((1.45 * len(chosen) + 0.2, 2.15), 1, len(chosen))
    for ax, index in zip(axes[0], chosen):
        step, image = frames[index]
        draw_image(ax, image, f"step {step}", fontsize="small")
    kept = "" if len(chosen) == len(frames) else f" ({len(chosen)} of {len(frames)} frames)"
    fig.suptitle(f"G during the optimisation{kept}", fontsize="medium")
    return finish(fig)


def _series(history, key):
    """The costs of ``key`` in a history as floats (empty when the history has none)."""
    values = history.get(key) if hasattr(history, "get") else getattr(history, key, None)
    return np.asarray([] if values is None else list(values), dtype=float)


def draw_costs(ax, values, log=True, **line_kwargs):
    """One cost per step against the step (0, 1, ...). On a log axis a cost of 0 (the content
    cost at step 0 when G starts as C) cannot be drawn: it is left out. Returns how many."""
    values = np.asarray(values, dtype=float)
    hidden = int(np.sum(values <= 0)) if log else 0
    if log:
        values = np.where(values > 0, values, np.nan)
    ax.plot(np.arange(len(values)), values, **line_kwargs)
    return hidden


def format_cost_axis(ax, title, log=True, hidden=0, ylabel=True):
    """Title, step axis, log (or linear) cost axis and grid; ``hidden`` costs of 0 left out
    are named under the title (a note inside the axes would cover the curves)."""
    if log:
        ax.set_yscale("log")
    if hidden:
        title += f"\n({hidden} cost{'s' if hidden > 1 else ''} of 0 not drawn: log axis)"
    ax.set_title(title, fontsize="medium")
    ax.set_xlabel("step")
    if ylabel:
        ax.set_ylabel("cost (log scale)" if log else "cost")
    ax.grid(alpha=0.3)


def _named(histories):
    """{label: history}; a single history (a dict of lists) gets the label ''."""
    if hasattr(histories, "get") and any(key in histories for key in COST_KEYS) and all(
            np.ndim(value) == 1 for value in histories.values()):
        return {"": histories}
    return dict(histories)


def loss_curves(histories, keys=COST_KEYS, log=True):
    """One panel per cost in ``keys``, one line per run: ``histories`` is ``{label: history}``
    (e.g. "init from C", "init from noise") or a single history. Log cost axis by default (the
    costs fall by orders of magnitude); the legend is in the first panel. Returns the Figure."""
    named = _named(histories)
    keys = list(keys)
    fig, axes = closed_figure((3.8 * len(keys), 3.3), 1, len(keys))
    for column, (ax, key) in enumerate(zip(axes[0], keys)):
        hidden = 0
        for index, (label, history) in enumerate(named.items()):
            values = _series(history, key)
            if len(values):
                hidden += draw_costs(ax, values, log, color=f"C{index % 10}",
                                     label=str(label) or None, linewidth=1.6)
        format_cost_axis(ax, COST_TITLES.get(key, key), log, hidden, ylabel=column == 0)
    if any(str(label) for label in named) and axes[0, 0].lines:
        axes[0, 0].legend(fontsize="small", loc="best")
    return finish(fig)


def _result_title(name, history, seconds):
    steps = len(_series(history, "total"))
    timing = "" if seconds is None else f", {seconds:.1f} s"
    return f"{name}\n{steps} steps{timing}" if steps else f"{name}{timing.replace(',', '', 1)}"


def _cost_legend(ax, log, width, hidden=0, ran=True):
    """The spare bottom-left panel: the colours of the costs and how to read the curves
    (``ran``: some extractor ran; if none did, says so instead)."""
    ax.axis("off")
    if not ran:
        ax.text(0.0, 0.9, wrapped("No extractor could run here: the grey panels say why.",
                                  width), transform=ax.transAxes, ha="left", va="top")
        return
    handles = [Line2D([], [], color=COST_COLORS[key], linewidth=2, label=COST_TITLES[key])
               for key in COST_KEYS]
    ax.legend(handles=handles, loc="upper left", fontsize="small", frameon=False,
              title="costs per step" + (" (log scale)" if log else ""),
              title_fontsize="small")
    note = ("Each network measures features on its own scale: compare the shapes of the "
            "curves, not their heights across networks.")
    if hidden:   # the content cost of G = C at step 0
        note += " A cost of 0 (G = C at step 0) cannot be drawn on a log axis: left out."
    ax.text(0.0, 0.5, wrapped(note, width), transform=ax.transAxes, ha="left", va="top",
            fontsize="small", color="0.25")


def _result_column(top, bottom, name, result, log, width, ylabel):
    """An extractor's result (top) and its costs per step (bottom); returns how many costs of
    0 the log axis left out."""
    image, history, seconds = result
    draw_image(top, image, _result_title(name, history, seconds), width)
    hidden = sum(draw_costs(bottom, _series(history, key), log, color=COST_COLORS[key],
                            label=key, linewidth=1.5) for key in COST_KEYS)
    format_cost_axis(bottom, wrapped(f"costs: {name}", width), log, ylabel=ylabel)
    return hidden


def side_by_side(content, style, results, unavailable=None, log=True, size=2.4):
    """The same content and style through several feature extractors, one column each.

    Top row: the content image, the style image, then the result of each extractor of
    ``results`` (``{name: (image, history, seconds)}``, titled with its steps and seconds)
    and a grey column (both rows) for each of ``unavailable`` (``{name: why}``, the reason
    written in it). Bottom row, under each result: its content, style and total costs per
    step; under C and S: the legend. Works
    with 0 to 3 (or more) extractors. Returns the Figure."""
    unavailable = {name: why for name, why in (unavailable or {}).items() if name not in results}
    names = list(results) + list(unavailable)
    fig, axes = closed_figure((size * (2 + len(names)), 2 * size + 1.3), 2, 2 + len(names),
                              gridspec_kw={"height_ratios": [1.15, 1]})
    width = int(size * CHARS_PER_INCH)
    draw_image(axes[0, 0], content, "content C", width)
    draw_image(axes[0, 1], style, "style S", width)
    gridspec = axes[1, 0].get_subplotspec().get_gridspec()
    hidden = 0
    for column, name in enumerate(names, start=2):
        if name in unavailable:   # a grey column: its text has the room of both rows
            axes[0, column].remove()
            axes[1, column].remove()
            draw_unavailable(fig.add_subplot(gridspec[:, column]), name, unavailable[name],
                             width, aspect=None)
        else:
            hidden += _result_column(axes[0, column], axes[1, column], name, results[name],
                                     log, width, ylabel=not any(n in results for n in
                                                                names[:column - 2]))
    axes[1, 0].remove()
    axes[1, 1].remove()
    _cost_legend(fig.add_subplot(gridspec[1, 0:2]), log, 2 * width, hidden, bool(results))
    return finish(fig)


def layer_grid(images, title="what each style layer alone reproduces", ncols=5, size=2.2):
    """``{layer name: G made with that style layer alone}`` in a grid (``ncols`` per row),
    titled by layer, under ``title``: textures at growing scale. Returns the Figure."""
    fig = show_images(images, ncols=min(ncols, max(len(images), 1)), size=size)
    fig.suptitle(title, fontsize="large")
    return finish(fig)
