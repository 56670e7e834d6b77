"""Scoring detections against the ground truth: precision, recall, average precision, mAP.

    result = evaluate(found, scenes.boxes, scenes.labels, 3, iou)   # iou: *your* function
    result.map, result.aps                    # mAP@0.5 and the AP of each class
    result.precisions[k], result.recalls[k]   # class k's precision-recall curve
    precision_recall_at(result, 0.5)          # precision and recall of the scores >= 0.5
    evaluate_grids(outputs, scenes, decode_grid, nms, iou)   # a detector's grids, end to end

``found`` holds, per image, the detections (boxes (n, 4), scores (n,), labels (n,)), e.g.
from ``source_lib.detection.training.detect``; the ground truth per image is (m, 4) boxes and
(m,) labels. Boxes are corners (x1, y1, x2, y2) in any one unit.

Average precision of a class: its detections over all images, best score first; each is a
true positive when its IoU with a not yet matched ground-truth box of its class in its image
is at least ``iou_threshold`` (the best such box), else a false positive (a duplicate of a
matched box is one too). A detection whose best box is already matched falls back to the
best free one, as COCO matches; PASCAL VOC counts it a false positive. AP is the area under
the precision-recall curve with precision made monotone (all-point interpolation, as PASCAL
VOC since 2010; COCO averages the same envelope at 101 recall levels); mAP is the mean over
the classes that have ground truth. The grader's mAP@0.5 is this code run
with the reference's functions. The graded functions (iou, nms, decode_grid) are arguments:
this module implements none of them.
"""

from dataclasses import dataclass

import numpy as np

from source_lib.detection.training import detect

__all__ = ["Evaluation", "average_precision", "evaluate", "evaluate_grids",
           "match_detections", "mean_average_precision", "monotone", "precision_recall",
           "precision_recall_at"]


def match_detections(found, truths, iou, iou_threshold=0.5):
    """Rank one class's detections and mark the true positives.

    ``found``: (image index, score, box (4,)) tuples; ``truths``: per image an (m, 4) array
    of that class's boxes. Returns (scores (n,) best first, hits (n,) 1.0 for a true positive,
    0.0 for a false one, in the same order)."""
    found = sorted(found, key=lambda item: -item[1])    # stable: ties keep the input order
    matched = [np.zeros(len(t), dtype=bool) for t in truths]
    hits = np.zeros(len(found))
    for rank, (image, _, box) in enumerate(found):
        if len(truths[image]) == 0:
            continue
        overlaps = np.asarray(iou(np.asarray(box)[None], truths[image]),
                              dtype=np.float64).reshape(-1)
        overlaps[matched[image]] = -1.0     # a box already found cannot be found again
        best = int(np.argmax(overlaps))
        if overlaps[best] >= iou_threshold:
            matched[image][best] = True
            hits[rank] = 1.0
    return np.array([item[1] for item in found], dtype=np.float64), hits


def precision_recall(hits, total):
    """Precision and recall (each (n,)) after each of the ranked ``hits`` (1 / 0), with
    ``total`` ground-truth boxes: the raw curve, precision not made monotone."""
    tp = np.cumsum(np.asarray(hits, dtype=np.float64))
    return tp / np.arange(1, len(tp) + 1), tp / max(total, 1)


def monotone(precision):
    """Precision made monotone along a ranking (n,): at each point the best precision at
    this recall or any higher one (the curve's upper envelope, whose area is the AP)."""
    return np.maximum.accumulate(np.asarray(precision)[::-1])[::-1]


def average_precision(hits, total):
    """Area under the precision-recall curve of the ranked ``hits`` (1 / 0) against ``total``
    ground-truth boxes, precision made monotone (all-point interpolation); None when
    ``total`` is 0 (no AP for a class without ground truth)."""
    if total == 0:
        return None
    tp = np.cumsum(hits)
    recall = np.concatenate([[0.0], tp / total])
    precision = np.concatenate([[1.0], tp / np.arange(1, len(hits) + 1)])
    precision = monotone(precision)
    return float(np.sum((recall[1:] - recall[:-1]) * precision[1:]))


