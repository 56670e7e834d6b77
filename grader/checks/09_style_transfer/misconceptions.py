"""Wrong versions of 09's cost functions and the messages that name each mistake (trusted
side). Each ``*_MISTAKES`` is a list of ``(function, message)``; messages never contain
values."""

import torch

from grader.checking import load_reference

ref = load_reference(__file__)

# ------------------------------------------------------------------ content_cost
CONTENT_MISTAKES = [
    (lambda a_C, a_G: ((a_C - a_G) ** 2).mean() / 2,
     "the content cost is a sum over every element, not a mean (that is PyTorch's MSE)"),
    (lambda a_C, a_G: ((a_C - a_G) ** 2).mean(),
     "the content cost is 1/2 times the sum of the squared differences, not their mean "
     "(PyTorch's MSE)"),
    (lambda a_C, a_G: ((a_C - a_G) ** 2).sum(),
     "the factor 1/2 of J_content = 1/2 ||a(C) - a(G)||^2 is missing"),
    (lambda a_C, a_G: 0.5 * torch.linalg.vector_norm(a_C - a_G),
     "||a(C) - a(G)||^2 is the squared norm: square the norm (or sum the squares)"),
    (lambda a_C, a_G: 0.5 * (a_C - a_G).abs().sum(),
     "the differences must be squared, not taken in absolute value"),
]

# ------------------------------------------------------------------ gram_matrix
TRANSPOSED = ("the Gram matrix of A (n_C, n_H*n_W) is A A^T, one row and one column per "
              "channel (n_C x n_C); A^T A compares positions instead of channels")
GRAM_MISTAKES = [
    (lambda A: A.T @ A, TRANSPOSED),
    (lambda A: A @ A.T / A.shape[1],
     "the Gram matrix is not normalised here: the factor 1/(2 n_H n_W n_C)^2 belongs to "
     "style_layer_cost"),
    (lambda A: A @ A.T / (A.shape[0] * A.shape[1]),
     "the Gram matrix is not normalised here: the factor 1/(2 n_H n_W n_C)^2 belongs to "
     "style_layer_cost"),
    (lambda A: (A - A.mean(dim=1, keepdim=True)) @ (A - A.mean(dim=1, keepdim=True)).T,
     "the style matrix is uncentred: sum a_k a_k' over positions without subtracting the "
     "mean (that would be a covariance)"),
    (lambda A: A * A,
     "the Gram matrix is a matrix product (A @ A.T), not an elementwise product"),
]


# ------------------------------------------------------------------ style_layer_cost
def _layer_cost(a_S, a_G, unroll, factor=lambda c, h, w: (2 * h * w * c) ** 2,
                reduce=lambda d: (d ** 2).sum()):
    _, c, h, w = a_G.shape
    return reduce(ref.gram_matrix(unroll(a_S, c, h, w)) - ref.gram_matrix(unroll(a_G, c, h, w))) \
        / factor(c, h, w)


def _right(a, c, h, w):
    return a.reshape(c, h * w)


def _positions_first(a, c, h, w):
    return a.reshape(h * w, c).T


def _channels_last_no_transpose(a, c, h, w):
    return a.permute(0, 2, 3, 1).reshape(c, h * w)


MIXED = ("the unrolling mixes channels with positions: row k of the (n_C, n_H*n_W) matrix "
         "must hold channel k at every position — a.reshape(n_C, n_H * n_W) of a "
         "(1, n_C, n_H, n_W) activation (reshaping to (n_H*n_W, n_C), or a channels-last "
         "reshape without a transpose, scrambles them)")
NOT_NORMALISED = "the factor 1/(2 n_H n_W n_C)^2 is missing"
TWICE = ("the cost is normalised twice: the Gram matrices are not divided by anything; only "
         "the cost gets the factor 1/(2 n_H n_W n_C)^2")
