"""Small helpers shared by the worker tools."""

import torch


def student_function(namespace, name):
    """The student's callable ``name``, or LookupError naming what is missing."""
    function = namespace.get(name)
    if not callable(function):
        raise LookupError(f"`{name}` is not defined in your notebook.")
    return function


def instantiate_model(namespace, class_name):
    """``namespace[class_name]()``: the student's nn.Module, built without arguments."""
    try:
        cls = namespace[class_name]
    except KeyError:
        raise LookupError(f"`{class_name}` is not defined in your notebook.") from None
    if not isinstance(cls, type) or not issubclass(cls, torch.nn.Module):
        raise TypeError(f"`{class_name}` must be a torch.nn.Module subclass.")
    return cls()
