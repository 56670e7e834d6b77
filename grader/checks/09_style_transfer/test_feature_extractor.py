"""FeatureExtractor(model, layers)(x): the requested layers' outputs, in the order asked,
through forward hooks that live only during a call; nothing after the last requested layer
runs; the network's weights frozen (gradients still reach the image)."""

import numpy as np

from grader.checking import fail, load_reference, note, points
from gradeworker.tools import style_models as sm

runs = load_reference(__file__, "runs")

IN_ORDER = ["stem.1", "block1.3", "block2.1"]
ASKED_OUT_OF_ORDER = ["block2.3", "stem.1", "block1.1"]
SEED = 5


def _report(student, layers):
    return runs.tool(student, "style_extractor_run", "FeatureExtractor", layers=layers,
                     seed=SEED)


def _trusted(layers, inputs=False):
    model = sm.TinyNet(SEED)
    x = sm.images(SEED + 1, 24, 1)[0]
    return [a.detach().numpy() for a in sm.activations(model, x, layers, inputs=inputs)]


def _same_list(got, wanted):
    return got is not None and len(got) == len(wanted) and all(
        np.asarray(g).shape == w.shape and np.allclose(g, w, rtol=1e-5, atol=1e-6)
        for g, w in zip(got, wanted))


def _judge_outputs(report, layers):
    asked = f"layers {layers}"
    if report["outputs"] is None:
        kind = report["kind"]
        fail(f"For {asked}, calling the extractor returned a {kind}: it must return a list "
             "of tensors, one per requested layer, in the order of `layers`.")
    got = report["outputs"]
    if _same_list(got, _trusted(layers)):
        return
    if _same_list(got, _trusted(sorted(layers, key=sm.RELUS.index))):
        fail(f"For {asked}: the activations come in the order the network computes them; "
             "return them in the order of `layers`.")
    if _same_list(got, _trusted(layers, inputs=True)):
        fail(f"For {asked}: these are the layers' inputs; record their outputs (the hook's "
             "third argument, `output`).")
    if len(got) != len(layers):
        fail(f"For {asked}: {len(got)} activations came back; one per requested layer.")
    fail(f"For {asked}: the activations are not the requested layers' outputs.")


@points(2)
def test_returns_the_requested_activations_in_order(student):
    """Layers asked in the network's order and in another order; nested (dotted) names.

    A list with the output of each requested layer, in the order of `layers`.
    """
    _judge_outputs(_report(student, IN_ORDER), IN_ORDER)
    _judge_outputs(_report(student, ASKED_OUT_OF_ORDER), ASKED_OUT_OF_ORDER)


@points(1)
def test_removes_its_hooks(student):
    """No hook is left on the network after a call; a second call gives the same result.
    """
    report = _report(student, IN_ORDER)
    if report["hooks_after_call"]:
        fail(f"{report['hooks_after_call']} hook(s) are still registered on the network after "
             "the extractor returned: remove each hook (handle.remove()) when the call ends, "
             "also when it ends with an exception (try/finally).")
    first, second = report["outputs"], report["second_call"]
    if first is not None and not _same_list(second, first):
        fail("A second call gave other activations than the first on the same image "
             "(hooks piling up, or results kept from the first call).")


@points(1)
def test_stops_after_the_last_requested_layer(student):
    """The layers after the last requested one do not run (the work would be wasted)."""
    layers = ["block1.1", "stem.1"]
    report = _report(student, layers)
    last = max(sm.LAYERS.index(name) for name in layers)
    later = [name for name in report["ran"] if sm.LAYERS.index(name) > last]
    if later:
        fail(f"For layers {layers}, the network kept running after the last of them "
             f"({len(later)} later layer(s) ran): stop the forward pass once every requested "
             "activation is recorded, e.g. raise your own exception in the last hook and catch "
             "it around the model call.")


@points(1)
def test_freezes_the_network_and_lets_gradients_reach_the_image(student):
    """After a call every parameter has requires_grad=False and the network is in eval
    mode; the weights do not change; the activations still depend on the image."""
    report = _report(student, IN_ORDER)
    if not report["frozen"]:
        fail("After using FeatureExtractor(model, layers), some of the network's parameters still "
             "require gradients: freeze them (model.requires_grad_(False)); style transfer "
             "changes the image, never the network.")
    if report["weights_changed"]:
        fail("Calling the extractor changed the network's weights.")
    if not report["grad_flows"]:
        fail("The activations do not carry gradients back to the image (no torch.no_grad() "
             "or .detach() inside the extractor): run_style_transfer needs them.")
    if not report["eval"]:
        note("The network is still in training mode: call model.eval() (batch norm and "
             "dropout must behave as at test time).")
