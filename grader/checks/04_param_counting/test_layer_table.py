"""Hidden checks for layer_table(model, input_shape): rows (name, output_shape, params).

Models cannot cross the worker protocol: the worker builds each test model from a spec
(gradeworker.tools.call_on_model) and the rows are compared here with the reference run
on the same model built from the same spec."""

from grader.checking import fail, load_reference, points
from grader.errors import StudentCodeError

GRADES = ("layer_table",)
TRUSTED_CALLEES = ("conv2d_params", "linear_params", "batchnorm2d_params")

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "model_cases")
LECTURE, MIXED, NESTED, model = cases.LECTURE, cases.MIXED, cases.NESTED, cases.model
FORMAT = ("layer_table must return a list of rows (name, output_shape, params): a str, a "
          "tuple of ints and an int")


def _normalise(rows, context):
    if not isinstance(rows, (list, tuple)):
        fail(f"For {context}, {FORMAT}; it returned {type(rows).__name__}.")
    table, seen = [], set()
    for row in rows:
        try:
            name, shape, params = row
            row = (str(name), tuple(int(s) for s in shape), int(params))
        except (TypeError, ValueError):
            fail(f"For {context}, {FORMAT}; a row is {type(row).__name__} {str(row)[:60]}.")
        if row[0] not in seen:            # a module called twice may repeat (torchinfo does)
            seen.add(row[0])
            table.append(row)
    return table


def _check(student, case, context):
    try:
        got = cases.run_student(student, "layer_table", case)
    except StudentCodeError as error:
        if error.exc_type == "NotImplementedError":
            raise
        fail(f"For {context}, your layer_table raised {error.exc_type}: {error.message[:200]}")
    rows = _normalise(got, context)
    trusted = model(case)
    expected = ref.layer_table(trusted, case[1])
    if rows == [tuple(r) for r in expected]:
        return
    message = mis.diagnose_table(rows, expected, trusted)
    if message:
        fail(f"For {context}: {message}")
    for got_row, want in zip(rows, expected):
        if got_row[1] != want[1]:
            fail(f"For {context}, the output shape of layer '{want[0]}' is wrong.")
        if got_row[2] != want[2]:
            fail(f"For {context}, the parameter count of layer '{want[0]}' is wrong.")
    fail(f"For {context}, your table is wrong.")


@points(2)
def test_lecture_table(student):
    "Lecture: Conv(32,3x3) on 28x28x1, pool, Conv(64,3x3), pool, Conv(64,3x3): 320, 18,496, 36,928."
    _check(student, LECTURE, "the lecture's Conv-pool-Conv-pool-Conv network")


@points(2)
def test_mixed_layers(student):
    "Batch 3, non-square input, stride, (3, 5) kernel, batch norm, depthwise, grouped and no-bias convolutions, a linear head."
    _check(student, MIXED, "a network with batch norm, groups, stride and a linear head (batch 3)")


@points(2)
def test_nested_modules(student):
    "Nested Sequential and residual blocks (a ReLU module called twice): qualified names, leaves only."
    _check(student, NESTED, "a network with nested containers and residual blocks")


@points(1)
def test_leaves_the_model_unchanged(student):
    "The model is left as it was: batch norm statistics and the train/eval mode unchanged."
    cases.check_model_unchanged(student, "layer_table", MIXED,
                                "a network with batch norm (in train mode)", fail)