@dataclass
class Evaluation:
    """Per class k: ``aps[k]`` (None without ground truth), ``precisions[k]``,
    ``recalls[k]``, ``scores[k]`` and ``hits[k]`` (n_k,) along its ranked detections,
    ``truths[k]`` its number of ground-truth boxes; ``map`` the mean of the APs."""

    map: float
    aps: list
    precisions: list
    recalls: list
    scores: list
    hits: list
    truths: list
    iou_threshold: float


def _of_class(detections, boxes, labels, k):
    """(found, truths) of class ``k``: the (image, score, box) detections, per-image boxes."""
    truths = [np.asarray(b).reshape(-1, 4)[np.asarray(lab).reshape(-1) == k]
              for b, lab in zip(boxes, labels)]
    found = [(i, s, b) for i, (bx, sc, lb) in enumerate(detections)
             for b, s, c in zip(np.asarray(bx).reshape(-1, 4), np.asarray(sc).reshape(-1),
                                np.asarray(lb).reshape(-1)) if c == k]
    return found, truths


def evaluate(detections, boxes, labels, num_classes, iou, iou_threshold=0.5):
    """:class:`Evaluation` of ``detections`` (per image: boxes (n, 4), scores (n,), labels
    (n,)) against the ground truth ``boxes`` ((m, 4) per image) and ``labels`` ((m,) per
    image) of ``num_classes`` classes, boxes matched with ``iou(boxes (1, 4), boxes (m, 4))``
    -> (1, m) at ``iou_threshold``."""
    if len(detections) != len(boxes) or len(boxes) != len(labels):
        raise ValueError(f"one entry per image expected: {len(detections)} detections, "
                         f"{len(boxes)} boxes, {len(labels)} labels")
    parts = {name: [] for name in ("aps", "precisions", "recalls", "scores", "hits", "truths")}
    for k in range(num_classes):
        found, truths = _of_class(detections, boxes, labels, k)
        scores, hits = match_detections(found, truths, iou, iou_threshold)
        total = sum(len(t) for t in truths)
        precision, recall = precision_recall(hits, total)
        for name, value in zip(parts, (average_precision(hits, total), precision, recall,
                                       scores, hits, total)):
            parts[name].append(value)
    scored = [ap for ap in parts["aps"] if ap is not None]
    return Evaluation(float(np.mean(scored)) if scored else 0.0, iou_threshold=iou_threshold,
                      **parts)


def mean_average_precision(detections, boxes, labels, num_classes, iou, iou_threshold=0.5):
    """(mAP, per-class APs with None for a class without ground truth): :func:`evaluate`'s."""
    result = evaluate(detections, boxes, labels, num_classes, iou, iou_threshold)
    return result.map, result.aps


def precision_recall_at(result, score_threshold):
    """Over all classes of an :class:`Evaluation`, keeping only the detections scoring at
    least ``score_threshold``: a dict of true positives ``tp``, false positives ``fp``, missed
    boxes ``fn``, ``precision`` (1.0 with no detection kept) and ``recall``."""
    tp = fp = 0
    for scores, hits in zip(result.scores, result.hits):
        kept = scores >= score_threshold    # matching goes by rank: a cut keeps the matches
        tp += int(hits[kept].sum())
        fp += int(kept.sum() - hits[kept].sum())
    total = sum(result.truths)
    return {"tp": tp, "fp": fp, "fn": total - tp,
            "precision": tp / (tp + fp) if tp + fp else 1.0,
            "recall": tp / total if total else 1.0}


def evaluate_grids(outputs, scenes, decode_grid, nms, iou, threshold=0.05,
                   nms_threshold=0.5, iou_threshold=0.5):
    """:func:`evaluate` of a detector's grids ``outputs`` (N, S, S, 5 + K) for ``scenes``
    (source_lib.detection.shapes.Scenes): each grid decoded with ``decode_grid(output,
    threshold)``, suppressed with ``nms(boxes, scores, nms_threshold, labels)``, matched with
    ``iou`` at ``iou_threshold``."""
    found = detect(outputs, decode_grid, nms, threshold, nms_threshold)
    return evaluate(found, scenes.boxes, scenes.labels, scenes.num_classes, iou, iou_threshold)
