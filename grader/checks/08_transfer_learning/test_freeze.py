"""freeze(model, trainable=("head",)): only the named parts train; frozen batch norms keep
their running statistics through `model.train()` and optimiser steps.

Run on models the notebook never shows (model_specs). Each mistake is charged once: the
tests after the first judge the batch norms whose parameters the student's own freeze
froze, and the dotted-name and unfreezing tests compare with the student's own way of
freezing when the first test already charged it."""

from grader.checking import fail, load_reference, note, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
specs = load_reference(__file__, "model_specs")
runs = load_reference(__file__, "runs")

TOP_LEVEL = [(specs.staged(), None), (specs.flat(), ["layer2", "head"]),
             (specs.staged(12, 3), ["head"])]
IN_PLACE = ("freeze returned a frozen copy and left the model it was given as it was: "
            "freeze the model in place (the notebook calls `freeze(model, ...)` and trains "
            "`model`).")


def _call(trainable, before=None):
    text = "freeze(model)" if trainable is None else f"freeze(model, trainable={tuple(trainable)})"
    return text if before is None else f"freeze(model, trainable={tuple(before)}), then {text}"


def _flags_message(got, expected, trainable, before=None, candidates=()):
    should_train = sorted(n for n, v in expected["requires_grad"].items()
                          if v and not got["requires_grad"].get(n))
    should_stop = sorted(n for n, v in expected["requires_grad"].items()
                         if not v and got["requires_grad"].get(n))
    parts = []
    if should_stop:
        parts.append(f"{runs.listed(should_stop)} should be frozen but still require gradients")
    if should_train:
        parts.append(f"{runs.listed(should_train)} should train but are frozen")
    return f"After {_call(trainable, before)}: {'; '.join(parts)}."


def _check_flags(student, spec, trainable, candidates, before=None, standard=ref.freeze):
    """The student's report; fails, naming the mistake, when its requires_grad flags differ
    from what ``standard`` (the reference, or the student's own way of freezing) gives."""
    got = runs.student_run(student, "freeze", spec=spec, trainable=trainable, before=before)
    expected = runs.trusted_run("freeze", standard, spec=spec, trainable=trainable,
                                before=before)
    if got["requires_grad"] != expected["requires_grad"]:
        mistake = runs.matching("freeze", got, candidates, "requires_grad", spec=spec,
                                trainable=trainable, before=before)
        fail(_flags_message(got, expected, trainable, before)
             + (f" It looks like {mistake}." if mistake else ""))
    return got


@points(2)
def test_only_the_named_parts_stay_trainable(student):
    """Only the parts named in `trainable` keep requires_grad; frozen weights do not move.

    Only the parameters inside the parts named in `trainable` keep requires_grad (the
    default ("head",) among three models); frozen weights do not move in training.
    """
    for spec, trainable in TOP_LEVEL:
        got = _check_flags(student, spec, trainable, wrong.FREEZE_FLAG_MISTAKES)
        if got["judged_copy"]:
            fail(IN_PLACE)
        moved = [n for n in got["moved"] if not got["requires_grad"][n]]
        if moved:
            fail(f"After {_call(trainable)} and a few optimiser steps, frozen parameters "
                 f"changed ({runs.listed(moved)}).")


def _students_freeze(student):
    """The reference, or the wrong version whose flags the student's freeze gives on every
    top-level case (the first test charges it); None when it is none of them."""
    reports = [runs.student_run(student, "freeze", spec=s, trainable=t) for s, t in TOP_LEVEL]
    for function in [ref.freeze] + [f for f, _ in wrong.FREEZE_FLAG_MISTAKES]:
        theirs = [runs.trusted_run("freeze", function, spec=s, trainable=t) for s, t in TOP_LEVEL]
        if all(r is not None and r["requires_grad"] == g["requires_grad"]
               for r, g in zip(theirs, reports)):
            return function
    return None


def _frozen_norms(got, expected):
    """Batch norms the reference keeps still and the student froze too (all their
    parameters frozen, or they have none)."""
    kept = [n for n in expected["train_mode_after_freeze"] if n not in expected["stats_changed"]]
    return [n for n in kept if all(not v for p, v in got["requires_grad"].items()
                                   if p.startswith(n + "."))]


BN_CASES = [(specs.staged(), None), (specs.staged(6, 5, affine=False), None),
            (specs.flat(), ["layer2", "head"])]


