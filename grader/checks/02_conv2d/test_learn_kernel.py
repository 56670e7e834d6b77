"""Hidden checks for learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False).

Plain gradient descent from K = 0 on L = mean (corr2d(X, K) - Y)^2, with torch
autograd or a hand-derived gradient; no convolution ops (nn.Conv2d, F.conv2d,
unfold, scipy). The inputs are random images, on which a few hundred steps of
the right algorithm recover the kernel to many digits.
"""

import numpy as np

from grader.checking import BY_HAND_2D, expect, expect_value_error, fail, load_reference, points

GRADES = ("learn_kernel",)
TRUSTED_CALLEES = ("corr2d",)

ref = load_reference(__file__)
learn_mis = load_reference(__file__, "learn_kernel_misconceptions")

STEPS, LR = 200, 0.2
TOLERANCE = 1e-3
TIMEOUT = 60           # seconds: a version built on a loop corr2d is fine


def _learn(student, X, Y, shape, steps=STEPS, lr=LR, **kwargs):
    return student.call("learn_kernel", X, Y, shape, steps, lr, forbid=BY_HAND_2D,
                        timeout=TIMEOUT, **kwargs)


def _problem(rng, x_shape, kernel):
    X = rng.normal(size=x_shape)
    Y = np.stack([ref.corr2d(x, kernel) for x in X]) if X.ndim == 3 else ref.corr2d(X, kernel)
    return X, Y


def _diagnose(got, kernel, context):
    """Name the mistake for a wrong learned kernel (or pass)."""
    got = np.asarray(got, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if got.shape != kernel.shape:
        fail(f"For {context}, the returned kernel has shape {got.shape}; it must have "
             "shape kernel_shape.")
    if not np.all(np.isfinite(got)) or np.abs(got).max() > 1e3 * np.abs(kernel).max():
        fail(f"For {context}: {learn_mis.LEARN_DIVERGED}")
    error = np.abs(got - kernel).max()
    if error <= TOLERANCE:
        return
    for candidate, message in learn_mis.learn_kernel_candidates(kernel):
        if np.allclose(got, candidate, atol=TOLERANCE * 10):
            fail(f"For {context}: {message}")
    if error < 0.5 * np.abs(kernel).max():
        fail(f"For {context}: {learn_mis.LEARN_NOT_CONVERGED}")
    fail(f"For {context}, the learned kernel is not the kernel that produced Y.")


@points(2)
def test_recovers_edge_kernels(student):
    "Recovers a Sobel edge kernel and an asymmetric 3x3 kernel from one random image each."
    rng = np.random.default_rng(2601)
    sobel_x = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    for kernel, x_shape, what in [(sobel_x, (12, 11), "a Sobel kernel, one 12x11 image"),
                                  (rng.normal(size=(3, 3)), (10, 13), "a random 3x3 kernel")]:
        X, Y = _problem(rng, x_shape, kernel)
        _diagnose(_learn(student, X, Y, (3, 3)), kernel, f"{what} ({STEPS} steps, lr={LR})")


@points(2)
def test_non_square_kernels_and_batches(student):
    "Non-square kernels (1x2 difference, 2x3) learned from a batch of images (N, H, W)."
    rng = np.random.default_rng(2602)
    for kernel, x_shape in [(np.array([[1.0, -1.0]]), (3, 6, 8)),
                            (rng.normal(size=(2, 3)), (2, 9, 7)),
                            (rng.normal(size=(3, 1)), (1, 8, 5))]:
        X, Y = _problem(rng, x_shape, kernel)
        context = (f"a {kernel.shape[0]}x{kernel.shape[1]} kernel and X of shape {x_shape} "
                   f"({STEPS} steps, lr={LR})")
        _diagnose(_learn(student, X, Y, kernel.shape), kernel, context)


@points(1)
def test_loss_history(student):
    "return_losses=True gives (kernel, losses): one loss per step, falling towards zero."
    rng = np.random.default_rng(2603)
    kernel = np.array([[0.0, 1.0], [-1.0, 0.0]])
    X, Y = _problem(rng, (9, 10), kernel)
    result = _learn(student, X, Y, (2, 2), steps=120, return_losses=True)
    expect(isinstance(result, (tuple, list)) and len(result) == 2,
           "With return_losses=True, return a pair (kernel, losses).")
    learned, losses = result
    _diagnose(learned, kernel, "a 2x2 kernel with return_losses=True")
    losses = np.asarray(losses, dtype=np.float64)
    expect(losses.shape == (120,), f"losses must hold one value per step (steps=120); yours "
                                   f"has shape {losses.shape}.")
    expect(np.all(np.isfinite(losses)), "losses contains NaN or infinite values.")
    expected_first = float(np.mean(Y ** 2))        # the loss of the starting kernel K = 0
    expect(np.isclose(losses[0], expected_first, rtol=1e-6),
           "losses[0] must be the loss of the starting kernel K = 0, before the first update: "
           "the MEAN of the squared errors over all output pixels.")
    expect(losses[-1] < 1e-6 * losses[0], "the loss did not fall towards zero.")


@points(1)
def test_errors(student):
    "Y whose shape does not match X and kernel_shape raises ValueError."
    rng = np.random.default_rng(2604)
    X = rng.normal(size=(8, 7))
    for y_shape, shape in [((6, 5), (2, 2)), ((5, 5), (3, 3)), ((2, 6, 5), (3, 3))]:
        Y = rng.normal(size=y_shape)
        expect_value_error(lambda: _learn(student, X, Y, shape, steps=3),
                           f"X of shape {X.shape}, Y of shape {y_shape}, kernel_shape={shape}")
