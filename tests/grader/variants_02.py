"""Implementation variants of notebook 02's graded functions, for tests/grader/test_checks_02.py.

RIGHT: notebooks that must get full marks (loops, shifted views, einsum, fancy indexing,
np.stack, tensordot, autograd or a hand-derived gradient). WRONG: (source, {part: phrase
its feedback must contain}).
"""

HEADER = '''
import numpy as np
import torch
import torch.nn.functional as F
'''

_CHECK_2D = '''
def _check_4d(X, K, b):
    X = np.asarray(X, float); K = np.asarray(K, float)
    unbatched = X.ndim == 3
    if unbatched:
        X = X[None]
    if X.ndim != 4 or K.ndim != 4 or X.shape[1] != K.shape[1] \\
            or K.shape[2] > X.shape[2] or K.shape[3] > X.shape[3]:
        raise ValueError("bad shapes")
    b = np.zeros(K.shape[0]) if b is None else np.asarray(b, float)
    if b.shape != (K.shape[0],):
        raise ValueError("bad bias")
    return X, K, b, unbatched
'''

RIGHT_LOOPS = HEADER + _CHECK_2D + '''
def corr2d(X, K):
    X = np.array(X, dtype=float); K = np.array(K, dtype=float)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("bad")
    out = np.zeros((X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            for a in range(K.shape[0]):
                for b in range(K.shape[1]):
                    out[i, j] += X[i + a, j + b] * K[a, b]
    return out

def corr2d_multi_in(X, K):
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 3 or len(X) != len(K):
        raise ValueError("bad")
    total = corr2d(X[0], K[0])
    for c in range(1, len(X)):
        total += corr2d(X[c], K[c])
    return total

def corr2d_multi_in_out(X, K, b=None):
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 4:
        raise ValueError("bad")
    if b is not None and np.shape(b) != (len(K),):
        raise ValueError("bad bias")
    out = np.array([corr2d_multi_in(X, k) for k in K])
    if b is not None:
        for o in range(len(K)):
            out[o] += b[o]
    return out

def conv2d_im2col(X, K, b=None):          # einsum over the kernel offsets
    X, K, b, unbatched = _check_4d(X, K, b)
    ho, wo = X.shape[2] - K.shape[2] + 1, X.shape[3] - K.shape[3] + 1
    out = np.zeros((X.shape[0], K.shape[0], ho, wo))
    for a in range(K.shape[2]):
        for c in range(K.shape[3]):
            out += np.einsum("oc,nchw->nohw", K[:, :, a, c], X[:, :, a:a + ho, c:c + wo])
    out += b[:, None, None]
    return out[0] if unbatched else out

def conv1x1(X, K):
    X = np.asarray(X, float); K = np.asarray(K, float)
    if K.ndim == 4 and K.shape[2:] == (1, 1):
        K = K.reshape(K.shape[:2])
    if K.ndim != 2 or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("bad")
    return np.moveaxis(np.tensordot(K, X, axes=([1], [X.ndim - 3])), 0, -3)

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # hand-derived gradient
    X = np.asarray(X, float); Y = np.asarray(Y, float)
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    if Y.shape != (len(X), X.shape[1] - kh + 1, X.shape[2] - kw + 1):
        raise ValueError("shapes")
    K = np.zeros((kh, kw))
    losses = []
    for _ in range(steps):
        err = np.stack([corr2d(x, K) for x in X]) - Y
        losses.append(np.mean(err ** 2))
        K = K - lr * 2 / err.size * sum(corr2d(x, e) for x, e in zip(X, err))
    return (K, losses) if return_losses else K
'''

