"""Convolution explorer: pick or edit a 3x3 kernel and see a photograph's feature map.

    from source_lib.widgets.conv2d_explorer import convolution_explorer, render_feature_map
    convolution_explorer(conv_fn=corr2d)          # your corr2d, else torch computes it
    render_feature_map(image, PRESETS["sobel x"]) # one static picture

The explorer shows the input photograph, the kernel (numbers on a colour
grid) and the feature map ``conv_fn(image, kernel)``: the *valid*
cross-correlation, (H - 2) x (W - 2) for a 3x3 kernel. Without ipywidgets it
returns a static figure of several presets (with a RuntimeWarning).
"""

import warnings

import numpy as np

from source_lib.images import sample_image
from source_lib.plotting import closed_figure, png_bytes

PRESETS = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "box blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "sobel x": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "sobel y": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
PRESETS = {name: np.array(kernel, dtype=np.float64) for name, kernel in PRESETS.items()}
DEFAULT_SIZE = (120, 104)   # small enough for a loop implementation to redraw quickly
STATIC_PRESETS = ("identity", "box blur", "sobel x", "sobel y", "laplacian", "sharpen")


def default_image():
    """The grey Grace Hopper photograph at DEFAULT_SIZE, values in [0, 1]."""
    return sample_image("grace_hopper", gray=True, size=DEFAULT_SIZE)


def _as_kernel(kernel):
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 2 or kernel.size == 0:
        raise ValueError(f"the kernel must be a non-empty 2-D array, got shape {kernel.shape}")
    return kernel


def _as_image(image):
    image = np.asarray(default_image() if image is None else image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"the image must be a 2-D grey image (H, W), got shape {image.shape}")
    return image


def torch_correlate(image, kernel):
    """Valid cross-correlation computed by torch (used when no conv_fn is given)."""
    import torch
    import torch.nn.functional as F
    x = torch.as_tensor(image, dtype=torch.float64)[None, None]
    k = torch.as_tensor(kernel, dtype=torch.float64)[None, None]
    return F.conv2d(x, k)[0, 0].numpy()


def feature_map(image, kernel, conv_fn=None):
    """(map or None, problem message or None) for ``conv_fn(image, kernel)`` (torch if None).

    The student's function gets copies, and its errors are reported, never raised.
    """
    image, kernel = _as_image(image), _as_kernel(kernel)
    if conv_fn is None:
        return torch_correlate(image, kernel), None
    try:
        result = np.asarray(conv_fn(image.copy(), kernel.copy()), dtype=np.float64)
    except Exception as error:  # the student's function may be unfinished
        return None, f"conv_fn raised {type(error).__name__}: {error}"
    expected = (image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1)
    if result.shape != expected:
        return None, f"conv_fn returned shape {result.shape}, expected {expected} (valid mode)"
    return result, None


def _is_detector(kernel):
    """Kernels whose weights sum to 0 (edges, Laplacian) respond with signs: show them
    with a diverging colour map; brightness-keeping kernels (sum 1) stay grey photos."""
    return abs(float(kernel.sum())) < 1e-9


def _show_map(ax, values, title, diverging=None):
    """Grey, or a diverging map centred on 0 (default: when there are negative values)."""
    if diverging is None:
        diverging = values.min() < 0
    if diverging:
        limit = max(np.abs(values).max(), 1e-12)
        ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)
    else:   # robust limits: a few extreme pixels (e.g. sharpened edges) must not grey out the rest
        low, high = np.percentile(values, [1, 99])
        ax.imshow(values, cmap="gray", vmin=low, vmax=max(high, low + 1e-12))
    ax.set_title(title, fontsize="medium")
    ax.axis("off")


