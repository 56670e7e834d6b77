"""Notebook 10's pictures (source_lib.detection.plots and .diagrams): closed figures with the
expected artists and titles; the IoUs drawn are those of the function passed in."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from grader.checking import load_reference
from source_lib.detection import plots
from source_lib.detection.shapes import make_scenes

ref = load_reference(Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
                     / "reference.py")
IMAGE = np.full((64, 64, 3), 0.5)


def _boxes(ax):
    """Rectangles drawn on ``ax`` as pixel corners, in drawing order."""
    return [(p.get_x(), p.get_y(), p.get_x() + p.get_width(), p.get_y() + p.get_height())
            for p in ax.patches if isinstance(p, Rectangle)]


def _display_extents(ax, box):
    """(x0, y0, x1, y1) of a data box in display coordinates, lower left first."""
    corners = ax.transData.transform([box[:2], box[2:]])
    return [*corners.min(axis=0), *corners.max(axis=0)]


def _texts(ax):
    return [t.get_text() for t in ax.texts]


def _closed(fig):
    assert isinstance(fig, Figure) and fig.number not in plt.get_fignums()
    return fig


def test_draw_boxes_shows_predictions_with_scores_over_the_truth():
    scenes = make_scenes(3, seed=0)
    found = [b + 0.01 for b in scenes.boxes]
    scores = [np.linspace(0.9, 0.5, len(b)) for b in scenes.boxes]
    fig = _closed(plots.draw_boxes(scenes.images, found, scenes.labels, scores,
                                   true_boxes=scenes.boxes, true_labels=scenes.labels,
                                   ncols=2, title="predictions"))
    assert len(fig.axes) == 4 and not fig.axes[3].axison     # 3 images, one empty slot
    for ax, truth, boxes, labels, score in zip(fig.axes, scenes.boxes, found, scenes.labels,
                                               scores):
        n = len(truth)
        np.testing.assert_allclose(_boxes(ax), np.concatenate([truth, boxes]) * 64)
        names = [plots.CLASSES[k] for k in labels]
        assert _texts(ax) == names + [f"{c} {s:.2f}" for c, s in zip(names, score)]
        assert len(ax.patches) == 2 * n
    assert fig._suptitle.get_text() == "predictions"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["predicted: class score",
                                                                  "true box"]


def test_draw_boxes_takes_one_image_and_pixels():
    fig = _closed(plots.draw_boxes(IMAGE, np.array([[8, 8, 24, 40]]), np.array([1]),
                                   units="pixels"))
    assert _boxes(fig.axes[0]) == [(8, 8, 24, 40)] and _texts(fig.axes[0]) == ["disc"]
    assert fig.legends == []
    with pytest.raises(ValueError, match="units"):
        plots.draw_boxes(IMAGE, [[0, 0, 1, 1]], [0], units="cm")


def test_grid_overlay_shades_the_cell_encode_grid_marks():
    # a centre on the line between columns 1 and 2, two on the line between rows 2 and 3
    boxes = np.array([[0.4, 0.1, 0.6, 0.3], [0.8, 0.6, 1.0, 0.9], [0.05, 0.7, 0.2, 0.8]])
    labels = np.array([0, 2, 1])
    fig = _closed(plots.grid_overlay(IMAGE, boxes, labels, 4))
    target = ref.encode_grid(boxes, labels, 4, 3)
    assert sorted(fig.cells) == sorted(zip(*np.nonzero(target[..., 0])))
    assert fig.cells[0] == (0, 2)
    ax = fig.axes[0]
    assert _texts(ax)[0] == "square: row 0, col 2"
    shaded = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch() == "//"]
    assert [(p.get_x(), p.get_y()) for p in shaded] == [(32, 0), (48, 48), (0, 48)]
    assert "4 x 4 grid" in ax.get_title()
    assert len(ax.get_lines()) == 2 * 3 + 3     # grid lines and one centre dot per object


def test_iou_picture_shows_the_value_of_the_iou_passed_in():
    calls = []

    def fake_iou(a, b):
        calls.append((a.tolist(), b.tolist()))
        return np.array([[0.25]])

    fig = _closed(plots.iou_picture([0, 0, 4, 3], [2, 1, 6, 5], fake_iou))
    ax = fig.axes[0]
    assert calls == [([0, 0, 4, 3], [2, 1, 6, 5])]
    assert ax.get_title() == "IoU(A, B) = intersection / union = 0.250"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "box A", "box B", "intersection", "union"]
    shade = next(p for p in ax.patches if p.get_hatch() == "//")
    assert (shade.get_x(), shade.get_width()) == (2, 4)     # B's fill, clipped to A:
    np.testing.assert_allclose(shade.get_clip_box().extents, _display_extents(ax, [0, 0, 4, 3]))
    assert ax.get_ylim()[0] > ax.get_ylim()[1]               # y down
    assert "0.167" in plots.iou_picture([0, 0, 4, 3], [2, 1, 6, 5], ref.iou).axes[0].get_title()


def test_iou_picture_without_an_iou_draws_the_overlap_and_no_value():
    fig = _closed(plots.iou_picture([0, 0, 2, 2], [1, 1, 3, 3]))
    ax = fig.axes[0]
    assert ax.get_title() == "IoU(A, B) = intersection / union"
    shade = next(p for p in ax.patches if p.get_hatch() == "//")
    assert (shade.get_x(), shade.get_width()) == (1, 2)     # B's fill, clipped to A
    np.testing.assert_allclose(shade.get_clip_box().extents, _display_extents(ax, [0, 0, 2, 2]))


def test_a_stub_raises_before_any_figure_is_made():
    def stub(a, b):
        raise NotImplementedError

    before = plt.get_fignums()
    with pytest.raises(NotImplementedError):
        plots.iou_picture([0, 0, 1, 1], [0, 0, 1, 1], stub)
    with pytest.raises(NotImplementedError):
        plots.anchors_picture(stub)
    assert plt.get_fignums() == before


def test_windows_picture_counts_windows_and_the_speed_up():
    fig = _closed(plots.windows_picture(64, 16, 4, times=(0.12, 0.004), image=IMAGE))
    windows, cells, bars = fig.axes
    assert windows.get_title().startswith("sliding windows: 13 x 13 = 169 windows")
    assert len(windows.get_lines()[0].get_xdata()) == 169       # every centre dotted
    assert _boxes(windows)[-3:] == [(0, 0, 16, 16), (24, 24, 40, 40), (48, 48, 64, 64)]
    assert cells.images[0].get_array().shape == (13, 13, 3)
    assert "13 x 13 map" in cells.get_title()
    assert [p.get_height() for p in bars.patches] == [0.12, 0.004]
    assert bars.get_title() == "measured: 30.0 x faster"
    assert len(_closed(plots.windows_picture(10, 4, 3)).axes) == 2
    with pytest.raises(ValueError, match="window"):
        plots.windows_picture(8, 16, 1)


def test_nms_picture_before_and_after():
    boxes = np.array([[0.1, 0.1, 0.5, 0.5], [0.12, 0.1, 0.5, 0.52], [0.6, 0.6, 0.9, 0.9]])
    scores, labels = np.array([0.6, 0.9, 0.7]), np.array([0, 0, 2])
    fig = _closed(plots.nms_picture(IMAGE, boxes, scores, labels, [1, 2], iou_threshold=0.5))
    before, after = fig.axes
    assert before.get_title() == "before NMS: 3 boxes"
    assert after.get_title() == "after NMS: 2 kept, 1 suppressed"
    assert sorted(_texts(before)) == ["0.60", "0.70", "0.90"]
    assert sorted(_texts(after)) == ["0.70", "0.90"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["square", "triangle"]
    assert "IoU > 0.5" in fig._suptitle.get_text()


def test_pr_curve_per_class_and_the_mean():
    precisions = [np.array([1, 0.5, 2 / 3]), np.array([0.0, 0.5]), np.array([])]
    recalls = [np.array([0.5, 0.5, 1.0]), np.array([0.0, 1.0]), np.array([])]
    fig = _closed(plots.pr_curve(precisions, recalls, [5 / 6, 0.5, None]))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "square: AP 0.833", "disc: AP 0.500", "mean of the classes"]
    assert ax.get_title() == "precision-recall at IoU 0.5: mAP = 0.667"
    mean = ax.get_lines()[-1]
    assert mean.get_ydata()[0] == 1.0 and mean.get_ydata()[-1] == pytest.approx((2 / 3 + 0.5) / 2)
    assert "recall" in ax.get_xlabel() and "precision" in ax.get_ylabel()


def test_anchors_picture_assigns_each_object_to_its_best_anchor():
    fig = _closed(plots.anchors_picture(ref.iou))
    assert len(fig.axes) == 5
    assert list(fig.assigned) == [0, 1]                    # pedestrian: tall, car: wide
    assert fig.iou_values[0, 0] == pytest.approx(ref.iou([0, 0, 0.15, 0.45], [0, 0, 0.17, 0.52]))
    titles = [ax.get_title() for ax in fig.axes[1:]]
    assert titles[0].endswith("assigned") and titles[3].endswith("assigned")
    assert not titles[1].endswith("assigned") and not titles[2].endswith("assigned")
    assert "centres in one cell" in fig.axes[0].get_title()
