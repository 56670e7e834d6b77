"""Wrong implementations of 10_detection's graded functions, one per misconception (listed
in implementations.py): each loses only its own part, with the mistake named."""

from grader.authoring.implementations import Implementation, edited_reference

A = "10_detection"


def _impl(student, description, cells, loses=None, **options):
    return Implementation(student, description, cells, loses or {}, **options)


def _edit(name, *edits):
    return {name: "import numpy as np\nimport torch\nfrom torch import nn\n\n"
            + edited_reference(A, name, *edits)}


def _cell(name, body):
    return {name: "import math\n\nimport numpy as np\nimport torch\nfrom torch import nn\n\n"
            + body}


_WRONG_IOU = [
    _impl("iou_plus_one", "+1 in every width and height (integer pixels)", _edit("iou", (
        "np.minimum(A[..., 2], B[..., 2]) - np.maximum(A[..., 0], B[..., 0])",
        "np.minimum(A[..., 2], B[..., 2]) - np.maximum(A[..., 0], B[..., 0]) + 1"), (
        "np.minimum(A[..., 3], B[..., 3]) - np.maximum(A[..., 1], B[..., 1])",
        "np.minimum(A[..., 3], B[..., 3]) - np.maximum(A[..., 1], B[..., 1]) + 1"), (
        "area_a = (A[..., 2] - A[..., 0]) * (A[..., 3] - A[..., 1])",
        "area_a = (A[..., 2] - A[..., 0] + 1) * (A[..., 3] - A[..., 1] + 1)"), (
        "area_b = (B[..., 2] - B[..., 0]) * (B[..., 3] - B[..., 1])",
        "area_b = (B[..., 2] - B[..., 0] + 1) * (B[..., 3] - B[..., 1] + 1)")),
        {"test_iou": "the areas have a +1"}),
    _impl("iou_union_sum", "union = the sum of the two areas", _edit("iou", (
        "union = area_a + area_b - inter", "union = area_a + area_b")),
        {"test_iou": "counts the overlap twice"}),
    _impl("iou_not_clamped", "the overlap's width and height not clamped at 0", _edit("iou", (
        "np.clip(np.minimum(A[..., 2], B[..., 2]) - np.maximum(A[..., 0], B[..., 0]), 0, None)",
        "np.minimum(A[..., 2], B[..., 2]) - np.maximum(A[..., 0], B[..., 0])"), (
        "np.clip(np.minimum(A[..., 3], B[..., 3]) - np.maximum(A[..., 1], B[..., 1]), 0, None)",
        "np.minimum(A[..., 3], B[..., 3]) - np.maximum(A[..., 1], B[..., 1])")),
        {"test_iou": "clamped at 0"}),
    _impl("iou_x_y_mixed", "boxes read as (x1, x2, y1, y2)", _edit("iou", (
        "A, B = np.atleast_2d(a)[:, None, :], np.atleast_2d(b)[None, :, :]",
        "A = np.atleast_2d(a)[:, None, [0, 2, 1, 3]]\n    B = np.atleast_2d(b)[None, :, [0, 2, 1, 3]]")),
        {"test_iou": "x and y are mixed up"}),
    _impl("iou_paired", "batched boxes paired i with i", _cell("iou", '''def iou(box_a, box_b):
    a, b = np.asarray(box_a, dtype=float), np.asarray(box_b, dtype=float)
    w = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    h = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = w * h
    union = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1]) \\
        + (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1]) - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
'''), {"test_iou": "pairs box i with box i only"}),
    _impl("iou_loop_over_pairs", "right values, a Python loop over pairs", _cell("iou",
          '''def _one(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def iou(box_a, box_b):
    a, b = np.atleast_2d(box_a), np.atleast_2d(box_b)
    out = np.array([[_one(x, y) for y in b] for x in a])
    return out.reshape(np.shape(box_a)[:-1] + np.shape(box_b)[:-1])
'''), {"test_iou": "more Python lines"}, only={"test_iou": ("No Python loop",)}),
    _impl("iou_nan_for_degenerate", "0 / 0 left as NaN", _edit("iou", (
        "out = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)",
        "with np.errstate(invalid='ignore'):\n        out = inter / union")),
        {"test_iou": "NaN"}, only={"test_iou": ("A box of zero width",)}),
]

_WRONG_LOSS = [
    _impl("loss_box_terms_without_object", "every term counted, object or not",
          _edit("localisation_loss", ("return squared[..., 0] + has_object * squared[..., 1:].sum(-1)",
                                      "return squared.sum(-1)")),
          {"test_localisation_loss": "must not add to the loss"}),
    _impl("loss_mask_from_prediction", "the prediction's p_c decides", _edit(
        "localisation_loss", ("has_object = target[..., 0]", "has_object = 1.0 * (pred[..., 0] > 0.5)")),
        {"test_localisation_loss": "not by the prediction's"}),
    _impl("loss_mean", "the mean of the squared errors when there is an object", _edit(
        "localisation_loss", ("squared[..., 1:].sum(-1)",
                              "(squared[..., 1:].sum(-1) - (squared.shape[-1] - 1) "
                              "* squared[..., 0]) / squared.shape[-1]")),
        {"test_localisation_loss": "not their mean"}),
]