LAYER_MISTAKES = [
    (lambda s, g: _layer_cost(s, g, _positions_first), MIXED),
    (lambda s, g: _layer_cost(s, g, _channels_last_no_transpose), MIXED),
    (lambda s, g: _layer_cost(s, g, _right, factor=lambda c, h, w: 1.0), NOT_NORMALISED),
    (lambda s, g: _layer_cost(s, g, _right, factor=lambda c, h, w: (2 * h * w * c) ** 2
                              * (h * w) ** 2), TWICE),
    (lambda s, g: _layer_cost(s, g, _right, factor=lambda c, h, w: (2 * h * w * c) ** 2
                              * (h * w * c) ** 2), TWICE),
    (lambda s, g: _layer_cost(s, g, _right, factor=lambda c, h, w: 2 * h * w * c),
     "the factor is 1/(2 n_H n_W n_C)^2: the denominator is squared"),
    (lambda s, g: _layer_cost(s, g, _right, factor=lambda c, h, w: 2 * (h * w * c) ** 2),
     "the factor is 1/(2 n_H n_W n_C)^2 = 1/(4 n_H^2 n_W^2 n_C^2): the 2 is squared too"),
    (lambda s, g: _layer_cost(s, g, _right, reduce=lambda d: d.sum()),
     "square the differences of the Gram matrices before summing (the slide's second "
     "formula drops the square that its first one, ||G(S) - G(G)||^2, has)"),
    (lambda s, g: _layer_cost(s, g, _right, reduce=lambda d: (d ** 2).mean()),
     "sum the squared differences over k and k' (a mean divides once more by n_C^2)"),
    (lambda s, g: _layer_cost(s, g, _right, factor=lambda c, h, w: (h * w * c) ** 2,
                              reduce=lambda d: (d ** 2).mean()),
     "that is the PyTorch tutorial's normalisation (Gram matrices divided by n_C n_H n_W, "
     "then a mean of the squared differences): the lecture's cost is the sum of the "
     "squared differences times 1/(2 n_H n_W n_C)^2"),
]

# ------------------------------------------------------------------ style_cost
STYLE_MISTAKES = [
    (lambda f_S, f_G, w: sum(ref.style_layer_cost(s, g) for s, g in zip(f_S, f_G)),
     "each layer's cost is multiplied by its weight lambda_l (a weight of 0 leaves the layer "
     "out)"),
    (lambda f_S, f_G, w: sum(lam * ref.style_layer_cost(s, g) for s, g, lam in zip(f_S, f_G, w))
     / len(w), "J_style is the weighted sum over the layers, not divided by their number"),
    (lambda f_S, f_G, w: sum(lam * ref.style_layer_cost(s, g) for s, g, lam in zip(f_S, f_G, w))
     / sum(w), "J_style is sum_l lambda_l J_style^[l]: do not divide by the sum of the weights"),
]


# ------------------------------------------------------------------ total_variation
def _tv(img, power=2, down=True, right=True, mean=False):
    parts = []
    if down:
        parts.append((img[:, :, 1:, :] - img[:, :, :-1, :]).abs() ** power)
    if right:
        parts.append((img[:, :, :, 1:] - img[:, :, :, :-1]).abs() ** power)
    return sum(p.mean() if mean else p.sum() for p in parts)


TV_MISTAKES = [
    (lambda x: _tv(x, power=1), "square the differences of neighbouring pixels (this course's "
     "total variation is the sum of squares, not of absolute values)"),
    (lambda x: _tv(x, right=False), "only vertical neighbours are compared: add the "
     "differences between horizontal neighbours"),
    (lambda x: _tv(x, down=False), "only horizontal neighbours are compared: add the "
     "differences between vertical neighbours"),
    (lambda x: _tv(x, mean=True), "sum the squared differences, do not average them"),
    (lambda x: ((torch.roll(x, 1, 2) - x) ** 2).sum() + ((torch.roll(x, 1, 3) - x) ** 2).sum(),
     "torch.roll wraps around: the last row (column) is compared with the first one; "
     "compare only neighbours inside the image"),
]

# ------------------------------------------------------------------ total_cost
SWAPPED = ("alpha weighs the content cost and beta the style cost: J = alpha J_content + "
           "beta J_style")
TOTAL_MISTAKES = [
    (lambda J_c, J_s, alpha=10, beta=40: beta * J_c + alpha * J_s, SWAPPED),
    (lambda J_c, J_s, alpha=10, beta=40: alpha * (J_c + J_s),
     "beta multiplies the style cost: J = alpha J_content + beta J_style"),
]
