"""gram_matrix(A): A (n_C, n_H*n_W) -> A A^T (n_C, n_C), uncentred and not normalised."""

import numpy as np

from grader.checking import case_is_right, check_cases, fail, load_reference, points, same

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")

SHAPES = [(3, 20), (5, 4), (1, 9), (8, 8), (4, 30)]


def _case(student, A):
    return cases.cost_case(student, "gram_matrix", (A,), ref.gram_matrix, wrong.GRAM_MISTAKES,
                           f"A of shape {cases.shape_text(A)}", is_scalar=False)


def _matrices(seed):
    rng = np.random.default_rng(seed)
    return [cases.activation(rng, 1, c, m)[0, 0] for c, m in SHAPES]


@points(1)
def test_values(student):
    """Random unrolled activations, more channels than positions and the other way round.

    (n_C, n_C), entry (k, k') = sum over positions of A[k] * A[k'].
    """
    check_cases([_case(student, A) for A in _matrices(911)])


@points(1)
def test_symmetric_positive_semidefinite(student):
    """A Gram matrix is symmetric and positive semi-definite (signed activations).

    Judged on your own results; a mistake the first test names is not charged again.
    """
    for A in _matrices(912):
        A = A - 0.5     # signed values: the centring mistake shows too
        case = _case(student, A)
        if case_is_right(case) or any(same(case.got, c) for c, _ in case.candidates):
            continue    # right, or a mistake test_values charges
        got = np.asarray(case.got, dtype=np.float64) if not hasattr(case.got, "error") else None
        n_C = A.shape[0]
        if got is None or got.shape != (n_C, n_C):
            fail(f"For A of shape {cases.shape_text(A)}, the result must be an (n_C, n_C) "
                 "matrix, one row and one column per channel.")
        if not np.allclose(got, got.T, rtol=1e-6, atol=1e-8):
            fail(f"For A of shape {cases.shape_text(A)}, your matrix is not symmetric: "
                 "entry (k, k') and entry (k', k) are the same sum of products.")
        if np.linalg.eigvalsh((got + got.T) / 2).min() < -1e-8 * max(1.0, np.abs(got).max()):
            fail(f"For A of shape {cases.shape_text(A)}, your matrix has a negative "
                 "eigenvalue: A A^T is positive semi-definite (x^T A A^T x = |A^T x|^2).")
        fail(f"For A of shape {cases.shape_text(A)}, your result is wrong.")