_WRONG_FC = [
    _impl("fc_keeps_flatten", "convolutional part kept, Flatten and Linear layers too",
          _cell("fc_to_conv", '''def fc_to_conv(model):
    return nn.Sequential(*list(model), nn.Unflatten(1, (-1, 1, 1)))
'''), {"test_fc_to_conv": "cannot take an image larger"}),
    _impl("fc_channels_last_reshape", "first Linear reshaped as (out, k, k, C), then permuted",
          _edit("fc_to_conv", ("conv.weight.copy_(layer.weight.reshape(layer.out_features, c_in, k, k))",
                               "conv.weight.copy_(layer.weight.reshape(layer.out_features, k, k, c_in)"
                               ".permute(0, 3, 1, 2))")),
          {"test_fc_to_conv": "differ from the classifier"}),
    _impl("fc_in_place", "the classifier's own layers replaced in place", _cell("fc_to_conv",
          '''def fc_to_conv(model):
    channels = [m.out_channels for m in model if isinstance(m, nn.Conv2d)][-1]
    first = True
    for name, m in list(model.named_children()):
        if isinstance(m, nn.Flatten):
            setattr(model, name, nn.Identity())
        elif isinstance(m, nn.Linear):
            c = channels if first else m.in_features
            k = math.isqrt(m.in_features // c)
            conv = nn.Conv2d(c, m.out_features, k)
            with torch.no_grad():
                conv.weight.copy_(m.weight.reshape(m.out_features, c, k, k))
                conv.bias.copy_(m.bias)
            setattr(model, name, conv)
            first = False
    return model
'''), {"test_fc_to_conv": "no longer gives its outputs"}),
]

_WRONG_GRID = [
    _impl("encode_xy_swapped", "target[col, row] instead of target[row, col]", _edit(
        "encode_grid", *[(f"target[row, col, {i}", f"target[col, row, {i}") for i in "01234"],
        ("target[row, col, 5 +", "target[col, row, 5 +")),
        {"test_encode_grid": "x and y are swapped"}),
    _impl("encode_rounds_the_cell", "the cell found with round() instead of floor()", _edit(
        "encode_grid", ("np.minimum(np.floor(cx * grid_size)", "np.minimum(np.round(cx * grid_size)"),
        ("np.minimum(np.floor(cy * grid_size)", "np.minimum(np.round(cy * grid_size)")),
        {"test_encode_grid": "wrong cell at a border"}),
    _impl("encode_line_to_the_cell_before", "a centre on a line given to the cell before it "
          "(ceil - 1)", _edit(
              "encode_grid",
              ("np.minimum(np.floor(cx * grid_size).astype(int), grid_size - 1)",
               "np.minimum(np.ceil(cx * grid_size).astype(int) - 1, grid_size - 1)"),
              ("np.minimum(np.floor(cy * grid_size).astype(int), grid_size - 1)",
               "np.minimum(np.ceil(cy * grid_size).astype(int) - 1, grid_size - 1)")),
          {"test_encode_grid": "wrong cell at a border"},
          only={"test_encode_grid": ("Centres exactly on a line",)}),
    _impl("encode_no_last_cell", "floor() without clamping a centre on the far edge", _edit(
        "encode_grid",
        ("np.minimum(np.floor(cx * grid_size).astype(int), grid_size - 1)",
         "np.floor(cx * grid_size).astype(int)"),
        ("np.minimum(np.floor(cy * grid_size).astype(int), grid_size - 1)",
         "np.floor(cy * grid_size).astype(int)")),
        {"test_encode_grid": "wrong cell at a border"},
        only={"test_encode_grid": ("Centres exactly on a line",)}),
    _impl("encode_image_coordinates", "b_x, b_y as the centre in image coordinates", _edit(
        "encode_grid", ("target[row, col, 1] = cx * grid_size - col", "target[row, col, 1] = cx"),
        ("target[row, col, 2] = cy * grid_size - row", "target[row, col, 2] = cy")),
        {"test_encode_grid": "not in image coordinates"}),
    _impl("decode_xy_swapped", "rows read as x, columns as y", _edit(
        "decode_grid", ("row, col = np.nonzero(", "col, row = np.nonzero("),
        ("cells = output[row, col]", "cells = output[col, row]")),
        {"test_decode_grid": "x and y are swapped"}),
    _impl("decode_not_relative", "b_x, b_y read as image coordinates", _edit(
        "decode_grid", ("cx, cy = (col + cells[:, 1]) / grid_size, (row + cells[:, 2]) / grid_size",
                        "cx, cy = cells[:, 1], cells[:, 2]")),
        {"test_decode_grid": "relative to their cell"}),
]