def _show_kernel(ax, kernel):
    limit = max(np.abs(kernel).max(), 1e-12)
    ax.imshow(kernel, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for (row, col), value in np.ndenumerate(kernel):
        ax.text(col, row, f"{value:.3g}", ha="center", va="center", fontsize="small",
                color="white" if abs(value) > 0.6 * limit else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("kernel", fontsize="medium")


def render_feature_map(image, kernel, conv_fn=None, name=None):
    """Input photograph, kernel and feature map side by side; returns the Figure."""
    image, kernel = _as_image(image), _as_kernel(kernel)
    fig, axes = closed_figure((10, 3.6), 1, 3, gridspec_kw={"width_ratios": [3, 1.4, 3]})
    _show_map(axes[0, 0], image, f"input {image.shape[0]}x{image.shape[1]}")
    _show_kernel(axes[0, 1], kernel)
    values, problem = feature_map(image, kernel, conv_fn)
    who = "torch" if conv_fn is None else getattr(conv_fn, "__name__", "conv_fn")
    label = f"{name}: " if name else ""
    if values is None:
        axes[0, 2].axis("off")
        axes[0, 2].text(0.5, 0.5, problem, ha="center", va="center", wrap=True, color="C3",
                        transform=axes[0, 2].transAxes)
    else:
        _show_map(axes[0, 2], values, f"{label}feature map ({who}), "
                                      f"{values.shape[0]}x{values.shape[1]}",
                  diverging=_is_detector(kernel))
    fig.tight_layout()
    return fig


def presets_figure(image=None, names=STATIC_PRESETS, conv_fn=None):
    """Feature maps of several preset kernels in one figure (the static explorer)."""
    image = _as_image(image)
    fig, axes = closed_figure((3.2 * len(names), 3.4), 1, len(names))
    for ax, name in zip(axes[0], names):
        values, problem = feature_map(image, PRESETS[name], conv_fn)
        if values is None:
            ax.axis("off")
            ax.text(0.5, 0.5, problem, ha="center", va="center", wrap=True, color="C3",
                    fontsize="small", transform=ax.transAxes)
            ax.set_title(name)
        else:
            _show_map(ax, values, name, diverging=_is_detector(PRESETS[name]))
    fig.tight_layout()
    return fig


def _kernel_grid(ipywidgets, kernel):
    cells = [ipywidgets.FloatText(value=float(v), step=0.5,
                                  layout=ipywidgets.Layout(width="70px")) for v in kernel.ravel()]
    grid = ipywidgets.GridBox(cells, layout=ipywidgets.Layout(
        grid_template_columns="repeat(3, 75px)"))
    return grid, cells


def convolution_explorer(image=None, conv_fn=None, preset="sobel x"):
    """Dropdown of presets + an editable 3x3 kernel; redraws the photo's feature map.

    Returns ``ipywidgets.VBox([Dropdown, GridBox of 9 FloatText, Output])``; without
    ipywidgets, the static :func:`presets_figure` (with a RuntimeWarning).
    """
    image = _as_image(image)
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose from {sorted(PRESETS)}")
    try:
        import ipywidgets
        from IPython.display import Image, display
    except ImportError:
        warnings.warn("ipywidgets is not available; showing several preset kernels as a "
                      "static figure instead of the interactive explorer.", RuntimeWarning,
                      stacklevel=2)
        return presets_figure(image, conv_fn=conv_fn)
    dropdown = ipywidgets.Dropdown(options=list(PRESETS), value=preset, description="preset")
    grid, cells = _kernel_grid(ipywidgets, PRESETS[preset])
    output = ipywidgets.Output()
    state = {"filling": False}   # one redraw per preset change, not one per cell

    def redraw(change=None):
        if state["filling"]:
            return
        kernel = np.array([cell.value for cell in cells]).reshape(3, 3)
        # looked up at call time so that tests can observe the redraws
        fig = render_feature_map(image, kernel, conv_fn=conv_fn)
        with output:
            output.clear_output(wait=True)
            display(Image(data=png_bytes(fig, dpi=80), format="png"))

    def load_preset(change):
        state["filling"] = True
        for cell, value in zip(cells, PRESETS[change["new"]].ravel()):
            cell.value = float(value)
        state["filling"] = False
        redraw()

    dropdown.observe(load_preset, names="value")
    for cell in cells:
        cell.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([dropdown, grid, output])
