"""total_variation(img): the sum of squared differences of vertical and of horizontal
neighbours, every channel and image of the batch."""

import numpy as np
import torch

from grader.checking import check_cases, fail, load_reference, points, same

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")
runs = load_reference(__file__, "runs")

SHAPES = [(1, 3, 6, 7), (2, 3, 4, 4), (1, 1, 9, 3), (1, 3, 2, 5)]


@points(1)
def test_values(student):
    """Random images: non-square, a batch of two, one channel.

    Squared differences of each pixel with the one below and the one to its right, summed.
    """
    rng = np.random.default_rng(941)
    check_cases([cases.cost_case(student, "total_variation", (torch.from_numpy(rng.random(s)),),
                                 ref.total_variation, wrong.TV_MISTAKES,
                                 f"an image batch of shape {s}") for s in SHAPES])


@points(1)
def test_zero_on_a_constant_image_and_differentiable(student):
    """0 on a constant image; a one-number tensor the optimiser can differentiate."""
    constant = torch.full((1, 3, 5, 6), 0.7, dtype=torch.float64)
    got = cases.scalar(runs.student_call(student, "total_variation", constant))
    if not same(got, 0.0):
        fail("total_variation of a constant image must be 0: neighbours do not differ.")
    rng = np.random.default_rng(942)
    runs.expect_gradient(student, "total_variation", (torch.from_numpy(rng.random((1, 3, 4, 5))),),
                         wrt=0)
