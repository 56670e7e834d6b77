"""Hidden checks for model_macs(model, input_shape): MACs of Conv2d and Linear calls.

The batch axis, the Linear layers and batch norm (no MACs) are charged in
test_batch_groups_and_linear (the lecture's network has none of them). test_nested_modules
forgives those mistakes when the mixed network shows the same one, and checks the nesting on
a simpler nested network when the function raises on the residual network as on the mixed
one; test_leaves_the_model_unchanged uses the first network the function runs on. Each says
so in a note.
"""

from grader.checking import Case, Raised, attempt, check_cases, fail, load_reference, note, points

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


# What the mixed network charges and a nested network (a batch of 2, batch norm, a linear
# head) would charge again.
MIXED_MISTAKES = {mis.MACS_NO_BATCH, mis.MACS_NO_LINEAR, mis.MACS_OTHER_LAYERS}


def _explained(value, case):
    """The messages of the mistakes that give ``value`` on ``case``."""
    if isinstance(value, (Raised, bool)):
        return set()
    trusted = model(case)
    found = set()
    for candidate, message in mis.model_macs_candidates(trusted, case[1]):
        try:
            if value == candidate:
                found.add(message)
        except (TypeError, ValueError):
            pass
    return found


@points(2)
def test_nested_modules(student):
    "Nested containers and residual blocks with 1x1 shortcuts (batch 2)."
    network, context, notes = NESTED, "a network with residual blocks (batch 2)", []
    got = attempt(lambda: cases.run_student(student, "model_macs", network))
    if isinstance(got, Raised):
        fallback = cases.nested_fallback(student, "model_macs", got.error)
        if fallback is not None:
            notes.append(f"Your model_macs raised {got.error.exc_type} on the residual network, "
                         "as on the mixed network (charged in that test only): the nesting was "
                         f"checked on {fallback[2]}.")
            network, got, context = fallback
    trusted = model(network)
    case = Case(got, ref.model_macs(trusted, network[1]), context,
                mis.model_macs_candidates(trusted, network[1]))
    repeated = _explained(got, network) & MIXED_MISTAKES
    if repeated:
        repeated &= _explained(attempt(lambda: cases.run_student(student, "model_macs", MIXED)),
                               MIXED)
    if repeated:
        notes.append(f"Not charged here: {' '.join(sorted(repeated))} That is charged in the "
                     "mixed-network test only.")
    else:
        check_cases([case], exact=True)
    for text in notes:
        note(text)


@points(1)
def test_leaves_the_model_unchanged(student):
    "The model is left as it was: batch norm statistics and the train/eval mode unchanged."
    cases.check_model_unchanged(student, "model_macs", fail, note)
