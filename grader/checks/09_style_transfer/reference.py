"""Reference solutions for 09_style_transfer: the specification the hidden checks use.

The solution notebook holds the same code (tests/grader/test_reference_is_the_solution.py).
The lecture's costs (deck 004, Gatys et al., arXiv:1508.06576); activations have PyTorch's
layout (1, n_C, n_H, n_W).
"""

import torch


def content_cost(a_C, a_G):
    """J_content(C, G) = 1/2 * ||a_C - a_G||^2, summed over every element. ``a_C``, ``a_G``:
    activations of the content layer, same shape (e.g. (1, n_C, n_H, n_W)); returns a
    0-dim tensor."""
    return 0.5 * ((a_C - a_G) ** 2).sum()


def gram_matrix(A):
    """The style matrix of unrolled activations ``A`` (n_C, n_H * n_W), one row per
    channel: (n_C, n_C), entry (k, k') = sum over positions of A[k] * A[k']."""
    return A @ A.T


def style_layer_cost(a_S, a_G):
    """J_style^[l](S, G) = 1 / (2 n_H n_W n_C)^2 * sum over k, k' of (G(S) - G(G))^2, where G
    is the Gram matrix of the layer's activations unrolled to (n_C, n_H * n_W). ``a_S``,
    ``a_G``: (1, n_C, n_H, n_W), same shape; returns a 0-dim tensor."""
    _, n_C, n_H, n_W = a_G.shape
    G_S = gram_matrix(a_S.reshape(n_C, n_H * n_W))
    G_G = gram_matrix(a_G.reshape(n_C, n_H * n_W))
    return ((G_S - G_G) ** 2).sum() / (2 * n_H * n_W * n_C) ** 2


def style_cost(feats_S, feats_G, layer_weights):
    """J_style(S, G) = sum over l of lambda_l * J_style^[l]: ``feats_S``, ``feats_G`` are
    lists of activations (one per layer, same order), ``layer_weights`` the lambdas (a
    weight of 0 leaves that layer out)."""
    return sum(weight * style_layer_cost(a_S, a_G)
               for a_S, a_G, weight in zip(feats_S, feats_G, layer_weights))


def total_variation(img):
    """The sum of squared differences between vertically and between horizontally
    adjacent pixels of ``img`` (N, C, H, W), every channel: 0 for a constant image."""
    down = img[:, :, 1:, :] - img[:, :, :-1, :]
    right = img[:, :, :, 1:] - img[:, :, :, :-1]
    return (down ** 2).sum() + (right ** 2).sum()


def total_cost(J_content, J_style, alpha=10, beta=40):
    """J(G) = alpha * J_content(C, G) + beta * J_style(S, G)."""
    return alpha * J_content + beta * J_style


class _LastLayerReached(Exception):
    """Raised by a hook once every requested activation is recorded: the rest of the
    network does not run."""


class FeatureExtractor:
    """``FeatureExtractor(model, layers)(x)``: the activations (outputs) of the submodules
    of ``model`` named in ``layers`` (dotted names, as ``model.named_modules()`` gives
    them), as a list in the order of ``layers``.

    The model is put in eval mode with every parameter frozen (``requires_grad=False``):
    style transfer changes the image, never the network. The forward hooks exist only
    during a call (removed when it returns or raises), and the layers after the last
    requested one do not run.
    """

    def __init__(self, model, layers):
        modules = dict(model.named_modules())
        unknown = [name for name in layers if name not in modules]
        if unknown:
            raise KeyError(f"no submodule named {unknown} in the model")
        self.model = model.eval().requires_grad_(False)
        self.layers = list(layers)
        self.modules = [modules[name] for name in self.layers]

    def __call__(self, x):
        recorded = {}
        wanted = len(set(self.layers))

        def record(name):
            def hook(module, inputs, output):
                recorded[name] = output
                if len(recorded) == wanted:
                    raise _LastLayerReached
            return hook

        handles = [module.register_forward_hook(record(name))
                   for name, module in zip(self.layers, self.modules)]
        try:
            self.model(x)
        except _LastLayerReached:
            pass
        finally:
            for handle in handles:
                handle.remove()
        return [recorded[name] for name in self.layers]


def run_style_transfer(extractor, content, style, content_index, style_weights,
                       alpha=10, beta=40, tv_weight=0.0, steps=200, lr=0.02,
                       init="content", seed=0):
    """Gatys' method: optimise the pixels of G with Adam (learning rate ``lr``, ``steps``
    steps) to lower alpha * J_content + beta * J_style (+ ``tv_weight`` * total
    variation), keeping G in [0, 1].

    ``extractor(x)`` returns a list of activations; output ``content_index`` is the
    content layer and ``style_weights[i]`` is lambda for output i (0: not a style layer).
    ``content``, ``style``: (1, 3, H, W) images in [0, 1], left unchanged; the targets
    (their activations) are computed once, without gradients. G starts as a copy of the
    content image (``init="content"``) or as uniform noise from ``seed`` (``"noise"``).

    Returns ``(G, history)``: G (1, 3, H, W) in [0, 1], detached; history a dict of lists
    with one float per step: "content", "style", "total" (the costs before that step).
    """
    with torch.no_grad():
        a_C = extractor(content)[content_index]
        feats_S = extractor(style)
    if init == "content":
        G = content.detach().clone()
    elif init == "noise":
        G = torch.rand(content.shape, generator=torch.Generator().manual_seed(seed))
    else:
        raise ValueError(f'init must be "content" or "noise", not {init!r}')
    G.requires_grad_(True)
    optimizer = torch.optim.Adam([G], lr=lr)
    history = {"content": [], "style": [], "total": []}
    for _ in range(steps):
        optimizer.zero_grad()
        feats_G = extractor(G)
        J_content = content_cost(a_C, feats_G[content_index])
        J_style = style_cost(feats_S, feats_G, style_weights)
        J = total_cost(J_content, J_style, alpha, beta) + tv_weight * total_variation(G)
        J.backward()
        optimizer.step()
        with torch.no_grad():
            G.clamp_(0, 1)
        for key, value in (("content", J_content), ("style", J_style), ("total", J)):
            history[key].append(float(value.detach()))
    return G.detach(), history
