"""Right and wrong implementations of 02_conv2d's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations)."""

from grader.authoring.implementations import Implementation

# A right corr2d_multi_in_out that does not call corr2d_multi_in, for samples that break
# corr2d_multi_in alone (each sample should lose points on its own part only).
_MULTI_IN_OUT_DIRECT = '''import numpy as np

def corr2d_multi_in_out(X, K, b=None):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if X.ndim != 3 or K.ndim != 4:
        raise ValueError("expected X (C_in, H, W) and K (C_out, C_in, KH, KW)")
    b = np.zeros(K.shape[0]) if b is None else np.asarray(b, dtype=np.float64)
    if b.shape != (K.shape[0],):
        raise ValueError("b must have one value per output channel")
    if X.shape[0] != K.shape[1]:
        raise ValueError("channel mismatch")
    maps = [sum(corr2d(x, k) for x, k in zip(X, kernel)) for kernel in K]
    return np.stack(maps) + b[:, None, None]
'''

_IM2COL_HEAD = '''import numpy as np

def conv2d_im2col(X, K, b=None):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    unbatched = X.ndim == 3
    if unbatched:
        X = X[None]
    if X.ndim != 4 or K.ndim != 4 or X.shape[1] != K.shape[1]:
        raise ValueError("bad shapes")
    n, c, h, w = X.shape
    c_out, _, kh, kw = K.shape
    if kh > h or kw > w:
        raise ValueError("kernel does not fit")
    b = np.zeros(c_out) if b is None else np.asarray(b, dtype=np.float64)
    if b.shape != (c_out,):
        raise ValueError("bad bias")
'''

