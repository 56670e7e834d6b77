"""Tests for source_lib.style.plots: the figures of notebook 09 drawn from synthetic images (a
smooth gradient, a noisy image, a blend of the two) and histories shaped like real runs (the
content cost rising from 0, the style cost falling by orders of magnitude)."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba

from source_lib.style import plots


def gradient(height=24, width=24):
    """A smooth colour gradient (1, 3, H, W) in [0, 1], like a photograph's sky."""
    y, x = torch.meshgrid(torch.linspace(0, 1, height), torch.linspace(0, 1, width),
                          indexing="ij")
    return torch.stack([x, y, 1 - x * y])[None]


def noisy(height=24, width=24, seed=0):
    """Uniform noise (1, 3, H, W), like G initialised from noise or a busy painting."""
    return torch.rand(1, 3, height, width, generator=torch.Generator().manual_seed(seed))


def blend(share):
    return (1 - share) * gradient() + share * noisy()


def history(steps=60, scale=1.0, content0=0.0):
    """Costs as run_style_transfer records them: G = C at step 0, so content starts at 0."""
    t = np.arange(steps)
    style = scale * (1e3 * np.exp(-t / 10) + 5)
    content = content0 + 50 * (1 - np.exp(-t / 8))
    return {"content": list(content), "style": list(style),
            "total": list(10 * content + 40 * style)}


def shown(ax):
    """The array an axes' (only) image shows."""
    (image,) = ax.images
    return np.asarray(image.get_array())


def texts(ax):
    return [text.get_text() for text in ax.texts]


def visible(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_picture_accepts_every_layout_of_one_image():
    image = gradient(8, 10)
    expected = image[0].permute(1, 2, 0).numpy()
    for layout in (image, image[0], expected, image.numpy()):
        np.testing.assert_allclose(plots.picture(layout), expected)
    assert plots.picture(torch.zeros(1, 1, 5, 6)).shape == (5, 6)     # grey
    with pytest.raises(ValueError, match="a batch of 2"):
        plots.picture(torch.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match="got shape"):
        plots.picture(torch.zeros(3))


def test_show_images_titles_each_image_without_ticks_and_wraps_long_titles():
    images = {"content: Grace Hopper": gradient(),
              "style: Vincent van Gogh, The Starry Night (1889)": noisy(),
              "G": blend(0.5), "G from noise": noisy(seed=1), "fifth": gradient()}
    fig = plots.show_images(images, size=2.0)
    axes = visible(fig)
    assert len(axes) == 5 and len(fig.axes) == 8               # 4 per row: 2 rows, 3 hidden
    titles = [ax.get_title() for ax in axes]
    assert titles[0] == "content: Grace Hopper"
    assert "\n" in titles[1] and titles[1].replace("\n", " ") == list(images)[1]
    assert all(len(line) <= 22 for title in titles for line in title.split("\n"))
    for ax, image in zip(axes, images.values()):
        np.testing.assert_allclose(shown(ax), image[0].permute(1, 2, 0).numpy(), rtol=1e-6)
        assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert len(visible(plots.show_images(images, ncols=5))) == 5
    with pytest.raises(ValueError, match="images is empty"):
        plots.show_images({})


def test_a_reason_in_place_of_an_image_is_a_grey_panel():
    fig = plots.show_images({"content C": gradient(), "VGG-16, ImageNet": "offline: no weights"})
    grey = fig.axes[1]
    assert not grey.images
    assert to_rgba(grey.get_facecolor()) == to_rgba(plots.UNAVAILABLE_FACE)
    assert grey.get_title() == "VGG-16, ImageNet"
    assert texts(grey) == ["not available\n\noffline: no weights"]


def test_frames_strip_thins_evenly_and_keeps_first_and_last():
    frames = [(step, blend(step / 200)) for step in range(0, 201, 10)]      # 21 frames
    fig = plots.frames_strip(frames, max_frames=8)
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 8 and titles[0] == "step 0" and titles[-1] == "step 200"
    steps = [int(title.split()[1]) for title in titles]
    assert steps == sorted(steps) and max(np.diff(steps)) - min(np.diff(steps)) <= 10
    np.testing.assert_allclose(shown(fig.axes[-1]), plots.picture(frames[-1][1]))
    assert fig._suptitle.get_text() == "G during the optimisation (8 of 21 frames)"
    few = plots.frames_strip(frames[:3])
    assert [ax.get_title() for ax in few.axes] == ["step 0", "step 10", "step 20"]
    assert few._suptitle.get_text() == "G during the optimisation"
    with pytest.raises(ValueError, match="no frames"):
        plots.frames_strip([])


def test_spread_picks_evenly_spaced_indices():
    assert plots.spread(5, 8) == [0, 1, 2, 3, 4]
    assert plots.spread(21, 5) == [0, 5, 10, 15, 20]
    assert plots.spread(10, 1) == [0, 9]                       # first and last, always


def test_loss_curves_one_log_panel_per_cost_and_a_line_per_run():
    runs = {"init from C": history(), "init from noise": history(scale=3, content0=400)}
    fig = plots.loss_curves(runs)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes] == [
        "content cost J_content", "style cost J_style", "total cost J = α J_content + β J_style"]
    for ax, key in zip(fig.axes, plots.COST_KEYS):
        assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
        for line, run in zip(ax.lines, runs.values()):
            expected = np.asarray(run[key])
            expected = np.where(expected > 0, expected, np.nan)        # 0 cannot be drawn
            np.testing.assert_allclose(line.get_ydata(), expected)
            np.testing.assert_array_equal(line.get_xdata(), np.arange(60))
    content = fig.axes[0]
    assert np.isnan(content.lines[0].get_ydata()[0])
    assert content.get_title().endswith("(1 cost of 0 not drawn: log axis)")
    assert content.get_ylabel() == "cost (log scale)"
    legend = [text.get_text() for text in content.get_legend().get_texts()]
    assert legend == list(runs)


