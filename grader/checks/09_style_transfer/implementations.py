"""Right and wrong implementations of 09_style_transfer's graded functions (the demo grades
DEMO; the test suite grades all of them: see grader.authoring.implementations).

Right ones are written the ways students (and other courses) write them: einsum, loops,
channels-last with a transpose (DeepLearning.AI's way), Gatys' 1/(4 N^2 M^2), MSE times a
factor, an nn.Module extractor, hooks kept in a context manager, detach() instead of
no_grad. Wrong ones make one slip each: the misconceptions the issue names among them.
"""

from grader.authoring.implementations import Implementation

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("layer_reshape_no_transpose", "total_alpha_beta_swapped", "extractor_keeps_hooks")


def _impl(student, description, cells, loses=None, **options):
    return Implementation(student, description, cells, loses or {}, **options)


def _one(name, body):
    """A cell defining only ``name`` (torch imported, as in the notebook)."""
    return "import torch\nimport torch.nn.functional as F\n\n" + body


# ------------------------------------------------------------------ the costs, right
_RIGHT_COSTS = [
    _impl("content_mse_times_half_n", "content cost as MSE times half the number of elements",
          {"content_cost": _one("content_cost", '''def content_cost(a_C, a_G):
    return F.mse_loss(a_G, a_C, reduction="mean") * a_G.numel() / 2
''')}),
    _impl("content_norm_squared", "content cost as half the squared norm",
          {"content_cost": _one("content_cost", '''def content_cost(a_C, a_G):
    return 0.5 * torch.linalg.vector_norm(a_C - a_G) ** 2
''')}),
    _impl("gram_einsum", "Gram matrix with einsum", {"gram_matrix": _one("gram_matrix", '''def gram_matrix(A):
    return torch.einsum("ij,kj->ik", A, A)
''')}),
    _impl("gram_loops", "Gram matrix with two loops over channels", {"gram_matrix": _one(
        "gram_matrix", '''def gram_matrix(A):
    n_C = A.shape[0]
    rows = []
    for k in range(n_C):
        rows.append(torch.stack([torch.dot(A[k], A[j]) for j in range(n_C)]))
    return torch.stack(rows)
''')}),
    _impl("layer_channels_last_transposed", "DeepLearning.AI's way: channels last, then "
          "reshape and transpose", {"style_layer_cost": _one("style_layer_cost", '''def style_layer_cost(a_S, a_G):
    m, n_C, n_H, n_W = a_G.shape
    S = a_S.permute(0, 2, 3, 1).reshape(n_H * n_W, n_C).T
    G = a_G.permute(0, 2, 3, 1).reshape(n_H * n_W, n_C).T
    return torch.sum((gram_matrix(S) - gram_matrix(G)) ** 2) / (4 * n_C ** 2 * (n_H * n_W) ** 2)
''')}),
    _impl("layer_einsum_inline", "style layer cost with its own einsum Gram matrices",
          {"style_layer_cost": _one("style_layer_cost", '''def style_layer_cost(a_S, a_G):
    _, c, h, w = a_G.shape
    g_s = torch.einsum("bchw,bdhw->cd", a_S, a_S)
    g_g = torch.einsum("bchw,bdhw->cd", a_G, a_G)
    return ((g_s - g_g) ** 2).sum() / (2 * c * h * w) ** 2
''')}),
    _impl("style_loop_skipping_zeros", "style cost in a loop that skips zero weights",
          {"style_cost": _one("style_cost", '''def style_cost(feats_S, feats_G, layer_weights):
    J = 0.0
    for i, weight in enumerate(layer_weights):
        if weight == 0:
            continue
        J = J + weight * style_layer_cost(feats_S[i], feats_G[i])
    return J
''')}),
    _impl("tv_diff", "total variation with torch.diff", {"total_variation": _one(
        "total_variation", '''def total_variation(img):
    return torch.diff(img, dim=-2).pow(2).sum() + torch.diff(img, dim=-1).pow(2).sum()
''')}),
    _impl("total_keywords", "total cost with keyword arithmetic", {"total_cost": _one(
        "total_cost", '''def total_cost(J_content, J_style, alpha=10, beta=40):
    J = alpha * J_content
    J = J + beta * J_style
    return J
''')}),
]

