"""Interactive pictures of a kernel sliding over a signal (1-D, "full" mode).

    from source_lib.widgets.sliding_kernel import sliding_kernel_explorer
    sliding_kernel_explorer([1, 2, 3], [1, 0, -1], flip=True, output_fn=convolve1d)

The slider picks an output position n (0 .. len(f) + len(g) - 2). The top panel
shows the signal f, the kernel placed for output n (flipped for convolution,
``flip=True``; as is for correlation, ``flip=False``), the products of the
overlapping samples (zero outside f) and their sum, which is output n.
The bottom panel shows the outputs of *your* function ``output_fn(f, g)`` with
n highlighted, so you can compare it with the sum computed in the top panel.
This module computes one output position at a time only, for the picture.
"""

import warnings

import numpy as np
from matplotlib.animation import FuncAnimation

from source_lib.plotting import closed_figure, png_bytes

_PANELS = {"height_ratios": [3, 2]}  # the window on top, the outputs below
_EQUATION_MAX_TERMS = 6  # longer kernels get "sum of K products" instead of the full sum


def _as_signal(values, name):
    array = np.asarray(values, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D sequence, got shape {array.shape}")
    return array


def _fmt(value):
    return f"{value:.4g}"


def _window(f, g, n, flip):
    """Kernel placed for output n: positions m (K,), f[m] there (K,, 0 outside f), kernel (K,)."""
    if not 0 <= n <= len(f) + len(g) - 2:
        raise ValueError(f"n must be in 0..{len(f) + len(g) - 2} (full mode), got {n}")
    # In full mode the window for output n always covers m = n-K+1 .. n; flipping
    # only decides which end of g sits at m = n.
    positions = np.arange(n - len(g) + 1, n + 1)
    inside = (positions >= 0) & (positions < len(f))
    f_values = np.zeros(len(g))
    f_values[inside] = f[positions[inside]]
    return positions, f_values, (g[::-1] if flip else g)


def _draw_window(ax, f, g, n, flip):
    """Top panel: f, the placed kernel and the products; returns the output value at n."""
    positions, f_values, kernel = _window(f, g, n, flip)
    products = f_values * kernel
    value = float(products.sum())
    left, right = -(len(g) - 1) - 0.7, len(f) + len(g) - 2 + 0.7
    for start, stop in ((left, -0.5), (len(f) - 0.5, right)):
        ax.axvspan(start, stop, color="0.92", zorder=0)
    ax.axvspan(positions[0] - 0.5, positions[-1] + 0.5, color="C1", alpha=0.12, zorder=0)
    handles = [
        ax.stem(np.arange(len(f)), f, linefmt="C0-", markerfmt="C0o", basefmt=" ", label="f"),
        ax.stem(positions + 0.2, kernel, linefmt="C1--", markerfmt="C1^", basefmt=" ",
                label="g flipped (convolution)" if flip else "g (correlation, not flipped)"),
        ax.plot(positions, products, "D", color="C2", markersize=7, label="products f\u00b7g")[0],
    ]
    if len(g) <= 9:
        for m, product in zip(positions, products):
            ax.annotate(_fmt(product), (m, product), textcoords="offset points", xytext=(0, 8),
                        ha="center", fontsize="small", color="C2")
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.set_xlim(left, right)
    ax.margins(y=0.25)  # room for the product labels
    ax.set_xlabel("position m  (grey: outside f, counted as 0)")
    ax.legend(handles=handles, loc="upper right", fontsize="x-small")
    if len(g) <= _EQUATION_MAX_TERMS:
        terms = " + ".join(f"{_fmt(a)}\u00b7{_fmt(b)}" for a, b in zip(f_values, kernel))
    else:
        terms = f"sum of {len(g)} products"
    ax.set_title(f"y[{n}] = {terms} = {_fmt(value)}", fontsize="medium")
    return value


def _call_output_fn(output_fn, f, g):
    """(outputs (L,) float array or None, problem message or None)."""
    try:
        # copies: a student function that modifies its inputs must not change the picture
        outputs = np.asarray(output_fn(f.copy(), g.copy()), dtype=float)
    except Exception as error:  # the student's function may be unfinished
        return None, f"output_fn raised {type(error).__name__}: {error}"
    if outputs.ndim != 1:
        return None, f"output_fn returned shape {outputs.shape}, expected a 1-D sequence"
    expected = len(f) + len(g) - 1
    if len(outputs) != expected:
        return outputs, (f"output_fn returned {len(outputs)} values; full mode has "
                         f"len(f) + len(g) - 1 = {expected}")
    return outputs, None


def _draw_outputs(ax, f, g, n, value, outputs, problem):
    """Bottom panel: the outputs of output_fn (if any) with position n highlighted."""
    count = len(f) + len(g) - 1
    note = problem
    if outputs is not None and len(outputs):
        ax.stem(np.arange(len(outputs)), outputs, linefmt="0.6", markerfmt="o", basefmt=" ")
    if outputs is not None and n < len(outputs):
        ax.plot([n], [outputs[n]], "o", color="C3", markersize=10, label=f"your y[{n}]")
        if note is None and not np.isclose(outputs[n], value, rtol=1e-6, atol=1e-9):
            note = f"your y[{n}] = {_fmt(outputs[n])}, the sliding sum above gives {_fmt(value)}"
    elif outputs is None:
        ax.stem([n], [value], linefmt="C3-", markerfmt="C3o", basefmt=" ")
        note = note or "pass output_fn=your_function to see the whole output"
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.set_xlim(-0.7, count - 0.3)
    ax.margins(y=0.3)  # room for the note
    ax.set_xlabel("output index n")
    ax.set_title("output y (full mode)", fontsize="medium")
    if note:
        ax.text(0.99, 0.96, note, transform=ax.transAxes, va="top", ha="right",
                fontsize="small", color="C3" if outputs is not None or problem else "0.3",
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})