def test_loss_curves_of_one_history_linear_or_chosen_keys():
    fig = plots.loss_curves(history(), keys=("style",), log=False)
    (ax,) = fig.axes
    assert ax.get_yscale() == "linear" and ax.get_legend() is None
    np.testing.assert_allclose(ax.lines[0].get_ydata(), history()["style"])
    assert ax.get_title() == "style cost J_style"           # linear: the 0 is drawn
    fig = plots.loss_curves({"a": history(), "b": {"style": [3.0, 2.0]}})
    assert len(fig.axes[0].lines) == 1 and len(fig.axes[1].lines) == 2   # b has no content


RESULTS = {"VGG-16, random weights": (blend(0.6), history(), 24.3),
           "course ResNet-18 (08)": (blend(0.3), history(scale=0.01), 11.72)}
REASON = ("offline: no ImageNet weights (looked in /home/student/.cache/cnn-course/cache/"
          "weights/vgg16-397923af.pth)")


def _image_axes(fig):
    return [ax for ax in fig.axes if ax.images or texts(ax) and ax.get_title()]


@pytest.mark.parametrize("count", [1, 2, 3])
def test_side_by_side_has_a_column_per_extractor(count):
    results = dict(list(RESULTS.items())[:min(count, 2)])
    unavailable = {"VGG-16, ImageNet": REASON} if count == 3 else {}
    fig = plots.side_by_side(gradient(), noisy(), results, unavailable)
    top = [ax for ax in fig.axes if ax.get_subplotspec().rowspan.start == 0]
    assert len(top) == 2 + count
    assert [ax.get_title() for ax in top[:2]] == ["content C", "style S"]
    np.testing.assert_allclose(shown(top[0]), plots.picture(gradient()))
    for ax, (name, (image, run, seconds)) in zip(top[2:], results.items()):
        assert ax.get_title().replace("\n", " ") == f"{name} 60 steps, {seconds:.1f} s"
        np.testing.assert_allclose(shown(ax), plots.picture(image))
    curves = [ax for ax in fig.axes if ax.lines]
    assert len(curves) == len(results)
    for ax, (name, (_, run, _)) in zip(curves, results.items()):
        assert ax.get_yscale() == "log"
        assert ax.get_title().replace("\n", " ") == f"costs: {name}"
        assert [line.get_label() for line in ax.lines] == ["content", "style", "total"]
        np.testing.assert_allclose(ax.lines[1].get_ydata(), run["style"])
    assert curves[0].get_ylabel() == "cost (log scale)"
    assert all(ax.get_ylabel() == "" for ax in curves[1:])
    (legend_panel,) = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert [text.get_text() for text in legend_panel.get_legend().get_texts()] == [
        plots.COST_TITLES[key] for key in plots.COST_KEYS]
    assert "G = C at step 0" in texts(legend_panel)[0]      # the zero content cost explained


def _inside(artist, ax):
    """Whether the drawn text lies within the drawn axes (the figure drawn beforehand)."""
    box, frame = artist.get_window_extent(), ax.get_window_extent()
    return (frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0
            and box.y1 <= frame.y1)


