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


def check_model_unchanged(student, name, case, context, fail):
    """Fail (with ``fail``) when ``name`` changed the model it was given."""
    _, changes = run_student(student, name, case, with_changes=True)
    if changes:
        fail(f"For {context}, your {name} changed the model it was given: "
             f"{'; '.join(changes)}. A summary must leave the model as it found it: run "
             "the pass in eval mode (batch norm then leaves its running statistics alone) "
             "and restore the mode afterwards (model.train(was_training)).")
