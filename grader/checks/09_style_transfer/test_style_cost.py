"""style_cost(feats_S, feats_G, layer_weights) = sum_l lambda_l * style_layer_cost(...)."""

import numpy as np

from grader.checking import check_cases, load_reference, points

GRADES = ("style_cost",)
TRUSTED_CALLEES = ("style_layer_cost", "gram_matrix")

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")

LAYERS = [[(3, 6, 6), (5, 3, 3), (8, 2, 2)], [(4, 5, 4)], [(2, 8, 8), (6, 4, 4)],
          [(3, 4, 4), (4, 2, 2), (5, 2, 2), (2, 1, 1)]]
WEIGHTS = [[0.5, 0.3, 0.2], [2.0], [0.0, 1.5], [0.25, 0.0, 1.0, 0.75]]


@points(2)
def test_values(student):
    """One to four layers of different shapes, weights that do not sum to 1, some 0.

    The sum over the layers of each weight times that layer's style_layer_cost.
    """
    rng = np.random.default_rng(931)
    checked = []
    for shapes, weights in zip(LAYERS, WEIGHTS):
        feats_S = [cases.activation(rng, *s) for s in shapes]
        feats_G = [cases.activation(rng, *s) for s in shapes]
        checked.append(cases.cost_case(
            student, "style_cost", (feats_S, feats_G, weights), ref.style_cost,
            wrong.STYLE_MISTAKES, f"{len(shapes)} layer(s) with weights {weights}"))
    check_cases(checked)