IMPLEMENTATIONS = [
    Implementation("flipped_kernel", "corr2d flips the kernel (computes a convolution); "
            "corr2d_multi_in and corr2d_multi_in_out are right but call it",
            {"corr2d": '''import numpy as np

def corr2d(X, K):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)[::-1, ::-1]
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("bad shapes")
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = np.sum(X[i:i + kh, j:j + kw] * K)
    return Y
'''}, {"test_corr2d": "flipped the kernel"}),
    Implementation("channels_averaged", "corr2d_multi_in averages the channels instead of summing them",
            {"corr2d_multi_in": '''import numpy as np

def corr2d_multi_in(X, K):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if X.ndim != 3 or K.ndim != 3 or X.shape[0] != K.shape[0]:
        raise ValueError("bad shapes")
    return np.mean([corr2d(x, k) for x, k in zip(X, K)], axis=0)
''', "corr2d_multi_in_out": _MULTI_IN_OUT_DIRECT}, {"test_corr2d_multi_in": "averaged"}),
    Implementation("bias_per_input_channel", "corr2d_multi_in_out adds the bias inside the loop over C_in",
            {"corr2d_multi_in_out": '''import numpy as np

def corr2d_multi_in_out(X, K, b=None):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if X.ndim != 3 or K.ndim != 4 or X.shape[0] != K.shape[1]:
        raise ValueError("bad shapes")
    b = np.zeros(K.shape[0]) if b is None else np.asarray(b, dtype=np.float64)
    if b.shape != (K.shape[0],):
        raise ValueError("bad bias")
    out = []
    for o in range(K.shape[0]):
        total = 0
        for c in range(X.shape[0]):
            total = total + corr2d(X[c], K[o, c]) + b[o]
        out.append(total)
    return np.stack(out)
'''}, {"test_corr2d_multi_in_out": "once per input channel"}),
    Implementation("off_by_one", "conv2d_im2col computes H - KH outputs instead of H - KH + 1",
            {"conv2d_im2col": _IM2COL_HEAD + '''    h_out, w_out = h - kh, w - kw
    cols = np.empty((n, c, kh, kw, h_out, w_out))
    for a in range(kh):
        for b_ in range(kw):
            cols[:, :, a, b_] = X[:, :, a:a + h_out, b_:b_ + w_out]
    out = K.reshape(c_out, -1) @ cols.reshape(n, -1, h_out * w_out) + b[:, None]
    out = out.reshape(n, c_out, h_out, w_out)
    return out[0] if unbatched else out
'''}, {"test_conv2d_im2col": "+ 1"}),
    Implementation("column_order", "conv2d_im2col flattens the patches in (kh, kw, c) order, "
            "the kernel in (c, kh, kw) order",
            {"conv2d_im2col": _IM2COL_HEAD + '''    h_out, w_out = h - kh + 1, w - kw + 1
    cols = np.empty((n, kh, kw, c, h_out, w_out))
    for a in range(kh):
        for b_ in range(kw):
            cols[:, a, b_] = X[:, :, a:a + h_out, b_:b_ + w_out]
    out = K.reshape(c_out, -1) @ cols.reshape(n, -1, h_out * w_out) + b[:, None]
    out = out.reshape(n, c_out, h_out, w_out)
    return out[0] if unbatched else out
'''}, {"test_conv2d_im2col": "column order"}),
    Implementation("pixel_loop", "conv2d_im2col gives right values but builds the columns pixel by pixel",
            {"conv2d_im2col": _IM2COL_HEAD + '''    h_out, w_out = h - kh + 1, w - kw + 1
    cols = np.empty((n, c * kh * kw, h_out * w_out))
    for i in range(h_out):
        for j in range(w_out):
            cols[:, :, i * w_out + j] = X[:, :, i:i + kh, j:j + kw].reshape(n, -1)
    out = (K.reshape(c_out, -1) @ cols + b[:, None]).reshape(n, c_out, h_out, w_out)
    return out[0] if unbatched else out
'''}, {"test_conv2d_im2col": "loop"}),
    Implementation("library_unfold", "conv2d_im2col calls F.unfold instead of building the columns",
            {"conv2d_im2col": _IM2COL_HEAD + '''    import torch
    import torch.nn.functional as F
    cols = F.unfold(torch.as_tensor(X), (kh, kw)).numpy()
    out = K.reshape(c_out, -1) @ cols + b[:, None]
    out = out.reshape(n, c_out, h - kh + 1, w - kw + 1)
    return out[0] if unbatched else out
'''}, {"test_conv2d_im2col": "implement yourself"}),
    Implementation("conv1x1_transposed", "conv1x1 multiplies by K.T (K read as (C_in, C_out))",
            {"conv1x1": '''import numpy as np

def conv1x1(X, K):
    X = np.asarray(X, dtype=np.float64)
    K = np.asarray(K, dtype=np.float64)
    if K.ndim == 4:
        if K.shape[2:] != (1, 1):
            raise ValueError("not a 1x1 kernel")
        K = K[:, :, 0, 0]
    if X.ndim not in (3, 4) or K.ndim != 2:
        raise ValueError("bad shapes")
    return np.einsum("co,...chw->...ohw", K, X)
'''}, {"test_conv1x1": "transposed"}),
    Implementation("learn_sum_loss", "learn_kernel uses the sum of squared errors: gradient descent diverges",
            {"learn_kernel": '''import numpy as np

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    h_out, w_out = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    if Y.shape != (X.shape[0], h_out, w_out):
        raise ValueError("shapes do not fit")
    K = np.zeros((kh, kw))
    losses = []
    for _ in range(steps):
        error = np.stack([corr2d(x, K) for x in X]) - Y
        losses.append(float(np.sum(error ** 2)))
        grad = 2 * sum(corr2d(x, e) for x, e in zip(X, error))
        K = K - lr * grad
    return (K, losses) if return_losses else K
'''}, {"test_learn_kernel": "diverged"}),
    Implementation("learn_flipped", "learn_kernel's forward pass convolves (flips the kernel), "
            "so it learns the flipped kernel",
            {"learn_kernel": '''import numpy as np
import torch

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):
    X = torch.as_tensor(np.asarray(X, dtype=np.float64))
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float64))
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    h_out, w_out = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    if tuple(Y.shape) != (X.shape[0], h_out, w_out):
        raise ValueError("shapes do not fit")
    K = torch.zeros(kh, kw, dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(steps):
        flipped = torch.flip(K, dims=(0, 1))
        pred = sum(flipped[a, b] * X[:, a:a + h_out, b:b + w_out]
                   for a in range(kh) for b in range(kw))
        loss = ((pred - Y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
            K.grad.zero_()
    kernel = K.detach().numpy()
    return (kernel, losses) if return_losses else kernel
'''}, {"test_learn_kernel": "flipped"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("flipped_kernel", "column_order", "pixel_loop")
