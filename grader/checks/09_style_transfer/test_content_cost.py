"""content_cost(a_C, a_G) = 1/2 * sum (a_C - a_G)^2, a differentiable tensor."""

import numpy as np

from grader.checking import check_cases, fail, load_reference, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")
runs = load_reference(__file__, "runs")


def _case(student, a_C, a_G):
    return cases.cost_case(student, "content_cost", (a_C, a_G), ref.content_cost,
                           wrong.CONTENT_MISTAKES, f"activations of shape {cases.shape_text(a_C)}")


@points(1)
def test_values(student):
    """Random activations of several shapes (one, two or three dimensions after the batch).

    1/2 times the sum of the squared differences over every element.
    """
    rng = np.random.default_rng(901)
    shapes = [(4, 5, 6), (1, 7, 3), (9, 2, 2), (6, 11, 1)]
    pairs = [(cases.activation(rng, *s), cases.activation(rng, *s)) for s in shapes]
    pairs.append((cases.activation(rng, 3, 4, 4, relu=False)[0],
                  cases.activation(rng, 3, 4, 4, relu=False)[0]))    # no batch axis
    check_cases([_case(student, a_C, a_G) for a_C, a_G in pairs])


@points(1)
def test_zero_for_equal_activations_and_differentiable(student):
    """J(A, A) = 0, and the cost is a tensor the optimiser can differentiate.

    The gradient with respect to a_G must be a_G - a_C (so no .item(), numpy or float).
    """
    rng = np.random.default_rng(902)
    a = cases.activation(rng, 3, 4, 5)
    same = cases.scalar(runs.student_call(student, "content_cost", a, a.clone()))
    if not isinstance(same, np.ndarray) or same.shape != () or not np.isclose(same, 0.0):
        fail("content_cost(A, A) must be 0 for any activation A.")
    a_C, a_G = cases.activation(rng, 2, 3, 3), cases.activation(rng, 2, 3, 3)
    runs.expect_gradient(student, "content_cost", (a_C, a_G))
