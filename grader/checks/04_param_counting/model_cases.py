"""Test models for layer_table and model_macs, as JSON-able specs (gradeworker.tools.
build_model builds them in the worker and here alike)."""

from grader.errors import MissingDefinition, StudentCodeError
from gradeworker.tools.spec_models import build_model

# The lecture exercise: Conv(32, 3x3) on 28x28x1, pool, Conv(64, 3x3), pool, Conv(64, 3x3).
LECTURE = ([["Conv2d", {"in_channels": 1, "out_channels": 32, "kernel_size": 3}],
            ["ReLU", {}], ["MaxPool2d", {"kernel_size": 2}],
            ["Conv2d", {"in_channels": 32, "out_channels": 64, "kernel_size": 3}],
            ["ReLU", {}], ["MaxPool2d", {"kernel_size": 2}],
            ["Conv2d", {"in_channels": 64, "out_channels": 64, "kernel_size": 3}]],
           (1, 1, 28, 28))

# Odd, non-square input, batch 3, groups, stride, padding, no-bias conv, batch norm, a head.
MIXED = ([["Conv2d", {"in_channels": 3, "out_channels": 12, "kernel_size": [3, 5],
                      "stride": 2, "padding": 1}],
          ["BatchNorm2d", {"num_features": 12}], ["ReLU", {}],
          ["Conv2d", {"in_channels": 12, "out_channels": 12, "kernel_size": 3, "groups": 12,
                      "padding": 1, "bias": False}],
          ["Conv2d", {"in_channels": 12, "out_channels": 8, "kernel_size": 1}],
          ["Conv2d", {"in_channels": 8, "out_channels": 10, "kernel_size": 3, "groups": 2,
                      "dilation": 2}],
          ["AvgPool2d", {"kernel_size": 2}], ["Flatten", {}],
          ["Linear", {"in_features": 150, "out_features": 7}]],
         (3, 3, 21, 30))

# Nested containers and a residual block (a ReLU called twice, a 1x1 shortcut).
NESTED = ([["Sequential", [["Conv2d", {"in_channels": 2, "out_channels": 6, "kernel_size": 3,
                                       "padding": 1}],
                           ["BatchNorm2d", {"num_features": 6}]]],
           ["Block", {"c_in": 6, "c_out": 10, "stride": 2}],
           ["Block", {"c_in": 10, "c_out": 10}],
           ["AdaptiveAvgPool2d", {"output_size": 1}], ["Flatten", {}],
           ["Linear", {"in_features": 10, "out_features": 4}]],
          (2, 2, 13, 11))


# Simpler nested networks, for a function that fails on NESTED as it fails on MIXED (that is
# charged by the mixed test): NESTED without its linear head, then nested Sequentials of
# convolutions with bias, ReLU and pooling only (the lecture's layers).
NESTED_HEADLESS = (NESTED[0][:-2], NESTED[1])
NESTED_PLAIN = ([["Sequential", [["Conv2d", {"in_channels": 2, "out_channels": 6, "kernel_size": 3,
                                             "padding": 1}], ["ReLU", {}]]],
                 ["Sequential", [["Sequential", [["Conv2d", {"in_channels": 6, "out_channels": 8,
                                                             "kernel_size": 3, "stride": 2}],
                                                 ["ReLU", {}]]],
                                 ["MaxPool2d", {"kernel_size": 2}],
                                 ["Conv2d", {"in_channels": 8, "out_channels": 4,
                                             "kernel_size": 1}]]]],
                (2, 2, 13, 11))
NESTED_FALLBACKS = [(NESTED_HEADLESS, "the same network without its linear head"),
                    (NESTED_PLAIN, "a network of nested Sequential containers (convolutions, "
                                   "ReLU and pooling)")]
# The networks the "leaves the model unchanged" tests use, in order: the first one the
# function runs on (the ones with batch norm first).
UNCHANGED = [(MIXED, "a network with batch norm (in train mode)"),
             (NESTED, "a network with residual blocks and batch norm (in train mode)"),
             (NESTED_HEADLESS, "a network with residual blocks and batch norm, no linear head "
                               "(in train mode)"),
             (LECTURE, "the lecture's network (in train mode, no batch norm)")]


def model(case):
    return build_model(case[0])


def run_student(student, name, case, with_changes=False):
    """The student's ``name(model, input_shape)`` on the model of ``case``, built in the
    worker; errors are reported under the student's function name, not the tool's. With
    ``with_changes``: (value, what the call changed in the model, in words)."""
    if not student.has(name):
        raise MissingDefinition(name, None)
    try:
        report = student.tool("call_on_model", name, case[0], list(case[1]))
    except StudentCodeError as error:
        raise StudentCodeError(name, error.exc_type, error.message) from None
    return (report["value"], report["changes"]) if with_changes else report["value"]


def nested_fallback(student, name, error):
    """``name`` raised ``error`` on NESTED: if it raises the same kind of error on MIXED (the
    mixed test charges that), (case, value, description) of the first simpler nested network
    it runs on; None otherwise."""
    if error.exc_type == "NotImplementedError":
        return None
    try:
        run_student(student, name, MIXED)
        return None
    except StudentCodeError as mixed_error:
        if mixed_error.exc_type != error.exc_type:
            return None
    for case, description in NESTED_FALLBACKS:
        try:
            return case, run_student(student, name, case), description
        except StudentCodeError:
            continue
    return None


def check_model_unchanged(student, name, fail, note):
    """Fail (with ``fail``) when ``name`` changed the model it was given, on the first network
    of UNCHANGED it runs on (saying so with ``note`` when that is not the first)."""
    first_error = None
    for case, context in UNCHANGED:
        try:
            _, changes = run_student(student, name, case, with_changes=True)
        except StudentCodeError as error:
            if error.exc_type == "NotImplementedError":
                raise
            first_error = first_error or error
            continue
        if changes:
            fail(f"For {context}, your {name} changed the model it was given: "
                 f"{'; '.join(changes)}. A summary must leave the model as it found it: run "
                 "the pass in eval mode (batch norm then leaves its running statistics alone) "
                 "and restore the mode afterwards (model.train(was_training)).")
        if first_error is not None:
            note(f"Checked on {context}: your {name} raised {first_error.exc_type} on the "
                 "network with batch norm, groups and a linear head, which is charged in the "
                 "mixed-network test only.")
        return
    raise first_error
