"""run_style_transfer(extractor, content, style, content_index, style_weights, alpha, beta,
tv_weight, steps, lr, init, seed) -> (G, history), on a tiny network built by the checks."""

import numpy as np

from grader.checking import CheckFailed, fail, load_reference, points
from grader.errors import StudentCodeError

transfers = load_reference(__file__, "transfers")
wrong = load_reference(__file__, "misconceptions")

STEPS = 40
# On the tiny network the lecture's style cost is ~1e5 times smaller than the content cost:
# beta / alpha = 2e5 makes both count (then neither the content nor the style image alone
# scores below 0.8 x a noise image's total; the reference reaches 0.35 x in 40 steps).
ALPHA, BETA = 1.0, 2e5
FROM_NOISE = {"alpha": ALPHA, "beta": BETA, "steps": STEPS, "lr": 0.05, "init": "noise",
              "seed": 3}
LOWER_BY = 0.6
HISTORY = ("content", "style", "total")   # the lists history must hold


TUPLE = ("run_style_transfer must return a tuple (G, history): G the generated image, a "
         "(1, 3, H, W) tensor, and history a dict of per-step costs.")


def _image(report):
    if report["image"] is None:
        fail(TUPLE)
    image = report["image"]
    if image.shape != (1, 3, transfers.SIZE, transfers.SIZE):
        fail(f"G has shape {image.shape}; it must have the content image's shape.")
    if not np.all(np.isfinite(image)):
        fail("G contains NaN or infinity.")
    if image.min() < -1e-6 or image.max() > 1 + 1e-6:
        fail("G leaves [0, 1]: clamp it after each optimiser step (inside torch.no_grad()).")
    return image


def _lowers(report):
    image = _image(report)
    start = transfers.noise_costs(ALPHA, BETA)[2]
    end = transfers.costs(image, ALPHA, BETA)[2]
    if end > LOWER_BY * start and not transfers.matched_elsewhere(image):
        fail(f"After {STEPS} steps from noise, the total cost of G is still above "
             f"{LOWER_BY} x that of a noise image: G's pixels are not being optimised (Adam "
             "on G, lr, zero_grad, backward, step).")
    if report["returned"] != "tuple":
        fail(TUPLE)
    history = report["history"]
    if history is None or any(len(history.get(key, ())) != STEPS for key in HISTORY):
        fail(f"history must be a dict with the lists {', '.join(map(repr, HISTORY))}, one float "
             "per step.")
    if not history["total"][-1] < history["total"][0]:
        fail("history['total'] does not go down from the first step to the last.")


@points(2)
def test_lowers_the_total_cost(student):
    """From noise, 40 Adam steps lower the total cost well below a noise image's; G keeps
    the content image's shape and stays in [0, 1]; the history has one cost per step."""
    try:
        transfers.judged(student, _lowers, FROM_NOISE)
    except CheckFailed as failure:
        # alpha and beta exchanged inside the function are charged by the test about them:
        # called with them exchanged, such a run lowers the cost
        exchanged = {**FROM_NOISE, "alpha": BETA, "beta": ALPHA}
        try:
            transfers.judged(student, _lowers, exchanged)
        except (CheckFailed, StudentCodeError):
            raise failure from None


def _balance(alpha, beta):
    def judge(report):
        image = _image(report)
        J_c, J_s, _ = transfers.costs(image)
        start_c, start_s, _ = transfers.noise_costs()
        if beta == 0 and J_c > 0.3 * start_c:
            message = (wrong.SWAPPED if J_s < 0.3 * start_s else
                       "the content cost must compare the activations of output "
                       "content_index of the extractor (not the first or the last, nor a "
                       "style layer)")
            fail(f"With alpha=1, beta=0 the content cost of G hardly goes down: {message}.")
        if alpha == 0 and J_s > 0.3 * start_s:
            message = wrong.SWAPPED if J_c < 0.3 * start_c else (
                "the style cost must use every output i with its weight style_weights[i]")
            fail(f"With alpha=0, beta=1 the style cost of G hardly goes down: {message}.")
    return judge


@points(1)
def test_alpha_weighs_content_and_beta_style(student):
    """alpha=1, beta=0 matches the content (at output content_index); alpha=0, beta=1
    matches the style."""
    for alpha, beta in ((1, 0), (0, 1)):
        transfers.judged(student, _balance(alpha, beta), {**FROM_NOISE, "alpha": alpha, "beta": beta})


def _image_not_network(report):
    if report["weights_changed"]:
        fail("The network's weights changed: optimise the pixels of G (Adam over [G]), never "
             "the network's parameters.")
    _image(report)


@points(1)
def test_optimises_the_image_not_the_network(student):
    """With a network whose weights still require gradients, the weights stay as they were
    and the targets (activations of C and S) are computed once, without gradients."""
    try:
        transfers.judged(student, _image_not_network, FROM_NOISE, frozen=False)
    except StudentCodeError as error:
        if "backward through the graph a second time" in error.message:
            fail("The targets (the activations of the content and style images) keep a graph "
                 "that the first backward pass frees: compute them once, under "
                 "torch.no_grad() (or .detach() them).")
        raise


def _inputs_alone(report):
    if report["inputs_changed"]:
        fail("The content or the style image changed: start G from a copy "
             "(content.clone()), never optimise the content tensor itself.")
    _image(report)
    if report.get("image_requires_grad"):
        fail("Return G detached (G.detach()): it is a result, not part of a graph.")


@points(1)
def test_leaves_content_and_style_unchanged(student):
    """Started from the content image: the content and style tensors are unchanged and G
    comes back detached."""
    transfers.judged(student, _inputs_alone, {**FROM_NOISE, "init": "content", "steps": 10})
