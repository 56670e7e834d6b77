"""count_trainable(model): the number of trainable numbers, shared parameters once.

Parameters are frozen here by the checks themselves (never with the student's freeze); the
sharing test is the only one with a shared block."""

from grader.checking import fail, load_reference, note, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
specs = load_reference(__file__, "model_specs")
runs = load_reference(__file__, "runs")

PLAIN = [(specs.staged(8, 7), ["backbone"]), (specs.flat(6, 4), []),
         (specs.indexed(5, 6), ["backbone.0", "backbone.1"]),
         (specs.staged(12, 3, affine=False), ["backbone.stem", "backbone.layer1"])]


def _check(student, spec, frozen, candidates):
    got = runs.student_run(student, "count_trainable", spec=spec, frozen=frozen)
    expected = runs.trusted_run("count_trainable", ref.count_trainable, spec=spec,
                                frozen=frozen)
    if isinstance(got, str):
        fail(f"count_trainable returned {got}: it must return a whole number.")
    if got == expected:
        return
    where = "with part of it frozen" if frozen else "with every parameter trainable"
    for function, message in candidates:
        if runs.trusted_run("count_trainable", function, spec=spec, frozen=frozen) == got:
            fail(f"On a model {where}, the count is wrong: {message}.")
    fail(f"On a model {where}, the count is wrong: it is not the number of elements of the "
         "parameters with requires_grad=True.")


@points(2)
def test_counts_the_numbers_in_trainable_parameters(student):
    """Counts the elements of the trainable parameters (four models, some partly frozen).

    The number of elements of the parameters with requires_grad=True, on four models,
    some partly frozen (buffers and frozen parameters are not counted).
    """
    for spec, frozen in PLAIN:
        _check(student, spec, frozen, wrong.COUNT_MISTAKES)


def _students_counts(student):
    """The reference, or the wrong counts that give the student's on every model of the
    first test (which charges them); empty when it is none of them."""
    got = [runs.student_run(student, "count_trainable", spec=s, frozen=f) for s, f in PLAIN]
    return [function for function in [ref.count_trainable] + [f for f, _ in wrong.COUNT_MISTAKES]
            if all(runs.trusted_run("count_trainable", function, spec=s, frozen=f) == g
                   for (s, f), g in zip(PLAIN, got))]


@points(1)
def test_counts_a_shared_parameter_once(student):
    """A parameter shared by two modules is counted once.

    A block registered twice (its parameters shared) is counted once.
    """
    own = _students_counts(student)
    if not own:
        note("Not judged: your count differs from the right one in a way the first test "
             "charges, so this test could not tell a separate mistake.")
        return
    if ref.count_trainable not in own:
        note("Compared with your own way of counting (the first test charges the difference "
             "from the right one).")
    for frozen in ([], ["backbone.stem"]):
        got = runs.student_run(student, "count_trainable", spec=specs.shared(), frozen=frozen)
        if all(got != runs.trusted_run("count_trainable", function, spec=specs.shared(),
                                       frozen=frozen) for function in own):
            fail("On a model with a block registered twice, the count is wrong: a parameter "
                 "shared by two modules must be counted once (`model.parameters()` lists "
                 "each parameter once)" + (", and it looks like it is counted twice."
                 if ref.count_trainable in own and got == runs.trusted_run(
                     "count_trainable", wrong.count_shared_twice, spec=specs.shared(),
                     frozen=frozen) else "."))
