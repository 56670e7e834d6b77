"""Trusted side of 09's run_style_transfer checks: run the student's function through the
worker's tool, score the image it returns with the reference costs on the same network,
and re-run with the tool's own cost functions when one of the student's is wrong (so a wrong
cost is charged in its own part only)."""

import functools

import numpy as np
import torch

from grader.checking import CheckFailed, attempt, load_reference, note, same
from grader.errors import StudentCodeError
from gradeworker.tools import style_models as sm

ref = load_reference(__file__)
cases = load_reference(__file__, "cases")
runs = load_reference(__file__, "runs")

# the content layer (stem.1) is neither first nor last, and shallower than the others:
# matching any other output leaves its content cost high (measured: 1.05 x noise's, the
# reference 0.03 x)
LAYERS = ["block1.3", "stem.1", "block2.1", "block2.3"]
CONTENT_INDEX = 1
STYLE_WEIGHTS = [0.4, 0.0, 0.3, 0.3]
SEED, SIZE = 4, 24
COST_PARTS = ("content_cost", "gram_matrix", "style_layer_cost", "style_cost",
              "total_variation", "total_cost")


def costs(image, alpha=10, beta=40):
    """(J_content, J_style, J) of ``image`` (numpy (1, 3, H, W)) with the reference."""
    model = sm.TinyNet(SEED).eval().requires_grad_(False)
    content, style = sm.images(SEED + 7, SIZE)
    G = torch.as_tensor(np.asarray(image), dtype=torch.float32)
    feats_G = sm.activations(model, G, LAYERS)
    J_c = ref.content_cost(sm.activations(model, content, LAYERS)[CONTENT_INDEX],
                           feats_G[CONTENT_INDEX])
    J_s = ref.style_cost(sm.activations(model, style, LAYERS), feats_G, STYLE_WEIGHTS)
    return float(J_c), float(J_s), float(ref.total_cost(J_c, J_s, alpha, beta))


def matched_elsewhere(image):
    """Whether G matches the content image at another output but not at CONTENT_INDEX (its
    content cost below 0.3 x a noise image's there only): a wrong content layer, which the
    test about alpha and beta charges."""
    model = sm.TinyNet(SEED).eval().requires_grad_(False)
    content = sm.images(SEED + 7, SIZE)[0]
    noise = torch.rand((1, 3, SIZE, SIZE), generator=torch.Generator().manual_seed(99))
    G = torch.as_tensor(np.asarray(image), dtype=torch.float32)
    targets = sm.activations(model, content, LAYERS)
    at_G, at_noise = sm.activations(model, G, LAYERS), sm.activations(model, noise, LAYERS)
    matched = [float(ref.content_cost(targets[i], at_G[i]))
               < 0.3 * float(ref.content_cost(targets[i], at_noise[i])) for i in range(len(LAYERS))]
    return not matched[CONTENT_INDEX] and any(matched)


@functools.lru_cache(maxsize=None)
def noise_costs(alpha=10, beta=40, draws=4):
    """The smallest costs of a few uniform-noise images: where a run from noise starts."""
    generator = torch.Generator().manual_seed(99)
    found = [costs(torch.rand((1, 3, SIZE, SIZE), generator=generator).numpy(), alpha, beta)
             for _ in range(draws)]
    return tuple(min(values) for values in zip(*found))


def run(student, options, frozen=True, trusted_costs=False):
    return runs.tool(student, "style_transfer_run", "run_style_transfer", layers=LAYERS,
                     content_index=CONTENT_INDEX, style_weights=STYLE_WEIGHTS,
                     options=options, seed=SEED, size=SIZE, frozen=frozen,
                     trusted_costs=trusted_costs)


def wrong_costs(student):
    """The student's cost functions that are wrong on one small case each."""
    rng = np.random.default_rng(961)
    a, b = cases.activation(rng, 3, 4, 5), cases.activation(rng, 3, 4, 5)
    image = torch.from_numpy(rng.random((1, 3, 4, 5)))
    probes = {"content_cost": ((a, b), ref.content_cost),
              "gram_matrix": ((a[0].reshape(3, 20),), ref.gram_matrix),
              "style_layer_cost": ((a, b), ref.style_layer_cost),
              "style_cost": (([a, a], [b, b], [0.7, 0.2]), ref.style_cost),
              "total_variation": ((image,), ref.total_variation),
              "total_cost": ((torch.tensor(2.0), torch.tensor(3.0), 1.5, 2.5), ref.total_cost)}
    found = []
    for name, (args, reference) in probes.items():
        got = attempt(lambda: student.call(name, *args))
        not_a_tensor = name != "total_cost" and not isinstance(got, np.ndarray)
        if hasattr(got, "error") or not_a_tensor or not same(
                cases.scalar(got) if name != "gram_matrix" else got,
                cases.numpy_of(reference(*args))):
            found.append(name)
    return found


def judged(student, judge, options, frozen=True):
    """``judge(report)`` raises CheckFailed on a wrong run. A run that fails while one of
    the student's cost functions is wrong is judged again with the tool's own costs; if it
    passes then, the test passes with a note naming the wrong function."""
    try:
        judge(run(student, options, frozen))
        return
    except (CheckFailed, StudentCodeError) as first:
        failure = first
    broken = wrong_costs(student)
    if not broken:
        raise failure
    try:
        judge(run(student, options, frozen, trusted_costs=True))
    except (CheckFailed, StudentCodeError):
        raise failure from None
    note(f"run_style_transfer is right, but it calls your {', '.join(broken)}, which "
         f"{'is' if len(broken) == 1 else 'are'} wrong: fix {'it' if len(broken) == 1 else 'them'} "
         "(charged in its own part).")

