"""style_layer_cost(a_S, a_G) = 1/(2 n_H n_W n_C)^2 * sum_kk' (G(S) - G(G))^2 on activations
(1, n_C, n_H, n_W), unrolled to (n_C, n_H*n_W)."""

import numpy as np
import torch

from grader.checking import check_cases, fail, load_reference, points, same

GRADES = ("style_layer_cost",)
TRUSTED_CALLEES = ("gram_matrix",)

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")
runs = load_reference(__file__, "runs")

SHAPES = [(4, 5, 6), (3, 7, 2), (6, 3, 3), (2, 8, 5), (5, 1, 9)]


def _case(student, a_S, a_G, context=None):
    return cases.cost_case(student, "style_layer_cost", (a_S, a_G), ref.style_layer_cost,
                           wrong.LAYER_MISTAKES,
                           context or f"activations of shape {cases.shape_text(a_S)}")


def _pairs(seed):
    rng = np.random.default_rng(seed)
    return [(cases.activation(rng, *s), cases.activation(rng, *s)) for s in SHAPES]


@points(2)
def test_values(student):
    """Random activations of several shapes, non-square maps, one to six channels.

    The Gram matrices of the (n_C, n_H*n_W) unrolled activations, their squared differences
    summed, times 1/(2 n_H n_W n_C)^2.
    """
    check_cases([_case(student, a_S, a_G) for a_S, a_G in _pairs(921)])


def _own(student, a_S, a_G):
    """The student's cost, or None when it is wrong in a way test_values names or when the
    call fails (charged there)."""
    case = _case(student, a_S, a_G)
    if hasattr(case.got, "error") or any(same(case.got, c) for c, _ in case.candidates):
        return None
    return float(np.asarray(case.got, dtype=np.float64).reshape(-1)[0]) \
        if np.asarray(case.got).size == 1 else None


@points(1)
def test_invariances(student):
    """Unchanged when the positions of both activations are shuffled alike, or both are
    tiled 2 x 2 (the factor makes the cost independent of the image size); 0 when S = G.

    Judged on your own values; a mistake the first test names is not charged again.
    """
    rng = np.random.default_rng(922)
    for a_S, a_G in _pairs(923)[:3]:
        base = _own(student, a_S, a_G)
        if base is None:
            continue
        what = f"activations of shape {cases.shape_text(a_S)}"
        order = torch.from_numpy(rng.permutation(a_S.shape[2] * a_S.shape[3]))
        shuffle = lambda a: a.flatten(2)[:, :, order].reshape(a.shape)   # noqa: E731
        shuffled = _own(student, shuffle(a_S), shuffle(a_G))
        if shuffled is not None and not np.isclose(shuffled, base, rtol=1e-6, atol=1e-12):
            fail(f"For {what}, your cost changes when the positions of both activations are "
                 "shuffled the same way: style (channel correlations) does not depend on "
                 "where things are — check how you unroll the activations.")
        tiled = _own(student, a_S.repeat(1, 1, 2, 2), a_G.repeat(1, 1, 2, 2))
        if tiled is not None and not np.isclose(tiled, base, rtol=1e-6, atol=1e-12):
            fail(f"For {what} tiled 2 x 2, your cost changes: with the factor "
                 "1/(2 n_H n_W n_C)^2 (n_H, n_W of the layer) it must not.")
        zero = _own(student, a_G, a_G.clone())
        if zero is not None and not np.isclose(zero, 0.0, atol=1e-12):
            fail(f"For {what}, style_layer_cost(A, A) must be 0.")


@points(1)
def test_differentiable(student):
    """The cost is a one-number tensor the optimiser can differentiate (no .item(), numpy)."""
    rng = np.random.default_rng(924)
    runs.expect_gradient(student, "style_layer_cost",
                         (cases.activation(rng, 3, 4, 3), cases.activation(rng, 3, 4, 3)))
