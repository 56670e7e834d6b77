"""Hidden checks for numerical_gradient(f, x, dout, h=1e-5): centred differences of
sum(f(x) * dout). f is a Python callable, so the grader defines it inside the worker
(tool ``numerical_gradient_on``, the same functions as gradeworker.tools.backprop.
make_test_function) and compares in the trusted process."""

import numpy as np
import torch

from grader.checking import Case, Raised, attempt, check_cases, fail, load_reference, points
from gradeworker.tools.backprop import make_test_function

GRADES = ("numerical_gradient",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pairs = load_reference(__file__, "pairs")


def _run(student, kind, params, x, dout, h=None):
    report = student.tool("numerical_gradient_on", "numerical_gradient", kind, params, x, dout, h,
                          timeout=20)
    if report["error"]:
        pairs.raise_error(report["error"])
    return report


def _case(student, kind, params, x, dout, h):
    f = make_test_function(kind, params)
    got = attempt(lambda: _run(student, kind, params, x, dout, h)["grad"])
    return Case(got, ref.numerical_gradient(f, x, dout, h), f"a {kind} function with x of shape "
                f"{np.shape(x)} and h={h}", mis.numerical_gradient_candidates(f, x, dout, h))


@points(1)
def test_centred_differences(student):
    "An elementwise cubic with h = 1e-3 and 1e-2, x of 1, 2 and 3 dimensions: exactly the centred-difference values."
    rng = np.random.default_rng(551)
    cases = [_case(student, "cubic", {}, rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), h)
             for h in (1e-3, 1e-2)]
    cases += [_case(student, "cubic", {}, rng.normal(size=shape), rng.normal(size=shape), 1e-3)
              for shape in ((7,), (2, 3, 2))]
    check_cases(cases)


@points(1)
def test_upstream_gradient(student):
    "f changes the shape ((5, 2) -> (3, 2)): the gradient of sum(f(x) * dout) has x's shape."
    # a 2-D x like the other tests: x of any rank is charged by test_centred_differences alone
    rng = np.random.default_rng(552)
    params = {"a": rng.normal(size=(3, 5))}
    check_cases([_case(student, "sin_matmul", params, rng.normal(size=(5, 2)),
                       rng.normal(size=(3, 2)), 1e-4)])


def _analytic(params, x, dout):
    xt = torch.tensor(x, requires_grad=True)
    k = torch.tensor(params["k"])
    out = torch.tanh(torch.nn.functional.conv2d(xt[None, None], k[None, None])[0, 0])
    (out * torch.tensor(dout)).sum().backward()
    return xt.grad.numpy()


@points(2)
def test_gradient_check(student):
    "A 2-D valid correlation + tanh, default h, float64: relative error below 1e-7 vs the analytic gradient."
    rng = np.random.default_rng(553)
    for shape in ((6, 5), (4, 7)):
        params = {"k": rng.normal(size=(3, 2)) * 0.5}
        x = rng.normal(size=shape)
        dout = rng.normal(size=(shape[0] - 2, shape[1] - 1))
        got = attempt(lambda: _run(student, "conv_tanh", params, x, dout)["grad"])
        if isinstance(got, Raised):
            raise got.error
        got = np.asarray(got, dtype=np.float64)
        exact = _analytic(params, x, dout)
        if got.shape != exact.shape:
            fail(f"For x of shape {shape}, your gradient has the wrong shape {got.shape}.")
        error = np.abs(got - exact).max() / max(np.abs(got).max() + np.abs(exact).max(), 1e-12)
        if not error < 1e-7:
            f = make_test_function("conv_tanh", params)
            for candidate, message in mis.numerical_gradient_candidates(f, x, dout, 1e-5):
                if np.allclose(got, candidate, rtol=1e-6, atol=1e-9):
                    fail(f"For x of shape {shape} with the default h: {message}")
            fail(f"For x of shape {shape} with the default h, the relative error of your gradient "
                 "is above 1e-7 (use centred differences, and h=1e-5 by default).")


@points(1)
def test_x_unchanged(student):
    "x is left exactly as it was (restore every entry after perturbing it)."
    # Only that: the values are judged by the other tests (a wrong formula is charged there).
    rng = np.random.default_rng(554)
    x, dout = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    report = _run(student, "cubic", {}, x, dout, 1e-4)
    if report["calls"] < x.size:
        fail("numerical_gradient evaluated f fewer times than x has entries: perturb every "
             "entry of x in turn and evaluate f at each perturbed point.")
    if report["x_changed"]:
        fail("numerical_gradient left x modified: restore x[i] after evaluating f at x[i] +- h "
             "(or work on a copy).")
