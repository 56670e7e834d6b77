"""Hidden checks for Conv2dFunction (torch.autograd.Function): apply(x, w, b, stride, padding)
equals F.conv2d, its hand-written backward gives the right gradients (no autograd or
torch.nn.grad inside), passes torch.autograd.gradcheck and trains like nn.Conv2d."""

import numpy as np

from grader.checking import NO_AUTOGRAD, Case, attempt, check_cases, fail, load_reference, points
from grader.errors import ForbiddenOperation

GRADES = ("Conv2dFunction",)
# numpy versions of the pair may be reused inside the Function
TRUSTED_CALLEES = ("conv2d_forward_naive", "conv2d_backward_naive")
# the backward reads the forward's cache: a trusted backward needs the trusted forward
TRUSTED_TOGETHER = (("conv2d_forward_naive", "conv2d_backward_naive"),)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
pairs = load_reference(__file__, "pairs")
NAME = "Conv2dFunction"


def _make(rng, n, c_in, c_out, h, w_, k, stride, padding):
    x, w, b = rng.normal(size=(n, c_in, h, w_)), rng.normal(size=(c_out, c_in, k, k)), \
        rng.normal(size=c_out)
    out, cache = ref.conv2d_forward_naive(x, w, b, stride, padding)
    return {"x": x, "w": w, "b": b, "stride": stride, "padding": padding,
            "dout": rng.normal(size=out.shape)}, out, cache


@points(2)
def test_forward_and_gradients(student):
    "apply(x, w, b, stride, padding) and its backward on 4 cases (stride 1-2, padding 0-1), float64."
    pairs.scan(student, NAME, NO_AUTOGRAD)
    rng = np.random.default_rng(561)
    made = [_make(rng, *shape) for shape in [(2, 3, 4, 6, 5, 3, 1, 0), (1, 2, 3, 7, 7, 3, 2, 1),
                                             (3, 1, 2, 5, 6, 2, 2, 0), (2, 2, 2, 6, 6, 3, 1, 1)]]
    reports = student.tool("autograd_function_cases", NAME, [m[0] for m in made], NO_AUTOGRAD,
                           timeout=30)
    cases = []
    for (case, out, cache), report in zip(made, reports):
        if report["forbidden"]:
            raise ForbiddenOperation(NAME, report["forbidden"])
        context = f"x {case['x'].shape}, w {case['w'].shape}, stride={case['stride']}, " \
                  f"padding={case['padding']}"
        if report["error"]:
            cases.append(Case(attempt(lambda: pairs.raise_error(report["error"])), out, context))
            continue
        cases.append(Case(report["value"]["out"], out, context + " (forward output)"))
        if report["value"]["grads"] is None:
            continue
        got = report["value"]["grads"]
        if any(g is None for g in got):
            fail(f"For {context}: backward returned None for a gradient of x, w or b.")
        cases += pairs.gradient_cases(NAME, got, ref.conv2d_backward_naive(case["dout"], cache),
                                      ("dx", "dw", "db"), mis.conv2d_backward_candidates(
                                          case["dout"], cache), context, mis.shape_message)
    check_cases(cases)


@points(1)
def test_gradcheck(student):
    "torch.autograd.gradcheck in float64 on small random cases (stride 1 and 2, padding 0 and 1)."
    rng = np.random.default_rng(562)
    made = [_make(rng, *shape)[0] for shape in [(2, 2, 3, 5, 4, 3, 1, 1), (1, 3, 2, 6, 5, 2, 2, 0)]]
    for case, result in zip(made, student.tool("autograd_function_gradcheck", NAME, made,
                                               timeout=60)):
        if result["error"]:
            pairs.raise_error(result["error"])
        if not result["ok"]:
            fail(f"For x {case['x'].shape}, stride={case['stride']}, padding={case['padding']}: "
                 "torch.autograd.gradcheck fails: your backward does not match the numerical "
                 "derivative of your forward.")


@points(1)
def test_trains_like_conv2d(student):
    "15 SGD steps of a small model: the loss curve equals the one with F.conv2d (same init)."
    curves = student.tool("autograd_function_training", NAME, timeout=60)
    if curves["error"]:
        pairs.raise_error(curves["error"])
    torch_curve, student_curve = np.array(curves["torch"]), np.array(curves["student"])
    if student_curve.shape != torch_curve.shape or not np.allclose(student_curve, torch_curve,
                                                                   rtol=1e-6, atol=1e-8):
        fail("Trained with your Conv2dFunction, the small model's loss curve differs from the "
             "same model built with nn.Conv2d: check the gradients for stride 2 and padding 1.")