_WRONG_NMS = [
    _impl("nms_across_classes", "labels ignored: boxes of any class suppress each other", _edit(
        "nms", ("alive &= ~((overlaps[i] > iou_threshold) & (labels == labels[i]))",
                "alive &= ~(overlaps[i] > iou_threshold)")),
        {"test_nms": "never suppress each other"}),
    _impl("nms_threshold_wrong_way", "suppresses the boxes whose IoU is below the threshold",
          _edit("nms", ("alive &= ~((overlaps[i] > iou_threshold)",
                        "alive &= ~((overlaps[i] < iou_threshold)")),
          {"test_nms": "you suppress the boxes that overlap little"}),
    _impl("nms_input_order", "visits the boxes in the input's order", _edit(
        "nms", ('order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")',
                "order = np.arange(len(boxes))")),
        {"test_nms": "from the highest score down"}),
    _impl("nms_sorted_indices", "returns the kept indices sorted by index", _edit(
        "nms", ("return np.array(keep, dtype=np.int64)", "return np.sort(np.array(keep, dtype=np.int64))")),
        {"test_nms": "not sorted by index"}),
]

_MORE_WRONG = [
    _impl("iou_over_first_area", "the intersection over the first box's area", _edit(
        "iou", ("union = area_a + area_b - inter", "union = area_a + 0 * area_b")),
        {"test_iou": "not the area of the first box"}),
    _impl("iou_over_smaller_area", "the intersection over the smaller area", _edit(
        "iou", ("union = area_a + area_b - inter", "union = np.minimum(area_a, area_b)")),
        {"test_iou": "not the smaller area"}),
    _impl("iou_reads_xywh", "boxes read as (x, y, width, height)", _edit("iou", (
        "A, B = np.atleast_2d(a)[:, None, :], np.atleast_2d(b)[None, :, :]",
        "A, B = np.atleast_2d(a)[:, None, :], np.atleast_2d(b)[None, :, :]\n"
        "    A = np.concatenate([A[..., :2], A[..., :2] + A[..., 2:]], axis=-1)\n"
        "    B = np.concatenate([B[..., :2], B[..., :2] + B[..., 2:]], axis=-1)")),
        {"test_iou": "not (x, y, width, height)"}),
    _impl("loss_nothing_without_object", "no loss at all when there is no object", _edit(
        "localisation_loss", ("return squared[..., 0] + has_object * squared[..., 1:].sum(-1)",
                              "return has_object * squared.sum(-1)")),
        {"test_localisation_loss": "counts when there is no object too"}),
    _impl("loss_box_terms_only", "the class entries left out", _edit(
        "localisation_loss", ("squared[..., 1:].sum(-1)", "squared[..., 1:5].sum(-1)")),
        {"test_localisation_loss": "the class entries c_1..c_K count too"}),
    _impl("loss_absolute_error", "absolute instead of squared errors", _edit(
        "localisation_loss", ("squared = (pred - target) ** 2", "squared = abs(pred - target)")),
        {"test_localisation_loss": "not the absolute error"}),
    _impl("encode_sizes_in_image_units", "b_w, b_h as fractions of the image", _edit(
        "encode_grid", ("(boxes[:, 2] - boxes[:, 0]) * grid_size", "(boxes[:, 2] - boxes[:, 0])"),
        ("(boxes[:, 3] - boxes[:, 1]) * grid_size", "(boxes[:, 3] - boxes[:, 1])")),
        {"test_encode_grid": "b_w, b_h are in cell units"}),
    _impl("decode_sizes_in_image_units", "b_w, b_h read as fractions of the image", _edit(
        "decode_grid", ("w, h = cells[:, 3] / grid_size, cells[:, 4] / grid_size",
                        "w, h = cells[:, 3], cells[:, 4]")),
        {"test_decode_grid": "b_w, b_h are in cell units"}),
    _impl("decode_threshold_wrong_way", "keeps the cells below the threshold", _edit(
        "decode_grid", ("output[..., 0] >= threshold", "output[..., 0] < threshold")),
        {"test_decode_grid": "not those below it"}),
    _impl("nms_suppressed_boxes_suppress", "a suppressed box still suppresses others", _edit(
        "nms", ("        if not alive[i]:\n            continue\n        keep.append(i)",
                "        if alive[i]:\n            keep.append(i)")),
        {"test_nms": "a suppressed box must not suppress others"}),
]

WRONG = _WRONG_IOU + _WRONG_LOSS + _WRONG_FC + _WRONG_GRID + _WRONG_NMS + _MORE_WRONG
