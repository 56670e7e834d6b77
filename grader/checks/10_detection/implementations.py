"""Right and wrong implementations of 10_detection's graded functions (the demo grades DEMO;
the test suite grades all of them: see grader.authoring.implementations).

Right ones are written the ways students (and libraries) write them: unpacked columns with
an epsilon, torchvision's box_iou in torch, weights times squared errors, a loop over
vectors, load_state_dict, loops over cells, torchvision's per-class coordinate offset in NMS,
a loop over classes. Wrong ones make one slip each: the misconceptions the issue names.
"""

from dataclasses import replace

from grader.checking import load_reference

wrong = load_reference(__file__, "wrong_implementations")
detector = load_reference(__file__, "detector_samples")

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("iou_plus_one", "nms_across_classes", "encode_xy_swapped", "detector_between_tiers")

_impl, _cell = wrong._impl, wrong._cell


_RIGHT_IOU = [
    _impl("iou_unpacked_eps", "columns unpacked by name, an epsilon in the denominator",
          _cell("iou", '''def iou(box_a, box_b):
    a = np.atleast_2d(np.asarray(box_a, dtype=float))
    b = np.atleast_2d(np.asarray(box_b, dtype=float))
    ax1, ay1, ax2, ay2 = [a[:, i:i + 1] for i in range(4)]
    bx1, by1, bx2, by2 = [b[:, i] for i in range(4)]
    iw = np.maximum(0.0, np.minimum(ax2, bx2) - np.maximum(ax1, bx1))
    ih = np.maximum(0.0, np.minimum(ay2, by2) - np.maximum(ay1, by1))
    inter = iw * ih
    union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter
    result = inter / (union + 1e-12)
    if np.ndim(box_b) == 1:
        result = result[:, 0]
    if np.ndim(box_a) == 1:
        result = result[0]
    return result
''')),
    _impl("iou_torchvision_style", "torchvision's box_iou written in torch (lt, rb, clamp)",
          _cell("iou", '''def _box_area(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def iou(box_a, box_b):
    boxes1 = torch.as_tensor(np.asarray(box_a), dtype=torch.float64).reshape(-1, 4)
    boxes2 = torch.as_tensor(np.asarray(box_b), dtype=torch.float64).reshape(-1, 4)
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    union = _box_area(boxes1)[:, None] + _box_area(boxes2) - inter
    out = torch.where(union > 0, inter / union, torch.zeros_like(inter)).numpy()
    return out.reshape(np.shape(box_a)[:-1] + np.shape(box_b)[:-1])
''')),
]

_RIGHT_LOSS = [
    _impl("loss_weights", "squared errors times weights (1, p_c, p_c, ...)",
          _cell("localisation_loss", '''def localisation_loss(pred, target):
    errors = (pred - target) ** 2
    p_c = target[..., :1]
    weights = p_c * 1.0 + 0.0 * errors
    weights[..., 0] = 1.0
    return (weights * errors).sum(-1)
''')),
    _impl("loss_loop", "a loop over the vectors with an if", _cell("localisation_loss",
          '''def localisation_loss(pred, target):
    p = np.asarray(pred, dtype=float)
    t = np.asarray(target, dtype=float)
    flat_p, flat_t = p.reshape(-1, p.shape[-1]), t.reshape(-1, t.shape[-1])
    losses = []
    for y_hat, y in zip(flat_p, flat_t):
        if y[0] == 1:
            losses.append(np.sum((y - y_hat) ** 2))
        else:
            losses.append((y[0] - y_hat[0]) ** 2)
    return np.array(losses).reshape(t.shape[:-1])
''')),
]

_RIGHT_FC = [
    _impl("fc_load_state_dict", "Linear weights viewed as kernels, load_state_dict",
          _cell("fc_to_conv", '''def fc_to_conv(model):
    layers, channels, seen_linear = [], None, False
    for module in model:
        if isinstance(module, nn.Conv2d):
            channels = module.out_channels
        if isinstance(module, nn.Flatten):
            continue
        if isinstance(module, nn.Linear):
            c_in = module.in_features if seen_linear else channels
            side = math.isqrt(module.in_features // c_in)
            conv = nn.Conv2d(c_in, module.out_features, kernel_size=side)
            conv.load_state_dict({"weight": module.weight.view(module.out_features, c_in, side, side),
                                  "bias": module.bias})
            layers.append(conv)
            seen_linear = True
        else:
            layers.append(module)
    return nn.Sequential(*layers)
''')),
    _impl("fc_data_clone", "weights through .data, cloned", _cell("fc_to_conv",
          '''def fc_to_conv(model):
    modules = list(model)
    cut = [type(m).__name__ for m in modules].index("Flatten")
    convs = [m for m in modules[:cut] if isinstance(m, nn.Conv2d)]
    c = convs[-1].out_channels
    out = list(modules[:cut])
    for m in modules[cut + 1:]:
        if isinstance(m, nn.Linear):
            k = int(round(math.sqrt(m.in_features / c)))
            conv = nn.Conv2d(c, m.out_features, k)
            conv.weight.data = m.weight.data.clone().reshape(m.out_features, c, k, k)
            conv.bias.data = m.bias.data.clone()
            out.append(conv)
            c = m.out_features
        else:
            out.append(m)
    return nn.Sequential(*out)
''')),
]