# ------------------------------------------------------------------ the costs, wrong
_WRONG_COSTS = [
    _impl("content_mse", "content cost as PyTorch's MSE (a mean)", {"content_cost": _one(
        "content_cost", '''def content_cost(a_C, a_G):
    return F.mse_loss(a_G, a_C)
''')}, {"test_content_cost": "not their mean"}),
    _impl("content_item", "content cost returned as a Python float", {"content_cost": _one(
        "content_cost", '''def content_cost(a_C, a_G):
    return 0.5 * ((a_C - a_G) ** 2).sum().item()
''')}, {"test_content_cost": "Python float"}, notes={"test_run_style_transfer": "content_cost"}),
    _impl("gram_transposed", "A^T A instead of A A^T", {"gram_matrix": _one("gram_matrix", '''def gram_matrix(A):
    return A.T @ A
''')}, {"test_gram_matrix": "one row and one column per channel"}),
    _impl("gram_centred", "a covariance (centred) instead of the Gram matrix", {"gram_matrix": _one(
        "gram_matrix", '''def gram_matrix(A):
    centred = A - A.mean(dim=1, keepdim=True)
    return centred @ centred.T
''')}, {"test_gram_matrix": "uncentred"}),
    _impl("layer_reshape_no_transpose", "activations unrolled to (n_H*n_W, n_C) and "
          "transposed: channels mixed with positions", {"style_layer_cost": _one(
              "style_layer_cost", '''def style_layer_cost(a_S, a_G):
    _, n_C, n_H, n_W = a_G.shape
    G_S = gram_matrix(a_S.reshape(n_H * n_W, n_C).T)
    G_G = gram_matrix(a_G.reshape(n_H * n_W, n_C).T)
    return ((G_S - G_G) ** 2).sum() / (2 * n_H * n_W * n_C) ** 2
''')}, {"test_style_layer_cost": "mixes channels with positions"}),
    _impl("layer_channels_last_no_transpose", "DeepLearning.AI's reshape without its "
          "transpose: channels mixed with positions", {"style_layer_cost": _one(
              "style_layer_cost", '''def style_layer_cost(a_S, a_G):
    _, n_C, n_H, n_W = a_G.shape
    S = a_S.permute(0, 2, 3, 1).reshape(n_C, n_H * n_W)
    G = a_G.permute(0, 2, 3, 1).reshape(n_C, n_H * n_W)
    return ((gram_matrix(S) - gram_matrix(G)) ** 2).sum() / (2 * n_H * n_W * n_C) ** 2
''')}, {"test_style_layer_cost": "mixes channels with positions"}),
    _impl("layer_pytorch_tutorial", "the PyTorch tutorial's normalisation (Gram / (n_C n_H "
          "n_W), then MSE)", {"style_layer_cost": _one("style_layer_cost", '''def style_layer_cost(a_S, a_G):
    a, b, c, d = a_G.shape
    G_S = gram_matrix(a_S.view(a * b, c * d)) / (a * b * c * d)
    G_G = gram_matrix(a_G.view(a * b, c * d)) / (a * b * c * d)
    return F.mse_loss(G_G, G_S)
''')}, {"test_style_layer_cost": "PyTorch tutorial"}),
    _impl("layer_normalised_twice", "Gram matrices divided by n_H n_W and the factor too",
          {"style_layer_cost": _one("style_layer_cost", '''def style_layer_cost(a_S, a_G):
    _, n_C, n_H, n_W = a_G.shape
    G_S = gram_matrix(a_S.reshape(n_C, -1)) / (n_H * n_W)
    G_G = gram_matrix(a_G.reshape(n_C, -1)) / (n_H * n_W)
    return ((G_S - G_G) ** 2).sum() / (2 * n_H * n_W * n_C) ** 2
''')}, {"test_style_layer_cost": "normalised twice"}),
    _impl("layer_not_normalised", "no factor 1/(2 n_H n_W n_C)^2", {"style_layer_cost": _one(
        "style_layer_cost", '''def style_layer_cost(a_S, a_G):
    _, n_C, n_H, n_W = a_G.shape
    return ((gram_matrix(a_S.reshape(n_C, -1)) - gram_matrix(a_G.reshape(n_C, -1))) ** 2).sum()
''')}, {"test_style_layer_cost": "factor 1/(2 n_H n_W n_C)^2 is missing"}),
    _impl("layer_slide_without_square", "the slide's second formula: differences not squared",
          {"style_layer_cost": _one("style_layer_cost", '''def style_layer_cost(a_S, a_G):
    _, n_C, n_H, n_W = a_G.shape
    diff = gram_matrix(a_S.reshape(n_C, -1)) - gram_matrix(a_G.reshape(n_C, -1))
    return diff.sum() / (2 * n_H * n_W * n_C) ** 2
''')}, {"test_style_layer_cost": "drops the square"}),
    _impl("style_unweighted", "style cost ignores the layer weights", {"style_cost": _one(
        "style_cost", '''def style_cost(feats_S, feats_G, layer_weights):
    return sum(style_layer_cost(s, g) for s, g in zip(feats_S, feats_G))
''')}, {"test_style_cost": "multiplied by its weight"}),
    _impl("tv_absolute", "total variation with absolute values", {"total_variation": _one(
        "total_variation", '''def total_variation(img):
    return (img[:, :, 1:, :] - img[:, :, :-1, :]).abs().sum() + \\
        (img[:, :, :, 1:] - img[:, :, :, :-1]).abs().sum()
''')}, {"test_total_variation": "not of absolute values"}),
    _impl("tv_roll", "total variation with torch.roll (wraps around)", {"total_variation": _one(
        "total_variation", '''def total_variation(img):
    return ((torch.roll(img, 1, 2) - img) ** 2).sum() + ((torch.roll(img, 1, 3) - img) ** 2).sum()
''')}, {"test_total_variation": "wraps around"}),
    _impl("total_alpha_beta_swapped", "alpha and beta swapped", {"total_cost": _one(
        "total_cost", '''def total_cost(J_content, J_style, alpha=10, beta=40):
    return beta * J_content + alpha * J_style
''')}, {"test_total_cost": "alpha weighs the content cost"},
          notes={"test_run_style_transfer": "total_cost"}),
    _impl("total_defaults_swapped", "default alpha=40, beta=10", {"total_cost": _one(
        "total_cost", '''def total_cost(J_content, J_style, alpha=40, beta=10):
    return alpha * J_content + beta * J_style
''')}, {"test_total_cost": "defaults are alpha=10 and beta=40"}),
]

