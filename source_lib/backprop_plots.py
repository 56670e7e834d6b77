"""Pictures of the gradient flow through a convolution layer (notebook 05).

    from source_lib.backprop_plots import draw_gradient_flow_1d, gradient_flow_explorer

``draw_gradient_flow_1d``: the forward connections of a valid 1-D correlation and, for one
input x[m], the outputs its gradient comes back from (each weighted by the tap that joined
them). ``render_gradient_flow_2d``: for a 2-D layer (kernel, stride, padding), how many
windows cover each input pixel (= how many terms are ADDED into dx there) and the windows
that cover one chosen pixel. ``gradient_flow_explorer`` puts sliders on it (a static figure
and a warning without ipywidgets). Geometry only: no gradients are computed here.
"""

import warnings

import numpy as np
from matplotlib.patches import Rectangle

from source_lib.plotting import closed_figure, png_bytes


def draw_gradient_flow_1d(ax, length, k, m):
    """Inputs x[0..L-1] at the bottom, outputs y[0..L-K] at the top; grey: all forward
    connections; red: the paths dout[i] -> dx[m] (label: the weight w[m - i] on each)."""
    n_out = length - k + 1
    if not (1 <= k <= length and 0 <= m < length):
        raise ValueError("need 1 <= k <= length and 0 <= m < length")
    for i in range(n_out):
        for tap in range(k):
            ax.plot([i + (k - 1) / 2, i + tap], [1, 0], color="0.85", lw=1, zorder=1)
    for i in range(max(0, m - k + 1), min(m, n_out - 1) + 1):
        x0, x1 = i + (k - 1) / 2, m
        ax.annotate("", xy=(x1, 0.06), xytext=(x0, 0.94),
                    arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2})
        ax.text((x0 + x1) / 2, 0.5, f"w[{m - i}]", color="tab:red", ha="center",
                fontsize=9, bbox={"fc": "white", "ec": "none", "pad": 1})
    ax.scatter(np.arange(length), np.zeros(length), s=260, c=["tab:red" if j == m else "tab:blue"
                                                               for j in range(length)], zorder=2)
    ax.scatter(np.arange(n_out) + (k - 1) / 2, np.ones(n_out), s=260, c="tab:orange", zorder=2)
    for j in range(length):
        ax.text(j, -0.2, f"x[{j}]", ha="center", va="top", fontsize=9)
    for i in range(n_out):
        ax.text(i + (k - 1) / 2, 1.2, f"y[{i}]", ha="center", fontsize=9)
    ax.set_ylim(-0.5, 1.5)
    ax.set_xlim(-0.7, length - 0.3)
    ax.axis("off")
    ax.set_title(f"dx[{m}] = sum of dout[i] * w[{m} - i] over the outputs that read x[{m}]")


def coverage(h, w, k, stride, padding):
    """(counts, windows): how many windows cover each pixel of an (h, w) input and each
    window's (top, left) in unpadded coordinates (may be negative inside the padding)."""
    h_out = (h + 2 * padding - k) // stride + 1
    w_out = (w + 2 * padding - k) // stride + 1
    if h_out < 1 or w_out < 1:
        raise ValueError("the kernel does not fit")
    counts = np.zeros((h + 2 * padding, w + 2 * padding), dtype=int)
    windows = []
    for i in range(h_out):
        for j in range(w_out):
            counts[i * stride:i * stride + k, j * stride:j * stride + k] += 1
            windows.append((i * stride - padding, j * stride - padding))
    return counts[padding:padding + h, padding:padding + w], windows


def render_gradient_flow_2d(h=7, w=7, k=3, stride=1, padding=0, pixel=(3, 3)):
    """Figure: coverage counts of an (h, w) input, the windows covering ``pixel`` outlined."""
    counts, windows = coverage(h, w, k, stride, padding)
    r, c = pixel
    fig, axes = closed_figure((6.2, 5.2))
    ax = axes[0, 0]
    image = ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(1, counts.max()))
    for (i, j), n in np.ndenumerate(counts):
        ax.text(j, i, str(n), ha="center", va="center", fontsize=9,
                color="white" if n > counts.max() / 2 else "black")
    hits = [(top, left) for top, left in windows if top <= r < top + k and left <= c < left + k]
    for top, left in hits:
        ax.add_patch(Rectangle(
            (left - 0.5, top - 0.5), k, k, fill=False, ec="tab:red", lw=2, alpha=0.8))
    ax.plot(c, r, "o", ms=16, mfc="none", mec="tab:red", mew=2.5)
    ax.set_xlim(-0.5 - padding, w - 0.5 + padding)
    ax.set_ylim(h - 0.5 + padding, -0.5 - padding)
    ax.set_title(f"k={k}, stride={stride}, padding={padding}: pixel {pixel} is read by "
                 f"{len(hits)} window(s)\n-> dx there is a SUM of {len(hits)} terms (+=)",
                 fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8, label="windows covering the pixel")
    fig.tight_layout()
    return fig


def gradient_flow_explorer(h=7, w=7):
    """Sliders for kernel, stride, padding and the pixel; static figures without ipywidgets."""
    try:
        import ipywidgets
        from IPython.display import Image, display
    except ImportError:
        warnings.warn("ipywidgets is not available; showing static figures instead of the "
                      "interactive explorer.", RuntimeWarning, stacklevel=2)
        return render_gradient_flow_2d(h, w, 3, 2, 1, (2, 2))
    sliders = {"k": ipywidgets.IntSlider(3, 1, 5, description="kernel"),
               "stride": ipywidgets.IntSlider(1, 1, 4, description="stride"),
               "padding": ipywidgets.IntSlider(0, 0, 2, description="padding"),
               "row": ipywidgets.IntSlider(h // 2, 0, h - 1, description="row"),
               "col": ipywidgets.IntSlider(w // 2, 0, w - 1, description="column")}
    output = ipywidgets.Output()

    def redraw(change=None):
        v = {name: s.value for name, s in sliders.items()}
        with output:
            output.clear_output(wait=True)
            try:
                fig = render_gradient_flow_2d(h, w, v["k"], v["stride"], v["padding"],
                                              (v["row"], v["col"]))
                display(Image(data=png_bytes(fig), format="png"))
            except ValueError as error:
                print(f"{error}: choose a smaller kernel or more padding")

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([ipywidgets.HBox(list(sliders.values())[:3]),
                            ipywidgets.HBox(list(sliders.values())[3:]), output])
