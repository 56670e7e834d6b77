"""source_lib.widgets.nms_threshold: sliders for NMS's IoU and score thresholds over a fixed
set of detections, suppressed with the nms passed in; one line while it is unfinished."""

import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from grader.checking import load_reference
from source_lib.widgets import nms_threshold as widget

ref = load_reference(Path(__file__).parents[2] / "grader" / "checks" / "10_detection"
                     / "reference.py")


def stub(boxes, scores, iou_threshold, labels=None):
    raise NotImplementedError


def test_example_detections_are_fixed_clusters_with_a_wrong_class_and_strays():
    a, b = widget.example_detections(), widget.example_detections()
    assert all(np.array_equal(a[key], b[key]) for key in a)
    assert a["image"].shape == (64, 64, 3) and a["boxes"].shape == (3 * 5 + 2, 4)
    assert np.all((a["boxes"] >= 0) & (a["boxes"] <= 1))
    assert np.sum(a["scores"] < 0.3) == 2            # the strays
    assert len(set(a["labels"].tolist())) >= 2


def test_boxes_disappear_as_the_thresholds_tighten():
    detections = widget.example_detections()
    counts = [len(widget.suppress(ref.nms, detections, t, 0.0)[1]) for t in (0.95, 0.5, 0.1)]
    assert counts[0] > counts[1] >= counts[2] >= 3          # at least one per object ...
    above, kept = widget.suppress(ref.nms, detections, 0.5, 0.3)
    assert len(above) == len(detections["scores"]) - 2 and set(kept) <= set(above)
    fig = widget.render_nms(ref.nms, detections, 0.5, 0.3)
    assert fig._suptitle.get_text() == (f"{len(above)} of 17 boxes score >= 0.30; NMS at IoU > "
                                        f"0.50 keeps {len(kept)}")
    assert fig.axes[1].get_title().startswith(f"after NMS: {len(kept)} kept")


def test_the_nms_passed_in_is_called_on_the_boxes_above_the_score(monkeypatch):
    calls = []

    def spy(boxes, scores, iou_threshold, labels=None):
        calls.append((len(boxes), iou_threshold, labels is not None))
        return ref.nms(boxes, scores, iou_threshold, labels)

    detections = widget.example_detections()
    widget.render_nms(spy, detections, 0.4, 0.9)
    assert calls == [(int(np.sum(detections["scores"] >= 0.9)), 0.4, True)]


def test_sliders_redraw(monkeypatch):
    ipywidgets = pytest.importorskip("ipywidgets")
    drawn = []
    monkeypatch.setattr(widget, "render_nms", lambda fn, det, iou, score: drawn.append(
        (iou, score)) or Figure())
    monkeypatch.setattr(widget.unfinished.frame, "show_figure", lambda output, fig: None)
    box = widget.nms_threshold(ref.nms)
    iou, score, output = box.children
    assert isinstance(output, ipywidgets.Output) and isinstance(iou, ipywidgets.FloatSlider)
    iou.value, score.value = 0.7, 0.5
    assert drawn == [(0.5, 0.3), (0.7, 0.3), (0.7, 0.5)]


def test_an_unfinished_nms_prints_one_line_and_no_widget(capsys):
    assert widget.nms_threshold(stub) is None
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "needs your stub, which is not implemented yet" in out


def test_an_nms_failing_while_sliding_is_one_line(capsys, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(widget.unfinished.frame, "show_figure", lambda output, fig: None)

    def nms(boxes, scores, iou_threshold, labels=None):
        if iou_threshold < 0.5:
            raise NotImplementedError
        return ref.nms(boxes, scores, iou_threshold, labels)

    box = widget.nms_threshold(nms)
    box.children[0].value = 0.2
    out = capsys.readouterr().out
    assert "needs your nms, which is not implemented yet" in out and "Traceback" not in out


def test_without_ipywidgets_a_static_figure(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.warns(RuntimeWarning, match="ipywidgets"):
        fig = widget.nms_threshold(ref.nms)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