# ------------------------------------------------------------------ FeatureExtractor
_EXTRACTOR_MODULE = '''import torch
from torch import nn


class _Done(Exception):
    pass


class FeatureExtractor(nn.Module):
    def __init__(self, model, layers):
        super().__init__()
        self.model = model.eval()
        for p in self.model.parameters():
            p.requires_grad = False
        self.names = list(layers)

    def forward(self, x):
        named = dict(self.model.named_modules())
        out = {}
        def keep(name):
            def hook(module, args, output):
                out[name] = output
                if set(out) == set(self.names):
                    raise _Done()
            return hook
        handles = [named[n].register_forward_hook(keep(n)) for n in self.names]
        try:
            self.model(x)
        except _Done:
            pass
        finally:
            for h in handles:
                h.remove()
        return [out[n] for n in self.names]
'''
_EXTRACTOR_CONTEXT = '''import contextlib
import torch


class StopForward(Exception):
    pass


class FeatureExtractor:
    def __init__(self, model, layers):
        model.requires_grad_(False)
        model.eval()
        self.model, self.layers = model, layers
        self.lookup = {name: module for name, module in model.named_modules()}

    @contextlib.contextmanager
    def _hooks(self, store):
        last = self.layers[-1]
        handles = []
        for name in self.layers:
            def hook(module, inputs, output, name=name):
                store[name] = output
                if len(store) == len(set(self.layers)):
                    raise StopForward
            handles.append(self.lookup[name].register_forward_hook(hook))
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()

    def __call__(self, x):
        store = {}
        with self._hooks(store):
            try:
                self.model(x)
            except StopForward:
                pass
        return [store[name] for name in self.layers]
'''


_EXTRACTOR_HOOKS_KEPT = '''import torch


class _Enough(Exception):
    pass


class FeatureExtractor:
    def __init__(self, model, layers):
        self.model = model.eval().requires_grad_(False)
        self.layers = list(layers)
        self.found = {}
        modules = dict(model.named_modules())
        for name in self.layers:
            modules[name].register_forward_hook(self._keeper(name))

    def _keeper(self, name):
        def hook(module, inputs, output):
            self.found[name] = output
            if len(self.found) == len(set(self.layers)):
                raise _Enough
        return hook

    def __call__(self, x):
        self.found = {}
        try:
            self.model(x)
        except _Enough:
            pass
        return [self.found[name] for name in self.layers]
'''


def _extractor(change):
    """The nn.Module extractor with one line changed (``change``: (old, new))."""
    old, new = change
    assert old in _EXTRACTOR_MODULE, old
    return {"FeatureExtractor": _EXTRACTOR_MODULE.replace(old, new)}


