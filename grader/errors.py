"""Faults attributed to the student's code, raised on the trusted side.

Each carries ``feedback``: a sentence safe to show the student (it never
contains hidden-test source or expected values).
"""


class StudentFault(Exception):
    """Base class: something about the student's code made a check fail."""

    def __init__(self, feedback):
        super().__init__(feedback)
        self.feedback = feedback


class MissingDefinition(StudentFault):
    def __init__(self, name, reason=None):
        detail = f" ({reason})" if reason else ""
        super().__init__(f"`{name}` is not defined in your notebook{detail}.")
        self.name = name


class StudentCodeError(StudentFault):
    def __init__(self, name, exc_type, message):
        if exc_type == "NotImplementedError":
            text = f"`{name}` is not implemented yet (it raises NotImplementedError)."
        else:
            text = f"`{name}` raised {exc_type}: {message}".rstrip(": ")
        super().__init__(text)
        self.name, self.exc_type, self.message = name, exc_type, message


class StudentTimeout(StudentFault):
    def __init__(self, name, seconds, budget_exhausted=False):
        if budget_exhausted:
            text = (f"`{name}` was not run: the time budget for this part was used up "
                    "by earlier, very slow calls.")
        else:
            text = (f"`{name}` did not finish within {seconds:.3g} s "
                    "(an infinite loop, or far too slow).")
        super().__init__(text)
        self.name, self.seconds = name, seconds


class ForbiddenOperation(StudentFault):
    def __init__(self, name, operations):
        ops = ", ".join(sorted(operations))
        super().__init__(f"`{name}` uses {ops}, which this exercise asks you to "
                         "implement yourself. Write it with loops/array indexing.")
        self.name, self.operations = name, tuple(operations)


class BadReturnValue(StudentFault):
    def __init__(self, name, detail):
        super().__init__(f"`{name}` returned {detail}.")
        self.name = name


class WorkerCrashed(StudentFault):
    def __init__(self, detail):
        super().__init__(f"Your code crashed the Python process running it ({detail}).")
