"""Hidden checks for layer_table(model, input_shape): rows (name, output_shape, params).

Models cannot cross the worker protocol: the worker builds each test model from a spec
(gradeworker.tools.call_on_model) and the rows are compared here with the reference run
on the same model built from the same spec.

Batch norm (its buffers are not parameters) and convolutions without bias are charged in
test_mixed_layers. test_nested_modules forgives buffers counted as parameters when the mixed
network shows the same mistake, and checks the nesting on a simpler nested network when the
function raises on the residual blocks as on the mixed network; test_leaves_the_model_unchanged
uses the first network the function runs on. Each says so in a note.
"""

from grader.checking import CheckFailed, fail, load_reference, note, points
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


def _raised(error, context):
    if error.exc_type == "NotImplementedError":
        raise error
    fail(f"For {context}, your layer_table raised {error.exc_type}: {error.message[:200]}")


def _expected(case):
    trusted = model(case)
    return [tuple(r) for r in ref.layer_table(trusted, case[1])], trusted


def _compare(rows, expected, trusted, context):
    if rows == expected:
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


def _check(student, case, context):
    try:
        got = cases.run_student(student, "layer_table", case)
    except StudentCodeError as error:
        _raised(error, context)
    _compare(_normalise(got, context), *_expected(case), context)


@points(2)
def test_lecture_table(student):
    "Lecture: Conv(32,3x3) on 28x28x1, pool, Conv(64,3x3), pool, Conv(64,3x3): 320, 18,496, 36,928."
    _check(student, LECTURE, "the lecture's Conv-pool-Conv-pool-Conv network")


@points(2)
def test_mixed_layers(student):
    "Batch 3, non-square input, stride, (3, 5) kernel, batch norm, depthwise, grouped and no-bias convolutions, a linear head."
    _check(student, MIXED, "a network with batch norm, groups, stride and a linear head (batch 3)")


def _with_buffers(expected, trusted):
    buffers = {name: sum(b.numel() for b in m.buffers()) for name, m in trusted.named_modules()}
    return [(name, shape, params + buffers[name]) for name, shape, params in expected]


def _counts_buffers(student):
    """The student's table of the mixed network is right but for buffers counted as
    parameters (what the mixed test charges)."""
    try:
        rows = _normalise(cases.run_student(student, "layer_table", MIXED), "the mixed network")
    except (StudentCodeError, CheckFailed):
        return False
    expected, trusted = _expected(MIXED)
    return rows == _with_buffers(expected, trusted)


@points(2)
def test_nested_modules(student):
    "Nested Sequential and residual blocks (a ReLU module called twice): qualified names, leaves only."
    case, context, notes = NESTED, "a network with nested containers and residual blocks", []
    try:
        got = cases.run_student(student, "layer_table", case)
    except StudentCodeError as error:
        fallback = cases.nested_fallback(student, "layer_table", error)
        if fallback is None:
            _raised(error, context)
        case, got, context = fallback
        notes.append(f"Your layer_table raised {error.exc_type} on the residual blocks, as on "
                     "the mixed network (charged in that test only): the nesting was checked "
                     f"on {context}.")
    rows = _normalise(got, context)
    expected, trusted = _expected(case)
    if rows != expected and rows == _with_buffers(expected, trusted) and _counts_buffers(student):
        notes.append("Your table counts batch norm's buffers as parameters here too; that is "
                     "charged in the mixed-network test only.")
    else:
        _compare(rows, expected, trusted, context)
    for text in notes:
        note(text)


@points(1)
def test_leaves_the_model_unchanged(student):
    "The model is left as it was: batch norm statistics and the train/eval mode unchanged."
    cases.check_model_unchanged(student, "layer_table", fail, note)