def test_side_by_side_unavailable_extractor_is_a_grey_column_saying_why():
    fig = plots.side_by_side(gradient(), noisy(), {}, {"VGG-16, ImageNet": REASON,
                                                       "course ResNet-18 (08)": "not trained"})
    grey = [ax for ax in fig.axes if to_rgba(ax.get_facecolor()) ==
            to_rgba(plots.UNAVAILABLE_FACE)]
    assert [ax.get_title() for ax in grey] == ["VGG-16, ImageNet", "course ResNet-18 (08)"]
    assert all(ax.get_subplotspec().rowspan == range(0, 2) for ax in grey)   # both rows
    (text,) = texts(grey[0])
    assert text.startswith("not available\n\noffline: no ImageNet weights")
    for folder in ("/home/", "student/", ".cache/", "cache/", "weights/", "397923af.pth"):
        assert folder in text                      # a path breaks after a "/", never inside
    assert text.replace("\n", "").replace(" ", "") == ("notavailable" + REASON).replace(" ", "")
    assert grey[0].texts[0].get_fontsize() == 9                 # the room to stay readable
    fig.draw_without_rendering()
    assert _inside(grey[0].texts[0], grey[0]) and _inside(grey[1].texts[0], grey[1])
    assert not [ax for ax in fig.axes if ax.lines]
    assert any("No extractor could run here" in t for ax in fig.axes for t in texts(ax))


def test_a_long_reason_gets_a_smaller_font_and_then_is_cut():
    fig = plots.side_by_side(gradient(), noisy(), RESULTS, {"VGG-16, ImageNet": REASON * 6})
    (grey,) = [ax for ax in fig.axes if ax.texts and not ax.images and ax.get_title()]
    fig.draw_without_rendering()
    assert grey.texts[0].get_fontsize() < 9 and _inside(grey.texts[0], grey)
    fig = plots.show_images({"C": gradient(), "VGG-16, ImageNet": REASON * 6}, size=2.0)
    grey = fig.axes[1]
    fig.draw_without_rendering()
    assert grey.texts[0].get_fontsize() == 7 and grey.texts[0].get_text().endswith("\n...")
    assert _inside(grey.texts[0], grey)
    assert grey.get_box_aspect() == 1.0                       # as tall as the square image
    wrapped, points = plots.fitted_text("word " * 40, 1.0, 3.0)
    assert points == 9 and max(map(len, wrapped.split("\n"))) <= 72 / (plots.CHAR_EM * 9)


def test_side_by_side_lists_results_first_and_ignores_a_name_in_both():
    fig = plots.side_by_side(gradient(), noisy(), {"VGG-16, random weights":
                                                   RESULTS["VGG-16, random weights"]},
                             {"VGG-16, random weights": "stale", "other": "why"})
    top = [ax.get_title().split("\n")[0] for ax in fig.axes
           if ax.get_subplotspec().rowspan.start == 0]
    assert top == ["content C", "style S", "VGG-16, random weights", "other"]


def test_layer_grid_titles_each_layer_under_the_question():
    layers = {f"relu{i}_1": blend(i / 5) for i in range(1, 6)}
    fig = plots.layer_grid(layers)
    assert [ax.get_title() for ax in visible(fig)] == list(layers)
    assert fig._suptitle.get_text() == "what each style layer alone reproduces"
    np.testing.assert_allclose(shown(fig.axes[2]), plots.picture(layers["relu3_1"]))
    assert len(fig.axes) == 5                                # one row of five
    assert len(visible(plots.layer_grid(dict(list(layers.items())[:2]), "two"))) == 2


def test_figures_are_closed_and_render(tmp_path):
    before = plt.get_fignums()
    figures = [plots.show_images({"C": gradient()}),
               plots.frames_strip([(0, gradient()), (10, noisy())]),
               plots.loss_curves({"run": history()}),
               plots.side_by_side(gradient(), noisy(), RESULTS, {"VGG-16, ImageNet": REASON}),
               plots.layer_grid({"relu1_1": noisy()})]
    assert plt.get_fignums() == before
    for index, fig in enumerate(figures):
        fig.savefig(tmp_path / f"{index}.png", dpi=40)
        assert (tmp_path / f"{index}.png").stat().st_size > 1000


def test_long_titles_stay_inside_the_figure():
    images = {"content: Grace Hopper (matplotlib's grace_hopper.jpg)": gradient(),
              "style: Vincent van Gogh, The Starry Night (1889)": noisy()}
    for fig in (plots.show_images(images),
                plots.side_by_side(gradient(), noisy(), RESULTS, {"VGG-16, ImageNet": REASON})):
        fig.draw_without_rendering()            # places the titles as savefig would
        height = fig.bbox.height
        for ax in fig.axes:
            box = ax.title.get_window_extent()
            assert box.y1 <= height and box.y0 >= 0, ax.get_title()
