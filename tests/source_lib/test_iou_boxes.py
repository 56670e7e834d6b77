"""source_lib.widgets.iou_boxes: the IoU of two boxes moved with sliders, read with the iou
passed in; presets; one line (no traceback) while that iou is unfinished or fails."""

import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from grader.checking import load_reference
from source_lib.widgets import iou_boxes as widget
from source_lib.widgets.layout import MIN_TRACK_PX, track_width

ref = load_reference(Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
                     / "reference.py")


def iou(box_a, box_b):     # the notebook's stub
    raise NotImplementedError


def test_presets_are_the_cases_of_the_checks():
    values = {name: ref.iou(*boxes) for name, boxes in widget.PRESETS.items()}
    assert values == pytest.approx({"half overlap": 1 / 3, "identical": 1.0, "disjoint": 0.0,
                                    "touching": 0.0, "contained": 900 / 4900})
    assert widget.corners(10, 20, 30, 5) == (10, 20, 40, 25)


def test_the_picture_reads_the_iou_passed_in_and_follows_a_box_off_the_canvas():
    fig = widget.render_iou_boxes((10, 25, 50, 65), (30, 25, 120, 65), ref.iou)
    ax = fig.axes[0]
    assert ax.get_title().endswith(f"= {ref.iou([10, 25, 50, 65], [30, 25, 120, 65]):.3f}")
    assert ax.get_xlim() == (0, 125) and "B = (30, 25, 120, 65)" in ax.get_xlabel()
    assert widget.render_iou_boxes(*widget.PRESETS["identical"], ref.iou).axes[0].get_xlim() == (
        0, 100)


def test_sliders_and_presets_redraw(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    drawn = []
    original = widget.render_iou_boxes

    def spy(box_a, box_b, iou_fn):
        drawn.append((box_a, box_b))
        return original(box_a, box_b, iou_fn)

    monkeypatch.setattr(widget, "render_iou_boxes", spy)
    monkeypatch.setattr(widget.unfinished.frame, "show_figure", lambda output, fig: None)
    box = widget.iou_boxes(ref.iou)
    menu, row, output = box.children
    assert isinstance(menu, ipywidgets.Dropdown) and isinstance(output, ipywidgets.Output)
    sliders = {s.description: s for column in row.children for s in column.children[1:]}
    assert list(sliders) == ["A x", "A y", "A width", "A height",
                             "B x", "B y", "B width", "B height"]
    assert all(track_width(s) >= MIN_TRACK_PX for s in sliders.values())
    assert row.layout.flex_flow == "row wrap"
    sliders["B x"].value = 50                 # slide B right: one redraw
    menu.value = "contained"                  # a preset moves eight sliders: one redraw
    assert drawn == [((10, 25, 50, 65), (30, 25, 70, 65)), ((10, 25, 50, 65), (50, 25, 90, 65)),
                     widget.PRESETS["contained"]]


def test_an_unfinished_iou_prints_one_line_and_no_widget(capsys):
    assert widget.iou_boxes(iou) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "needs your iou, which is not implemented yet" in out \
        and "Traceback" not in out


def test_an_iou_failing_while_sliding_is_one_line(capsys, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(widget.unfinished.frame, "show_figure", lambda output, fig: None)

    def half_done(box_a, box_b):       # the preset works, other boxes do not
        if tuple(box_b) != widget.PRESETS["half overlap"][1]:
            raise NotImplementedError
        return ref.iou(box_a, box_b)

    box = widget.iou_boxes(half_done)
    assert box is not None and capsys.readouterr().out == ""
    box.children[1].children[1].children[1].value = 40      # B x: the stub is met
    assert "needs your half_done, which is not implemented yet" in capsys.readouterr().out
    box.children[0].value = "identical"
    widget.iou_boxes(lambda a, b: 1 / 0)
    assert "could not be drawn with your iou: ZeroDivisionError" in capsys.readouterr().out


def test_without_ipywidgets_every_preset_in_one_figure(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = widget.iou_boxes(ref.iou)
    assert isinstance(fig, Figure) and len(fig.axes) == len(widget.PRESETS)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "half overlap: IoU = 0.333" and titles[3] == "touching: IoU = 0.000"
    assert np.all([ax.get_legend() is None for ax in fig.axes])
