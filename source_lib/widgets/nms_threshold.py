"""Move the thresholds of non-max suppression and watch boxes disappear, with *your* ``nms``.

    from source_lib.widgets.nms_threshold import nms_threshold
    nms_threshold(nms)                       # a fixed set of detections on a generated scene
    nms_threshold(nms, detections)           # or yours: image, boxes, scores, labels

The detections are a few boxes around each object of a scene (jittered copies, different
scores, one of them of the wrong class) plus low-scoring strays. The score slider drops the
boxes scoring below it; ``nms(boxes, scores, iou_threshold, labels)`` runs on the rest; the
picture shows them before and after (source_lib.detection.plots.nms_picture). While ``nms``
raises NotImplementedError the cell prints one line and shows no widget; an error of ``nms``
while sliding is one line in the picture's place. Without ipywidgets, a static figure at the
default thresholds (with a RuntimeWarning).
"""

import warnings

import numpy as np

from source_lib.detection.plots import nms_picture
from source_lib.detection.shapes import CLASSES, make_scenes
from source_lib.widgets import layout, unfinished

IOU_THRESHOLD, SCORE_THRESHOLD = 0.5, 0.3


def example_detections(seed=0, copies=4):
    """A scene with three objects and detections around them, the same for the same seed:
    a dict of ``image`` (H, W, 3), image-relative ``boxes`` (n, 4), ``scores`` (n,),
    ``labels`` (n,). Per object ``copies`` jittered boxes of its class (the first scoring
    best) and one of another class; two strays with low scores."""
    scene_seed = seed
    while len((scenes := make_scenes(1, seed=scene_seed)).boxes[0]) < 3:
        scene_seed += 1     # deterministic: the first scene from ``seed`` on with 3 objects
    jitter = np.random.default_rng(seed)
    truths, truth_labels = scenes.boxes[0], scenes.labels[0]
    boxes, labels = [], []
    scores = []
    for box, label in zip(truths, truth_labels):
        size = box[2:] - box[:2]
        for copy in range(copies + 1):
            boxes.append(box + jitter.normal(0, 0.08, 4) * np.tile(size, 2))
            wrong = copy == copies      # the last copy: another class, a middling score
            labels.append((label + 1) % len(CLASSES) if wrong else label)
            scores.append(jitter.uniform(0.85, 0.98) if copy == 0 else
                          jitter.uniform(0.3, 0.55) if wrong else jitter.uniform(0.4, 0.85))
    for _ in range(2):
        corner = jitter.uniform(0.05, 0.75, 2)
        boxes.append(np.concatenate([corner, corner + jitter.uniform(0.12, 0.2, 2)]))
        labels.append(int(jitter.integers(len(CLASSES))))
        scores.append(jitter.uniform(0.08, 0.25))
    return {"image": scenes.images[0].permute(1, 2, 0).numpy(),
            "boxes": np.clip(np.array(boxes), 0.0, 1.0), "scores": np.array(scores),
            "labels": np.array(labels, dtype=np.int64)}


def suppress(nms_fn, detections, iou_threshold, score_threshold):
    """(indices scoring >= ``score_threshold``, kept: indices into ``detections`` that
    ``nms_fn`` keeps among them, in its order)."""
    above = np.flatnonzero(detections["scores"] >= score_threshold)
    kept = nms_fn(detections["boxes"][above], detections["scores"][above], iou_threshold,
                  detections["labels"][above])
    return above, above[np.asarray(kept, dtype=np.int64).reshape(-1)]


def render_nms(nms_fn, detections, iou_threshold=IOU_THRESHOLD,
               score_threshold=SCORE_THRESHOLD):
    """Before / after ``nms_fn`` at the two thresholds; returns the Figure."""
    above, kept = suppress(nms_fn, detections, iou_threshold, score_threshold)
    where = {index: position for position, index in enumerate(above)}
    return nms_picture(detections["image"], detections["boxes"][above],
                       detections["scores"][above], detections["labels"][above],
                       [where[index] for index in kept], iou_threshold=iou_threshold,
                       title=f"{len(above)} of {len(detections['scores'])} boxes score >= "
                             f"{score_threshold:.2f}; NMS at IoU > {iou_threshold:.2f} "
                             f"keeps {len(kept)}")


def _controls(ipywidgets):
    wide = layout.wide(ipywidgets)
    return {"iou": ipywidgets.FloatSlider(IOU_THRESHOLD, min=0.0, max=1.0, step=0.05,
                                          description="IoU threshold", continuous_update=False,
                                          **wide),
            "score": ipywidgets.FloatSlider(SCORE_THRESHOLD, min=0.0, max=1.0, step=0.05,
                                            description="score threshold",
                                            continuous_update=False, **wide)}


def nms_threshold(nms_fn, detections=None):
    """The widget (see the module): returns an ``ipywidgets.VBox``, None (one line printed)
    while ``nms_fn`` raises NotImplementedError, or without ipywidgets the static figure."""
    detections = detections or example_detections()
    if not unfinished.ready(lambda: suppress(nms_fn, detections, IOU_THRESHOLD, SCORE_THRESHOLD), nms_fn, "nms"):
        return None     # a line says what to do
    try:
        import ipywidgets
    except ImportError:
        warnings.warn("ipywidgets is not available; showing the default thresholds as a static "
                      "figure instead of the sliders.", RuntimeWarning, stacklevel=2)
        return render_nms(nms_fn, detections)
    controls = _controls(ipywidgets)
    output = ipywidgets.Output()

    def redraw(change=None):
        # looked up at call time so that tests can observe the redraws
        unfinished.draw_or_explain(output, lambda: render_nms(
            nms_fn, detections, controls["iou"].value, controls["score"].value), nms_fn, "nms")

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return ipywidgets.VBox([*controls.values(), output])
