"""localisation_loss(pred, target): the lecture's squared-error loss on [p_c, b_x, b_y, b_w,
b_h, c_1..c_K]; every term when the target's p_c = 1, only the p_c term when it is 0; one
loss per vector of a (..., 5 + K) batch."""

import numpy as np
import torch

from grader.checking import check_cases, load_reference, points

GRADES = ("localisation_loss",)

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")


def _targets(rng, shape, num_classes):
    """Targets of ``shape`` (..., 5 + K): about half with an object (p_c = 1, a box in
    [0, 1], a one-hot class), the others p_c = 0 with random "don't care" entries."""
    lead = shape[:-1]
    has = rng.random(lead) < 0.5
    target = rng.normal(size=shape)             # the "?" entries: anything
    target[..., 0] = has
    box = rng.uniform(0.05, 0.95, size=lead + (4,))
    classes = np.eye(num_classes)[rng.integers(0, num_classes, size=lead)]
    target[..., 1:5] = np.where(has[..., None], box, target[..., 1:5])
    target[..., 5:] = np.where(has[..., None], classes, target[..., 5:])
    return target


def _case(student, pred, target, context):
    return cases.value_case(student, "localisation_loss", (pred, target), ref.localisation_loss,
                            wrong.LOSS_MISTAKES, context, post=cases.number)


@points(1)
def test_lecture_vectors(student):
    """Vectors laid out as on the lecture's slide, [p_c, b_x, b_y, b_w, b_h, c_1, c_2, c_3].

    Vectors laid out as on the lecture's slide, [p_c, b_x, b_y, b_w, b_h, c_1, c_2,
    c_3]: a car (c_2) and no object (the "?" entries filled with anything). A mistake
    the test on batches names is not charged again here."""
    pred = np.array([0.8, 0.45, 0.6, 0.3, 0.2, 0.1, 0.7, 0.2])
    car = np.array([1.0, 0.5, 0.7, 0.3, 0.4, 0.0, 1.0, 0.0])
    nothing = np.array([0.0, 0.3, -2.0, 5.0, 0.9, 1.0, 7.0, -1.0])
    cases.check_own_cases([_case(student, pred, car, "a car in the image (p_c = 1)"),
                           _case(student, pred, nothing, "no object (p_c = 0)")])


@points(2)
def test_batches(student):
    """Random batches of shapes (N, 5 + K) and (A, B, 5 + K): one loss per vector.

    Random predictions and targets of shapes (N, 5 + K) and (A, B, 5 + K), K from 1 to
    5: one loss per vector."""
    rng = np.random.default_rng(1011)
    found = []
    for shape, k in [((6, 8), 3), ((5, 6), 1), ((2, 3, 10), 5), ((9, 7), 2)]:
        target = _targets(rng, shape, k)
        pred = rng.uniform(0, 1, size=shape)
        found.append(_case(student, pred, target, f"pred and target of shape {shape}"))
    check_cases(found)


@points(1)
def test_torch_tensors(student):
    """The same loss on torch tensors: one loss per vector, as a tensor.

    The same loss on torch tensors (the detector trains with it): one loss per vector,
    as a tensor (a mistake the test on batches names is not charged again here)."""
    rng = np.random.default_rng(1012)
    target = _targets(rng, (7, 8), 3)
    pred = rng.uniform(0, 1, size=(7, 8))
    args = (torch.from_numpy(pred), torch.from_numpy(target))
    case = cases.value_case(student, "localisation_loss", args,
                            lambda p, t: ref.localisation_loss(p, t).numpy(), (),
                            "torch tensors pred and target of shape (7, 8)")
    case.candidates = cases.candidates(wrong.LOSS_MISTAKES, pred, target)
    cases.check_own_cases([case])
