"""Inputs and comparisons shared by 09's checks (trusted side): seeded activations and
images as float64 tensors, the student's cost on them, and the wrong versions' values."""

import numpy as np
import torch

from grader.checking import Case, attempt, try_candidate


def activation(rng, c, h, w, relu=True):
    """A (1, c, h, w) float64 activation; after a ReLU (non-negative) unless ``relu`` is
    False."""
    values = torch.from_numpy(rng.normal(size=(1, c, h, w)))
    return values.clamp(min=0) if relu else values


def scalar(value):
    """A cost as a float array of shape () when it holds one number (a (1,) tensor or a
    Python float is the same cost); anything else unchanged."""
    if isinstance(value, (int, float)) or (isinstance(value, np.ndarray) and value.size == 1):
        return np.asarray(value, dtype=np.float64).reshape(())
    return value


def numpy_of(value):
    return value.detach().numpy() if isinstance(value, torch.Tensor) else value


def cost_case(student, name, args, reference, mistakes, context, is_scalar=True):
    """One Case: the student's ``name(*args)`` against ``reference(*args)``, with the wrong
    versions as candidates."""
    got = attempt(lambda: student.call(name, *args))
    if is_scalar and not hasattr(got, "error"):
        got = scalar(got)
    expected = numpy_of(reference(*args))
    candidates = [(numpy_of(try_candidate(function, *args)), message)
                  for function, message in mistakes]
    return Case(got, expected, context, candidates)


def shape_text(*tensors):
    return " and ".join(f"({', '.join(map(str, t.shape))})" for t in tensors)
