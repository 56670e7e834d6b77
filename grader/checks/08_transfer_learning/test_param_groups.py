"""param_groups(model, lr_backbone, lr_head): every trainable parameter in exactly one group,
the head's at lr_head and the rest at lr_backbone, frozen ones left out; SGD accepts it.

The learning-rate test judges the parameters that are in one group only (the first test
charges a parameter in two groups, the last one a frozen parameter included)."""

from grader.checking import fail, load_reference, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
specs = load_reference(__file__, "model_specs")
runs = load_reference(__file__, "runs")

CASES = [dict(spec=specs.staged(8, 7), frozen=["backbone.stem"]),
         dict(spec=specs.flat(6, 4), frozen=[]),
         dict(spec=specs.indexed(5, 6), frozen=["backbone.0", "backbone.1", "backbone.3"])]
RATES = dict(lr_backbone=0.003, lr_head=0.05)


def _reports(student, case):
    got = runs.student_run(student, "param_groups", **case, **RATES)
    if got["structure"]:
        fail(f"param_groups returned {got['structure']}: it returns a list of dicts such as "
             "{\"params\": [...], \"lr\": ...}, one per group.")
    return got, runs.trusted_run("param_groups", ref.param_groups, **case, **RATES)


@points(2)
def test_each_trainable_parameter_in_exactly_one_group(student):
    """Every trainable parameter is in exactly one group, and SGD accepts the groups.

    Every trainable parameter is in exactly one group, and torch.optim.SGD accepts the
    groups.
    """
    for case in CASES:
        got, expected = _reports(student, case)
        twice = [n for n, lrs in got["lrs"].items() if len(lrs) > 1]
        if twice:
            fail(f"{wrong.TWICE} ({runs.listed(twice)}).")
        missing = [n for n in expected["lrs"] if n not in got["lrs"]]
        if missing:
            fail(f"Trainable parameters are in no group ({runs.listed(missing)}): the "
                 "optimiser would never update them.")
        if got["foreign"]:
            fail("The groups hold tensors that are not the model's parameters.")
        if got["sgd_error"]:
            fail(f"torch.optim.SGD refuses the groups: {got['sgd_error']}")


@points(2)
def test_learning_rates(student):
    """The head's parameters get lr_head, the other trainable ones lr_backbone."""
    for case in CASES:
        got, expected = _reports(student, case)
        wrong_rate = [n for n, lrs in got["lrs"].items()
                      if len(lrs) == 1 and n in expected["lrs"] and lrs != expected["lrs"][n]]
        if not wrong_rate:
            continue
        if all(got["lrs"][n] == [None] for n in wrong_rate):
            fail(f"{wrong.NO_LR} ({runs.listed(wrong_rate)}).")
        mistake = runs.matching("param_groups", got, wrong.LR_MISTAKES, "lrs", **case, **RATES)
        fail(f"With lr_backbone={RATES['lr_backbone']} and lr_head={RATES['lr_head']}, "
             f"parameters get the wrong learning rate ({runs.listed(wrong_rate)})"
             + (f": {mistake}." if mistake else "."))


@points(1)
def test_frozen_parameters_are_left_out(student):
    """Parameters with requires_grad=False are in no group."""
    for case in CASES[::2]:
        got, expected = _reports(student, case)
        frozen = [n for n in got["lrs"] if n not in expected["lrs"]]
        if frozen:
            fail(f"{wrong.FROZEN_INCLUDED} ({runs.listed(frozen)}).")
