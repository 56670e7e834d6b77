"""Small helpers shared by the worker tools."""

def student_function(namespace, name):
    """The student's callable ``name``, or LookupError naming what is missing."""
    function = namespace.get(name)
    if not callable(function):
        raise LookupError(f"`{name}` is not defined in your notebook.")
    return function
