"""mAP@0.5 of 10's detector (trusted side): the grader scores the handed-in checkpoint with
the reference's iou, decode_grid and nms (``reference.py``) passed to
``source_lib.detection.evaluation`` (one copy of the AP arithmetic, which the notebook's
pictures use with the student's functions).

Average precision of a class: detections of that class over all images, best score first;
each is a true positive when its IoU with a not yet matched ground-truth box of its class
in its image is at least 0.5 (the best such box; when the best box is already matched, the
best free one, as COCO matches: PASCAL VOC counts it a false positive), else a false
positive; AP is the area under the precision-recall curve with precision made monotone
(all-point interpolation, as PASCAL VOC since 2010; COCO averages the same envelope at 101
recall levels). mAP is the mean over the classes that have ground truth.
"""

from grader.checking import load_reference
from source_lib.detection import evaluation

ref = load_reference(__file__)

# the hidden test scenes: make_scenes(TEST_SCENES, seed=TEST_SEED) (training batches use
# tuple seeds (seed, step), so they never coincide with these)
TEST_SEED, TEST_SCENES = 91_022, 1000


def mean_average_precision(detections, boxes, labels, num_classes, iou=None):
    """mAP@0.5. ``detections``: per image (boxes (n, 4), scores (n,), labels (n,));
    ``boxes``, ``labels``: per image the ground truth ((m, 4), (m,)). Returns (mAP, list of
    per-class APs, None for a class without ground truth)."""
    return evaluation.mean_average_precision(detections, boxes, labels, num_classes,
                                             iou or ref.iou, iou_threshold=0.5)


def score_grids(outputs, scenes, threshold=0.05, iou_threshold=0.5):
    """mAP@0.5 (and per-class APs) of a detector's grids ``outputs`` (N, S, S, 5 + K) for
    ``scenes`` (source_lib.detection.shapes.Scenes), decoded and suppressed with the
    reference's functions (what grading will do with grids predicted in the worker)."""
    result = evaluation.evaluate_grids(outputs, scenes, ref.decode_grid, ref.nms, ref.iou,
                                       threshold, nms_threshold=iou_threshold)
    return result.map, result.aps


def score_detector(model, scenes, threshold=0.05, iou_threshold=0.5):
    """:func:`score_grids` of ``model``'s grids for ``scenes``."""
    from source_lib.detection.training import predict
    return score_grids(predict(model, scenes.images), scenes, threshold, iou_threshold)


def hidden_scenes(count=TEST_SCENES, salt=None):
    """The grader's test scenes (generated, never handed out): ``make_scenes(count,
    seed=TEST_SEED)``, or with ``salt`` (an int: grading derives one from each checkpoint's
    bytes) ``seed=(TEST_SEED, salt)``."""
    from source_lib.detection.shapes import make_scenes
    return make_scenes(count, seed=TEST_SEED if salt is None else (TEST_SEED, int(salt)))
