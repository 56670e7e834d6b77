"""Hidden checks for model_macs(model, input_shape): MACs of Conv2d and Linear calls."""

from grader.checking import Case, attempt, check_cases, load_reference, points


GRADES = ("model_macs",)
TRUSTED_CALLEES = ("conv2d_macs",)

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")
cases = load_reference(__file__, "model_cases")
LECTURE, MIXED, NESTED, model = cases.LECTURE, cases.MIXED, cases.NESTED, cases.model


def _case(student, case, context):
    got = attempt(lambda: cases.run_student(student, "model_macs", case))
    trusted = model(case)
    return Case(got, ref.model_macs(trusted, case[1]), context,
                mis.model_macs_candidates(trusted, case[1]))


@points(2)
def test_lecture_network(student):
    "The lecture's Conv-pool-Conv-pool-Conv network on one 28x28 image."
    check_cases([_case(student, LECTURE, "the lecture's network")], exact=True)


@points(2)
def test_batch_groups_and_linear(student):
    "Batch 3, stride, padding, dilation, grouped and depthwise convolutions and a linear head."
    check_cases([_case(student, MIXED, "a network with groups, stride and a linear head (batch 3)")],
                exact=True)


@points(2)
def test_nested_modules(student):
    "Nested containers and residual blocks with 1x1 shortcuts (batch 2)."
    check_cases([_case(student, NESTED, "a network with residual blocks (batch 2)")], exact=True)
