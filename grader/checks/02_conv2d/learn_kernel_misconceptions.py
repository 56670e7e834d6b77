"""Deliberately wrong results of 02_conv2d's learn_kernel, for diagnosis (the other functions'
are in misconceptions.py). Trusted code (grading process only); messages never contain
expected values.
"""

import numpy as np

LEARN_FLIPPED = ("you learned the flipped kernel: your forward pass computes a convolution "
                 "(kernel flipped). Use cross-correlation, as corr2d does, so the learned kernel "
                 "is the one that produced Y.")
LEARN_TRANSPOSED = "the learned kernel is transposed: rows and columns are swapped."
LEARN_DIVERGED = ("the gradient descent diverged (NaN, infinite or huge values). Check the sign "
                  "of the update (K = K - lr * grad) and that the loss is the MEAN of the "
                  "squared errors, not their sum (a sum makes the gradient as many times larger "
                  "as there are output pixels).")
LEARN_UNCHANGED = ("the returned kernel is the starting kernel: the updates never reached it "
                   "(returned a copy, or updated a different array?).")
LEARN_NOT_CONVERGED = ("the kernel moved towards the right one but did not get there in the "
                       "given number of steps: use the mean squared error and its exact gradient "
                       "(2 / count * sum of error * input), K = K - lr * grad.")


def learn_kernel_candidates(true_kernel):
    K = np.asarray(true_kernel, dtype=np.float64)
    cands = [(K[::-1, ::-1], LEARN_FLIPPED), (np.zeros_like(K), LEARN_UNCHANGED)]
    if K.shape[0] == K.shape[1]:
        cands.append((K.T, LEARN_TRANSPOSED))
    return cands
