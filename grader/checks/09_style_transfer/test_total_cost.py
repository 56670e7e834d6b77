"""total_cost(J_content, J_style, alpha=10, beta=40) = alpha J_content + beta J_style."""

import numpy as np
import torch

from grader.checking import Case, attempt, check_cases, fail, load_reference, points, same

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "cases")

DEFAULTS = "the defaults are alpha=10 and beta=40 (DeepLearning.AI's assignment's values)"


def _case(student, args, kwargs, context):
    got = attempt(lambda: student.call("total_cost", *args, **kwargs))
    got = got if hasattr(got, "error") else cases.scalar(got)
    candidates = [(cases.numpy_of(function(*args, **kwargs)), message)
                  for function, message in wrong.TOTAL_MISTAKES]
    return Case(got, cases.numpy_of(ref.total_cost(*args, **kwargs)), context, candidates)


@points(1)
def test_values(student):
    """Costs as tensors and as floats, alpha and beta given, then the defaults.

    alpha times the content cost plus beta times the style cost; alpha=10, beta=40 by default.
    """
    rng = np.random.default_rng(951)
    given = []
    for alpha, beta in [(1.0, 1e3), (5.0, 0.5), (0.0, 2.0)]:
        J_c, J_s = (torch.tensor(float(v), dtype=torch.float64) for v in rng.random(2) * 10)
        given.append(_case(student, (J_c, J_s), {"alpha": alpha, "beta": beta},
                           f"alpha={alpha}, beta={beta}"))
    given.append(_case(student, (2.5, 0.125), {"alpha": 3.0, "beta": 7.0},
                       "Python floats, alpha=3, beta=7"))
    check_cases(given)
    defaults = _case(student, (torch.tensor(3.0, dtype=torch.float64),
                               torch.tensor(0.5, dtype=torch.float64)), {}, "the defaults")
    if not same(defaults.got, defaults.expected):
        fail(f"With alpha and beta left out: {DEFAULTS}.")