_RIGHT_GRID = [
    _impl("encode_loop", "a loop over the boxes, int() and min()", _cell("encode_grid",
          '''def encode_grid(boxes, labels, grid_size, num_classes):
    S = grid_size
    y = np.zeros((S, S, 5 + num_classes))
    for (x1, y1, x2, y2), label in zip(np.asarray(boxes, dtype=float), labels):
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        i, j = min(int(cy * S), S - 1), min(int(cx * S), S - 1)
        y[i, j, :5] = [1, cx * S - j, cy * S - i, (x2 - x1) * S, (y2 - y1) * S]
        y[i, j, 5 + int(label)] = 1
    return y
''')),
    _impl("decode_loops", "two loops over the cells", _cell("decode_grid",
          '''def decode_grid(output, threshold):
    S = output.shape[0]
    boxes, scores, labels = [], [], []
    for row in range(S):
        for col in range(S):
            p_c, bx, by, bw, bh = output[row, col, :5]
            if p_c >= threshold:
                cx, cy, w, h = (col + bx) / S, (row + by) / S, bw / S, bh / S
                boxes.append([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
                scores.append(p_c)
                labels.append(int(np.argmax(output[row, col, 5:])))
    return np.array(boxes).reshape(-1, 4), np.array(scores), np.array(labels, dtype=int)
''')),
]

_RIGHT_GRID += [
    _impl("encode_vectorised_clip", "vectorised, np.clip and other names", _cell("encode_grid",
          '''def encode_grid(boxes, labels, grid_size, num_classes):
    b = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    centres = (b[:, :2] + b[:, 2:]) / 2
    sizes = b[:, 2:] - b[:, :2]
    ij = np.clip((centres * grid_size).astype(int), 0, grid_size - 1)   # (x cell, y cell)
    grid = np.zeros((grid_size, grid_size, 5 + num_classes))
    xs, ys = ij[:, 0], ij[:, 1]
    grid[ys, xs, 0] = 1
    grid[ys, xs, 1:3] = centres * grid_size - ij
    grid[ys, xs, 3:5] = sizes * grid_size
    grid[ys, xs, 5 + np.asarray(labels).astype(int)] = 1
    return grid
''')),
    _impl("decode_argwhere", "np.argwhere, then column arithmetic", _cell("decode_grid",
          '''def decode_grid(output, threshold):
    S = len(output)
    where = np.argwhere(output[:, :, 0] >= threshold)
    found = output[where[:, 0], where[:, 1]]
    centre = (where[:, ::-1] + found[:, 1:3]) / S
    half = found[:, 3:5] / S / 2
    return (np.concatenate([centre - half, centre + half], axis=1), found[:, 0],
            found[:, 5:].argmax(axis=1))
''')),
]

_RIGHT_LOSS += [
    _impl("loss_einsum_torch", "torch throughout, the terms weighted with einsum",
          _cell("localisation_loss", '''def localisation_loss(pred, target):
    p, t = torch.as_tensor(pred), torch.as_tensor(target)
    se = (p - t) ** 2
    weights = torch.ones_like(se)
    weights[..., 1:] = t[..., :1]
    return torch.einsum("...i,...i->...", weights, se)
''')),
]

_RIGHT_NMS = [
    _impl("nms_class_offset", "torchvision's batched_nms trick: boxes moved apart per class",
          _cell("nms", '''def nms(boxes, scores, iou_threshold, labels=None):
    boxes = np.asarray(boxes, dtype=float)
    if labels is not None and len(boxes):
        shift = boxes.max() - boxes.min() + 1.0
        boxes = boxes + (np.asarray(labels) * shift)[:, None]
    order = np.argsort(-np.asarray(scores), kind="stable")
    keep = []
    while order.size > 0:
        best = order[0]
        keep.append(best)
        rest = order[1:]
        if rest.size == 0:
            break
        overlaps = iou(boxes[best], boxes[rest])
        order = rest[overlaps <= iou_threshold]
    return np.array(keep, dtype=int)
''')),
    _impl("nms_loop_over_classes", "greedy NMS per class in a loop, merged by score",
          _cell("nms", '''def nms(boxes, scores, iou_threshold, labels=None):
    boxes, scores = np.asarray(boxes, dtype=float), np.asarray(scores, dtype=float)
    classes = np.zeros(len(boxes), dtype=int) if labels is None else np.asarray(labels)
    kept = []
    for c in np.unique(classes):
        members = list(np.flatnonzero(classes == c))
        members.sort(key=lambda i: -scores[i])
        while members:
            top = members.pop(0)
            kept.append(top)
            members = [i for i in members if iou(boxes[top], boxes[i]) <= iou_threshold]
    kept.sort(key=lambda i: -scores[i])
    return np.array(kept, dtype=np.int64)
''')),
]

# The handed-in detector does not depend on the functions as graded (it was trained in the
# notebook), so the functions' samples outside the demo hand in no detector.pt: the suite
# does not score the same checkpoint for each (their detector part then loses points only
# for the missing file, which the test allows).
IMPLEMENTATIONS = [
    sample if sample.student in DEMO else replace(sample, files={detector.FILE: None})
    for sample in _RIGHT_IOU + _RIGHT_LOSS + _RIGHT_FC + _RIGHT_GRID + _RIGHT_NMS + wrong.WRONG
] + detector.SAMPLES