RIGHT_VIEWS = HEADER + _CHECK_2D + '''
def corr2d(X, K):                          # vectorized: a sum of shifted views
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 2 or K.ndim != 2:
        raise ValueError("bad")
    ho, wo = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    if ho < 1 or wo < 1:
        raise ValueError("too big")
    return sum(K[a, b] * X[a:a + ho, b:b + wo] for a in range(K.shape[0]) for b in range(K.shape[1]))

def corr2d_multi_in(X, K):
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.shape[:1] != X.shape[:1] or K.ndim != 3:
        raise ValueError("bad")
    return np.sum([corr2d(x, k) for x, k in zip(X, K)], axis=0)

def corr2d_multi_in_out(X, K, b=None):
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 4 or K.shape[1] != X.shape[0]:
        raise ValueError("bad")
    b = np.zeros(len(K)) if b is None else np.asarray(b, float)
    if b.shape != (len(K),):
        raise ValueError("bad bias")
    maps = [sum(corr2d(X[c], K[o, c]) for c in range(X.shape[0])) + b[o] for o in range(len(K))]
    return np.stack(maps)

def conv2d_im2col(X, K, b=None):          # cs231n-style index arrays, one gather
    X, K, b, unbatched = _check_4d(X, K, b)
    n, c, h, w = X.shape; co, _, kh, kw = K.shape
    ho, wo = h - kh + 1, w - kw + 1
    rows = np.repeat(np.arange(kh), kw)[:, None] + np.repeat(np.arange(ho), wo)[None, :]
    cols = np.tile(np.arange(kw), kh)[:, None] + np.tile(np.arange(wo), ho)[None, :]
    patches = X[:, :, rows, cols].reshape(n, c * kh * kw, ho * wo)
    out = (K.reshape(co, -1) @ patches + b[:, None]).reshape(n, co, ho, wo)
    return out[0] if unbatched else out

def conv1x1(X, K):
    X = np.asarray(X, float); K = np.asarray(K, float)
    if K.ndim == 4:
        if K.shape[2:] != (1, 1):
            raise ValueError("not 1x1")
        K = K[:, :, 0, 0]
    if K.ndim != 2 or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("bad")
    pixels = np.moveaxis(X, -3, -1)             # (..., H, W, C_in)
    return np.moveaxis(pixels @ K.T, -1, -3)

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # autograd + SGD
    X = torch.tensor(np.asarray(X, float)); Y = torch.tensor(np.asarray(Y, float))
    if X.dim() == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    ho, wo = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    if tuple(Y.shape) != (X.shape[0], ho, wo):
        raise ValueError("shapes")
    K = torch.zeros((kh, kw), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([K], lr=lr)
    losses = []
    for _ in range(steps):
        pred = torch.stack([K[a, b] * X[:, a:a + ho, b:b + wo]
                            for a in range(kh) for b in range(kw)]).sum(0)
        loss = torch.nn.functional.mse_loss(pred, Y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (K.detach().numpy(), losses) if return_losses else K.detach().numpy()
'''

RIGHT_STACK = RIGHT_LOOPS.replace('''def conv2d_im2col(X, K, b=None):          # einsum over the kernel offsets''',
                                  '''def _unused_einsum_version(X, K, b=None):''') + '''
def conv2d_im2col(X, K, b=None):          # np.stack of shifted views, (kh, kw, c) order both sides
    X, K, b, unbatched = _check_4d(X, K, b)
    n, c, h, w = X.shape; co, _, kh, kw = K.shape
    ho, wo = h - kh + 1, w - kw + 1
    views = np.stack([X[:, :, a:a + ho, d:d + wo] for a in range(kh) for d in range(kw)], axis=1)
    cols = views.reshape(n, kh * kw * c, ho * wo)
    out = np.einsum("ok,nkp->nop", K.transpose(0, 2, 3, 1).reshape(co, -1), cols)
    out = out.reshape(n, co, ho, wo) + b.reshape(1, co, 1, 1)
    return out[0] if unbatched else out
'''

# One wrong variant per function; none calls another graded function, so each part is
# judged on its own. {part: phrase its feedback must contain}.
WRONG_1 = HEADER + _CHECK_2D + '''
def corr2d(X, K):                          # H - KH outputs
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("bad")
    out = np.zeros((X.shape[0] - K.shape[0], X.shape[1] - K.shape[1]))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(X[i:i + K.shape[0], j:j + K.shape[1]] * K)
    return out

def _corr(X, K):
    ho, wo = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    return sum(K[a, b] * X[a:a + ho, b:b + wo] for a in range(K.shape[0]) for b in range(K.shape[1]))

def corr2d_multi_in(X, K):                 # one map per channel, not summed
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 3 or len(X) != len(K) or K.shape[1] > X.shape[1] or K.shape[2] > X.shape[2]:
        raise ValueError("bad")
    return np.stack([_corr(x, k) for x, k in zip(X, K)])

def corr2d_multi_in_out(X, K, b=None):     # bias ignored
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 4 or K.shape[1] != len(X) or K.shape[2] > X.shape[1] or K.shape[3] > X.shape[2]:
        raise ValueError("bad")
    if b is not None and np.shape(b) != (len(K),):
        raise ValueError("bad bias")
    return np.stack([sum(_corr(x, k) for x, k in zip(X, kern)) for kern in K])

def conv2d_im2col(X, K, b=None):           # (pixels, C_out) result reshaped without transposing
    X, K, b, unbatched = _check_4d(X, K, b)
    n, c, h, w = X.shape; co, _, kh, kw = K.shape
    ho, wo = h - kh + 1, w - kw + 1
    cols = np.empty((n, c, kh, kw, ho, wo))
    for a in range(kh):
        for d in range(kw):
            cols[:, :, a, d] = X[:, :, a:a + ho, d:d + wo]
    out = np.swapaxes(cols.reshape(n, -1, ho * wo), 1, 2) @ K.reshape(co, -1).T + b
    out = out.reshape(n, co, ho, wo)
    return out[0] if unbatched else out

def conv1x1(X, K):                         # reshape instead of moving the channel axis
    X = np.asarray(X, float); K = np.asarray(K, float)
    if K.ndim == 4:
        if K.shape[2:] != (1, 1):
            raise ValueError("not 1x1")
        K = K[:, :, 0, 0]
    if K.ndim != 2 or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("bad")
    h, w = X.shape[-2:]
    flat = X.reshape(*X.shape[:-3], h * w, K.shape[1]) @ K.T
    return flat.reshape(*X.shape[:-3], K.shape[0], h, w)

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # gradient ascent
    X = np.asarray(X, float); Y = np.asarray(Y, float)
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    if Y.shape != (len(X), X.shape[1] - kh + 1, X.shape[2] - kw + 1):
        raise ValueError("shapes")
    K = np.zeros((kh, kw)); losses = []
    for _ in range(steps):
        err = np.stack([_corr(x, K) for x in X]) - Y
        losses.append(np.mean(err ** 2))
        K = K + lr * 2 / err.size * sum(_corr(x, e) for x, e in zip(X, err))
    return (K, losses) if return_losses else K
'''
EXPECT_1 = {"test_corr2d": "+ 1", "test_corr2d_multi_in": "not summed",
            "test_corr2d_multi_in_out": "bias b was not added",
            "test_conv2d_im2col": "without transposing", "test_conv1x1": "reshape",
            "test_learn_kernel": "diverged"}