@points(2)
def test_frozen_batch_norms_keep_their_statistics(student):
    """Frozen batch norms keep their statistics through model.train() and training.

    After freezing, `model.train()` and optimiser steps, the running mean and variance
    of every frozen batch norm are bit-identical.
    """
    for spec, trainable in BN_CASES:
        got = runs.student_run(student, "freeze", spec=spec, trainable=trainable)
        expected = runs.trusted_run("freeze", ref.freeze, spec=spec, trainable=trainable)
        moved = [n for n in _frozen_norms(got, expected) if n in got["stats_changed"]]
        if not moved:
            continue
        first = moved[0]
        woke_up = (not got["train_mode_after_freeze"][first]
                   and got["train_mode_after_train"][first])
        reason = wrong.STATISTICS_MISTAKES[0 if woke_up else 1][1]
        fail(f"After {_call(trainable)}, `model.train()` and a few optimiser steps, the running "
             f"statistics of frozen batch norms changed ({runs.listed(moved)}): {reason}. "
             f"{wrong.STATISTICS_HINT}")


@points(1)
def test_the_named_parts_still_train(student):
    """The parts named in `trainable` train, their batch norms included.

    The parts named in `trainable` train: their weights move and their batch norms
    update their running statistics.
    """
    spec, trainable = specs.flat(), ["layer2", "head"]
    got = runs.student_run(student, "freeze", spec=spec, trainable=trainable)
    expected = runs.trusted_run("freeze", ref.freeze, spec=spec, trainable=trainable)
    training = [n for n in expected["stats_changed"]
                if all(v for p, v in got["requires_grad"].items() if p.startswith(n + "."))]
    still = [n for n in training if n not in got["stats_changed"]]
    if still:
        fail(f"After {_call(trainable)}, the batch norms of the trainable parts "
             f"({runs.listed(still)}) no longer update their running statistics in training: "
             "only the frozen ones must stay in eval mode; those that train must keep up with "
             "the weights they normalise.")
    stuck = [n for n, v in got["requires_grad"].items() if v and n not in got["moved"]]
    if stuck:
        fail(f"After {_call(trainable)}, trainable parameters ({runs.listed(stuck)}) did not "
             "change in training.")


NESTED = [(specs.staged(), ["backbone.layer2", "head"]),
          (specs.indexed(), ["backbone.3", "backbone.4", "head"])]
OWN_WAY = ("Compared with your own way of freezing (the first test charges the difference "
           "from the right one).")


def _standard(student):
    """What the student's freeze is judged against in the later tests, or None (with a
    note) when their way of freezing is none the checks know."""
    own = _students_freeze(student)
    if own is None:
        note("Not judged: your freeze differs from the right one in a way the first test "
             "charges, so this test could not tell a separate mistake.")
    elif own is not ref.freeze:
        note(OWN_WAY)
    return own


@points(1)
def test_dotted_names_name_inner_parts(student):
    """A dotted name ("backbone.layer2", "backbone.3") keeps that inner part trainable.

    A dotted name such as "backbone.layer2" (or "backbone.3" in a Sequential) keeps that
    inner part trainable.
    """
    own = _standard(student)
    for spec, trainable in NESTED if own is not None else ():
        _check_flags(student, spec, trainable, wrong.NESTED_MISTAKES, standard=own)


@points(1)
def test_freezing_again_unfreezes_what_it_names(student):
    """Freezing again with more parts named makes them trainable again.

    Freezing again with more parts named (gradual unfreezing) makes them trainable
    again, batch norms included.
    """
    own = _standard(student)
    if own is None:
        return
    spec, before, trainable = specs.flat(), ["head"], ["layer2", "head"]
    got = _check_flags(student, spec, trainable, wrong.UNFREEZE_MISTAKES, before=before,
                       standard=own)
    named_now = [n for n in got["train_mode_after_freeze"]
                 if any(n.startswith(part + ".") for part in trainable if part not in before)]
    # judged only where one call lets the batch norm train (the test above charges the rest)
    fresh = runs.student_run(student, "freeze", spec=spec, trainable=trainable)
    asleep = [n for n in named_now if n in fresh["stats_changed"]
              and n not in got["stats_changed"]]
    if asleep:
        fail(f"After {_call(trainable, before)}, the batch norm of a part named again "
             f"({runs.listed(asleep)}) stays frozen: its running statistics no longer "
             "update in training. A part named in `trainable` must train normally, even if "
             "an earlier call froze it.")