_EXTRACTORS = [
    _impl("extractor_module", "an nn.Module whose forward registers and removes the hooks",
          {"FeatureExtractor": _EXTRACTOR_MODULE}),
    _impl("extractor_context_manager", "hooks kept in a context manager",
          {"FeatureExtractor": _EXTRACTOR_CONTEXT}),
    _impl("extractor_records_inputs", "records the layers' inputs",
          _extractor(("out[name] = output", "out[name] = args[0]")),
          {"test_feature_extractor": "the layers' inputs"}),
    _impl("extractor_network_order", "activations in the order the network computes them",
          _extractor(("return [out[n] for n in self.names]", "return list(out.values())")),
          {"test_feature_extractor": "in the order the network computes them"}),
    _impl("extractor_keeps_hooks", "hooks registered once, in __init__, never removed",
          {"FeatureExtractor": _EXTRACTOR_HOOKS_KEPT}, {"test_feature_extractor": "still registered"}),
    _impl("extractor_runs_everything", "the whole network runs every time",
          _extractor(("                    raise _Done()", "                    pass")),
          {"test_feature_extractor": "kept running after the last"}),
    _impl("extractor_not_frozen", "the network's weights left trainable",
          _extractor(("            p.requires_grad = False", "            pass")),
          {"test_feature_extractor": "still require gradients"}),
    _impl("extractor_no_grad", "activations computed under torch.no_grad()",
          _extractor(("            self.model(x)", "            with torch.no_grad():\n"
                      "                self.model(x)")),
          {"test_feature_extractor": "do not carry gradients"}),
]

# ------------------------------------------------------------------ run_style_transfer
_RUN = '''import torch


def run_style_transfer(extractor, content, style, content_index, style_weights,
                       alpha=10, beta=40, tv_weight=0.0, steps=200, lr=0.02,
                       init="content", seed=0):
    a_C = extractor(content)[content_index].detach()
    targets = [a.detach() for a in extractor(style)]
    if init == "noise":
        torch.manual_seed(seed)
        G = torch.rand_like(content)
    else:
        G = content.clone()
    G.requires_grad = True
    opt = torch.optim.Adam([G], lr=lr)
    history = {"content": [], "style": [], "total": []}
    for step in range(steps):
        feats = extractor(G)
        Jc = content_cost(a_C, feats[content_index])
        Js = style_cost(targets, feats, style_weights)
        J = total_cost(Jc, Js, alpha=alpha, beta=beta)
        if tv_weight:
            J = J + tv_weight * total_variation(G)
        opt.zero_grad()
        J.backward()
        opt.step()
        G.data.clamp_(0.0, 1.0)
        history["content"].append(Jc.item())
        history["style"].append(Js.item())
        history["total"].append(J.item())
    return G.detach(), history
'''


def _run(change):
    old, new = change
    assert old in _RUN, old
    return {"run_style_transfer": _RUN.replace(old, new)}


_RUNS = [
    _impl("run_detach_and_data_clamp", "targets detached, G clamped through .data",
          {"run_style_transfer": _RUN}),
    _impl("run_alpha_beta_swapped", "alpha and beta swapped in the call to total_cost",
          _run(("total_cost(Jc, Js, alpha=alpha, beta=beta)",
                "total_cost(Jc, Js, alpha=beta, beta=alpha)")),
          {"test_run_style_transfer": "alpha weighs the content cost"}),
    _impl("run_content_from_last_layer", "content compared at the extractor's last output",
          _run(("Jc = content_cost(a_C, feats[content_index])",
                "Jc = content_cost(extractor(content)[-1].detach(), feats[-1])")),
          {"test_run_style_transfer": "output content_index"}),
    _impl("run_targets_not_detached", "targets keep their graph",
          _run(("a_C = extractor(content)[content_index].detach()\n"
                "    targets = [a.detach() for a in extractor(style)]",
                "a_C = extractor(content)[content_index]\n"
                "    targets = extractor(style)")),
          {"test_run_style_transfer": "compute them once"}),
    _impl("run_optimises_the_network", "Adam over the network's weights",
          _run(("opt = torch.optim.Adam([G], lr=lr)",
                "opt = torch.optim.Adam(list(extractor.model.parameters()) + [G], lr=lr)")),
          {"test_run_style_transfer": "never the network's parameters"}),
    _impl("run_returns_the_image_only", "returns G without its history",
          _run(("    return G.detach(), history", "    return G.detach()")),
          {"test_run_style_transfer": "must return a tuple (G, history)"},
          only={"test_run_style_transfer": ("From noise",)}),
    _impl("run_returns_the_content_image", "a cheat: the content image and a made-up "
          "falling history, no optimisation", {"run_style_transfer": '''import torch


def run_style_transfer(extractor, content, style, content_index, style_weights,
                       alpha=10, beta=40, tv_weight=0.0, steps=200, lr=0.02,
                       init="content", seed=0):
    fake = [1.0 / (step + 1) for step in range(steps)]
    return content.clone(), {"content": fake, "style": fake, "total": fake}
'''}, {"test_run_style_transfer": "not being optimised"}),
    _impl("run_in_place_on_content", "G is the content tensor itself",
          _run(("        G = content.clone()", "        G = content")),
          {"test_run_style_transfer": "start G from a copy"}),
]

IMPLEMENTATIONS = _RIGHT_COSTS + _WRONG_COSTS + _EXTRACTORS + _RUNS