WRONG_2 = HEADER + _CHECK_2D + '''
from numpy.lib.stride_tricks import sliding_window_view

def corr2d(X, K):                          # forbidden: window views
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("bad")
    return np.einsum("ijab,ab->ij", sliding_window_view(X, K.shape), K)

def _corr(X, K):
    ho, wo = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    return sum(K[a, b] * X[a:a + ho, b:b + wo] for a in range(K.shape[0]) for b in range(K.shape[1]))

def corr2d_multi_in(X, K):                 # = instead of +=: only the last channel
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 3 or len(X) != len(K) or K.shape[1] > X.shape[1] or K.shape[2] > X.shape[2]:
        raise ValueError("bad")
    for x, k in zip(X, K):
        total = _corr(x, k)
    return total

def corr2d_multi_in_out(X, K, b=None):     # bias along the width axis
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 4 or K.shape[1] != len(X) or K.shape[2] > X.shape[1] or K.shape[3] > X.shape[2]:
        raise ValueError("bad")
    out = np.stack([sum(_corr(x, k) for x, k in zip(X, kern)) for kern in K])
    if b is not None:
        if np.shape(b) != (len(K),):
            raise ValueError("bad bias")
        out = out + np.asarray(b, float)
    return out

def conv2d_im2col(X, K, b=None):           # (C_out, N*P) reshaped straight to (N, C_out, ...)
    X, K, b, unbatched = _check_4d(X, K, b)
    n, c, h, w = X.shape; co, _, kh, kw = K.shape
    ho, wo = h - kh + 1, w - kw + 1
    cols = np.empty((c, kh, kw, n, ho, wo))
    for a in range(kh):
        for d in range(kw):
            cols[:, a, d] = np.moveaxis(X[:, :, a:a + ho, d:d + wo], 0, 1)
    out = K.reshape(co, -1) @ cols.reshape(c * kh * kw, -1) + b[:, None]
    out = out.reshape(n, co, ho, wo)
    return out[0] if unbatched else out

def conv1x1(X, K):                         # forbidden: a library convolution
    X = np.asarray(X, float); K = np.asarray(K, float)
    if K.ndim == 2:
        K = K[:, :, None, None]
    if K.shape[2:] != (1, 1) or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("bad")
    out = F.conv2d(torch.as_tensor(X.reshape(-1, *X.shape[-3:])), torch.as_tensor(K)).numpy()
    return out.reshape(*X.shape[:-3], *out.shape[1:])

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # updates a copy
    X = np.asarray(X, float); Y = np.asarray(Y, float)
    if X.ndim == 2:
        X, Y = X[None], Y[None]
    kh, kw = kernel_shape
    if Y.shape != (len(X), X.shape[1] - kh + 1, X.shape[2] - kw + 1):
        raise ValueError("shapes")
    K = np.zeros((kh, kw)); losses = []
    for _ in range(steps):
        work = K.copy()
        err = np.stack([_corr(x, work) for x in X]) - Y
        losses.append(np.mean(err ** 2))
        work -= lr * 2 / err.size * sum(_corr(x, e) for x, e in zip(X, err))
    return (K, losses) if return_losses else K
'''
EXPECT_2 = {"test_corr2d": "implement yourself", "test_corr2d_multi_in": "only one channel",
            "test_corr2d_multi_in_out": "per position", "test_conv2d_im2col": "batch and channel",
            "test_conv1x1": "implement yourself", "test_learn_kernel": "starting kernel"}

