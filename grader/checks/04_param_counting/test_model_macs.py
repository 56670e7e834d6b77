"""Hidden checks for model_macs(model, input_shape): MACs of Conv2d and Linear calls."""

from grader.checking import Case, attempt, check_cases, fail, load_reference, points

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


@points(1)
def test_leaves_the_model_unchanged(student):
    "The model is left as it was: batch norm statistics and the train/eval mode unchanged."
    cases.check_model_unchanged(student, "model_macs", MIXED,
                                "a network with batch norm (in train mode)", fail)