def render_frame(f, g, n, flip=True, output_fn=None):
    """Picture of output position ``n`` for signals f (N,) and g (K,); returns the Figure.

    Top: f, the kernel placed for output n and the products; bottom: outputs
    of ``output_fn(f, g)`` (if given) with n highlighted. ``0 <= n <= N+K-2``.
    """
    f, g = _as_signal(f, "f"), _as_signal(g, "g")
    fig, axes = closed_figure((8, 5.5), 2, 1, gridspec_kw=_PANELS)
    value = _draw_window(axes[0, 0], f, g, int(n), flip)
    outputs, problem = (None, None) if output_fn is None else _call_output_fn(output_fn, f, g)
    _draw_outputs(axes[1, 0], f, g, int(n), value, outputs, problem)
    fig.tight_layout()
    return fig


def _static_figure(f, g, flip, output_fn, count=3):
    """A few positions side by side, for environments without ipywidgets."""
    last = len(f) + len(g) - 2
    positions = sorted(set(np.linspace(0, last, min(count, last + 1)).round().astype(int)))
    fig, axes = closed_figure((5 * len(positions), 5.5), 2, len(positions),
                              gridspec_kw=_PANELS)
    outputs, problem = (None, None) if output_fn is None else _call_output_fn(output_fn, f, g)
    for col, n in enumerate(positions):
        value = _draw_window(axes[0, col], f, g, int(n), flip)
        _draw_outputs(axes[1, col], f, g, int(n), value, outputs, problem)
    fig.tight_layout()
    return fig


def sliding_kernel_explorer(f, g, flip=True, output_fn=None):
    """Slider over output positions n with the picture of :func:`render_frame`.

    Returns an ``ipywidgets.VBox([IntSlider, Output])``; without ipywidgets,
    a static Figure showing a few positions (with a warning).
    """
    f, g = _as_signal(f, "f"), _as_signal(g, "g")
    try:
        import ipywidgets
        from IPython.display import Image, display
    except ImportError:
        warnings.warn("ipywidgets is not available; showing a few positions as a static "
                      "figure instead of the interactive slider.", RuntimeWarning, stacklevel=2)
        return _static_figure(f, g, flip, output_fn)
    slider = ipywidgets.IntSlider(value=0, min=0, max=len(f) + len(g) - 2, step=1,
                                  description="n", continuous_update=True)
    output = ipywidgets.Output()

    def redraw(change=None):
        # looked up at call time so that tests can observe the redraws
        png = png_bytes(render_frame(f, g, slider.value, flip=flip, output_fn=output_fn))
        with output:
            output.clear_output(wait=True)  # wait: no flicker between frames
            display(Image(data=png, format="png"))

    slider.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([slider, output])


def animate_sliding_kernel(f, g, flip=True, output_fn=None, interval=700):
    """``FuncAnimation`` stepping n over all output positions (one frame each).

    For exported HTML: ``IPython.display.HTML(animate_sliding_kernel(f, g).to_jshtml())``.
    """
    f, g = _as_signal(f, "f"), _as_signal(g, "g")
    fig, axes = closed_figure((8, 5.5), 2, 1, gridspec_kw=_PANELS)
    outputs, problem = (None, None) if output_fn is None else _call_output_fn(output_fn, f, g)

    def draw(n):
        for ax in axes[:, 0]:
            ax.clear()
        value = _draw_window(axes[0, 0], f, g, int(n), flip)
        _draw_outputs(axes[1, 0], f, g, int(n), value, outputs, problem)
        return list(axes[:, 0])

    draw(0)
    fig.tight_layout()
    return FuncAnimation(fig, draw, frames=range(len(f) + len(g) - 1), interval=interval,
                         blit=False, repeat=True)