WRONG_3 = HEADER + _CHECK_2D + '''
def corr2d(X, K):                          # convolution: the kernel is flipped
    X = np.asarray(X, float); K = np.asarray(K, float)[::-1, ::-1]
    if X.ndim != 2 or K.ndim != 2 or K.shape[0] > X.shape[0] or K.shape[1] > X.shape[1]:
        raise ValueError("bad")
    ho, wo = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    return np.array([[np.sum(X[i:i + K.shape[0], j:j + K.shape[1]] * K) for j in range(wo)]
                     for i in range(ho)])

def _corr(X, K):
    ho, wo = X.shape[0] - K.shape[0] + 1, X.shape[1] - K.shape[1] + 1
    return sum(K[a, b] * X[a:a + ho, b:b + wo] for a in range(K.shape[0]) for b in range(K.shape[1]))

def corr2d_multi_in(X, K):                 # every channel with K[0]
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 3 or len(X) != len(K) or K.shape[1] > X.shape[1] or K.shape[2] > X.shape[2]:
        raise ValueError("bad")
    return sum(_corr(x, K[0]) for x in X)

def corr2d_multi_in_out(X, K, b=None):     # output channels last
    X = np.asarray(X, float); K = np.asarray(K, float)
    if X.ndim != 3 or K.ndim != 4 or K.shape[1] != len(X) or K.shape[2] > X.shape[1] or K.shape[3] > X.shape[2]:
        raise ValueError("bad")
    b = np.zeros(len(K)) if b is None else np.asarray(b, float)
    if b.shape != (len(K),):
        raise ValueError("bad bias")
    return np.stack([sum(_corr(x, k) for x, k in zip(X, kern)) + bo for kern, bo in zip(K, b)], axis=-1)

def conv2d_im2col(X, K, b=None):           # right values, but a loop over output rows
    X, K, b, unbatched = _check_4d(X, K, b)
    n, c, h, w = X.shape; co, _, kh, kw = K.shape
    ho, wo = h - kh + 1, w - kw + 1
    out = np.empty((n, co, ho, wo))
    for i in range(ho):
        band = np.stack([X[:, :, i:i + kh, d:d + wo] for d in range(kw)], axis=-2)
        out[:, :, i, :] = np.einsum("ocab,ncabw->now", K, band) + b[:, None]
    return out[0] if unbatched else out

def conv1x1(X, K):                         # summed over the output channels
    X = np.asarray(X, float); K = np.asarray(K, float)
    if K.ndim == 4:
        if K.shape[2:] != (1, 1):
            raise ValueError("not 1x1")
        K = K[:, :, 0, 0]
    if K.ndim != 2 or X.ndim not in (3, 4) or X.shape[-3] != K.shape[1]:
        raise ValueError("bad")
    return (K[:, :, None, None] * X[..., None, :, :, :]).sum(axis=-4)

def learn_kernel(X, Y, kernel_shape, steps, lr, return_losses=False):   # forbidden: F.conv2d
    X = torch.tensor(np.asarray(X, float)); Y = torch.tensor(np.asarray(Y, float))
    if X.dim() == 2:
        X, Y = X[None], Y[None]
    K = torch.zeros(tuple(kernel_shape), dtype=torch.float64, requires_grad=True)
    losses = []
    for _ in range(steps):
        loss = ((F.conv2d(X[:, None], K[None, None])[:, 0] - Y) ** 2).mean()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            K -= lr * K.grad
            K.grad.zero_()
    return (K.detach().numpy(), losses) if return_losses else K.detach().numpy()
'''
EXPECT_3 = {"test_corr2d": "flipped the kernel", "test_corr2d_multi_in": "paired wrongly",
            "test_corr2d_multi_in_out": "last axis", "test_conv2d_im2col": "more Python lines",
            "test_conv1x1": "output channels instead", "test_learn_kernel": "implement yourself"}

RIGHT = {"loops": RIGHT_LOOPS, "views": RIGHT_VIEWS, "stack": RIGHT_STACK}
WRONG = {"wrong_1": (WRONG_1, EXPECT_1), "wrong_2": (WRONG_2, EXPECT_2),
         "wrong_3": (WRONG_3, EXPECT_3)}
