"""09: the student's style-transfer code runs on seeded tiny networks, inside the worker.

Each ``*_run(namespace, ...)`` calls the student's definitions from ``namespace`` and
reports what happened in plain values (arrays, floats, flags); the trusted process rebuilds
the same network (``style_models``) and judges the report with the reference.
"""

import gc
from contextlib import contextmanager

import numpy as np
import torch

from gradeworker.tools import style_models as sm
from gradeworker.tools.common import student_function

COST_NAMES = ("content_cost", "gram_matrix", "style_layer_cost", "style_cost",
              "total_variation", "total_cost")


def gradient_run(namespace, function, args, wrt=1):
    """Call the student's ``function`` (a name) on float64 tensors ``args`` (argument ``wrt`` requiring
    grad): what it returned and the gradient of that result with respect to ``wrt``."""
    function = student_function(namespace, function)
    tensors = [torch.as_tensor(np.asarray(a), dtype=torch.float64) for a in args]
    tensors[wrt].requires_grad_(True)
    result = function(*tensors)
    report = {"kind": type(result).__name__, "shape": None, "consistent": False}
    if isinstance(result, torch.Tensor):
        report["shape"] = list(result.shape)
        if result.grad_fn is None:
            report["kind"] = "detached tensor"
        elif result.numel() == 1:
            report["consistent"] = _gradient_matches_differences(function, tensors, wrt)
    return report


def _gradient_matches_differences(function, tensors, wrt):
    """Whether autograd's gradient of the student's own function agrees with centred
    differences of it (an in-place change or a detach inside breaks it)."""
    def of_one(x):
        return function(*[x if i == wrt else t.detach() for i, t in enumerate(tensors)]).sum()
    x = tensors[wrt].detach().clone().requires_grad_(True)
    return bool(torch.autograd.gradcheck(of_one, (x,), eps=1e-6, atol=1e-5, rtol=1e-4,
                                         raise_exception=False))


def _outputs(returned):
    if not isinstance(returned, (list, tuple)):
        return None
    if not all(isinstance(a, torch.Tensor) for a in returned):
        return None
    return returned


def extractor_run(namespace, layers, seed=0, size=24):
    """Build the student's ``FeatureExtractor(TinyNet(seed), layers)``, call it on one
    image that requires grad, then delete it: its outputs and what it did to the network."""
    cls = student_function(namespace, "FeatureExtractor")
    model = sm.TinyNet(seed)
    weights = [p.detach().clone() for p in model.parameters()]
    extractor = cls(model, list(layers))
    x = sm.images(seed + 1, size, 1)[0].requires_grad_(True)
    model.ran.clear()
    returned = extractor(x)
    report = {"frozen": not any(p.requires_grad for p in model.parameters()),
              "eval": not any(m.training for m in model.modules())}
    report["ran"] = list(model.ran)
    report["hooks_after_call"] = sm.hook_count(model)
    report["kind"] = type(returned).__name__
    outputs = _outputs(returned)
    report["outputs"] = None if outputs is None else [a.detach().numpy() for a in outputs]
    report["grad_flows"] = False
    if outputs and any(a.requires_grad for a in outputs):
        sum((a.double() ** 2).sum() for a in outputs if a.requires_grad).backward()
        report["grad_flows"] = x.grad is not None and bool(x.grad.abs().sum() > 0)
    report["weights_changed"] = any(not torch.equal(w, p.detach())
                                    for w, p in zip(weights, model.parameters()))
    again = _outputs(extractor(x.detach()))   # a second call: hooks must not pile up
    report["second_call"] = None if again is None else [a.detach().numpy() for a in again]
    del extractor, returned, outputs, again
    gc.collect()
    report["hooks_after_delete"] = sm.hook_count(model)
    return report


@contextmanager
def _costs_replaced(namespace, replace):
    """The tool's own cost functions in place of the student's (re-checking
    run_style_transfer alone when one of them is wrong)."""
    saved = {name: namespace.get(name) for name in COST_NAMES}
    if replace:
        namespace.update(_trusted_costs())
    try:
        yield
    finally:
        if replace:
            namespace.update(saved)


def _trusted_costs():
    def gram_matrix(A):
        return torch.einsum("kp,lp->kl", A, A)

    def style_layer_cost(a_S, a_G):
        n = a_G.shape[1] * a_G.shape[2] * a_G.shape[3]
        flat_S, flat_G = a_S.flatten(2)[0], a_G.flatten(2)[0]
        return (gram_matrix(flat_S) - gram_matrix(flat_G)).square().sum() / (2 * n) ** 2

    return {
        "content_cost": lambda a_C, a_G: (a_G - a_C).square().sum() * 0.5,
        "gram_matrix": gram_matrix,
        "style_layer_cost": style_layer_cost,
        "style_cost": lambda f_S, f_G, w: sum(lam * style_layer_cost(s, g)
                                              for s, g, lam in zip(f_S, f_G, w)),
        "total_variation": lambda x: (x.diff(dim=2).square().sum()
                                      + x.diff(dim=3).square().sum()),
        "total_cost": lambda J_c, J_s, alpha=10, beta=40: J_c * alpha + J_s * beta,
    }


class ChecksExtractor:
    """The checks' extractor over a TinyNet: what a FeatureExtractor offers (``model``,
    ``layers``, a call returning the activations), without hooks."""

    def __init__(self, model, layers):
        self.model, self.layers = model, list(layers)
        self.calls = 0

    def __call__(self, x):
        self.calls += 1
        return sm.activations(self.model, x, self.layers)


def transfer_run(namespace, layers, content_index, style_weights, options, seed=0, size=24,
                 frozen=True, trusted_costs=False):
    """The student's ``run_style_transfer`` with the checks' own extractor over
    ``TinyNet(seed)`` (its weights frozen unless ``frozen`` is False) on two seeded images:
    the image it returns, its history and what it left changed."""
    run = student_function(namespace, "run_style_transfer")
    model = sm.TinyNet(seed).eval().requires_grad_(not frozen)
    weights = [p.detach().clone() for p in model.parameters()]
    content, style = sm.images(seed + 7, size)
    kept = content.clone(), style.clone()
    extractor = ChecksExtractor(model, layers)
    with _costs_replaced(namespace, trusted_costs):
        returned = run(extractor, content, style, int(content_index), list(style_weights),
                       **options)
    report = {"returned": type(returned).__name__, "image": None, "history": None,
              "inputs_changed": not (torch.equal(kept[0], content) and torch.equal(kept[1], style)),
              "weights_changed": any(not torch.equal(w, p.detach())
                                     for w, p in zip(weights, model.parameters())),
              "extractor_calls": extractor.calls}
    if isinstance(returned, torch.Tensor):      # G alone: the test about history charges it
        returned = (returned, None)
    if not (isinstance(returned, tuple) and len(returned) == 2):
        return report
    image, history = returned
    if isinstance(image, torch.Tensor):
        report["image"] = image.detach().float().numpy()
        report["image_requires_grad"] = bool(image.requires_grad)
    if isinstance(history, dict):
        report["history"] = {str(k): [float(v) for v in values]
                             for k, values in history.items() if isinstance(values, (list, tuple))}
    return report


TOOLS = {"style_gradient_run": gradient_run, "style_extractor_run": extractor_run,
         "style_transfer_run": transfer_run}
