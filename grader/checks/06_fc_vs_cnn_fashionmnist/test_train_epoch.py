"""train_epoch(model, loader, optimizer, loss_fn) -> the epoch's mean loss over samples.

Run on a probe network and 37 synthetic images (batches of 8: the last has 5).

Each mistake is charged once: the probe starts in train mode except in the train-mode test
(a loop that never calls model.train() loses that test only); the loss_fn test compares
with the student's own way of averaging the batch losses (the first test charges a wrong
one); the loss-goes-down test does not charge again a loss that does not go down because
of weight updates or a returned value the tests above charge. A returned value that is not
a number (None, a tuple) is charged by the first test alone: the loss_fn test then judges
the weights, and the others never read the value."""

import numpy as np

from grader.checking import Case, check_cases, expect, fail, load_reference, note, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
runs = load_reference(__file__, "probe_runs")

FROZEN = {"lr": 0.0}   # the weights stay put: the loss it returns is fully determined
TRAINING = {"start_mode": "train"}   # model.train() is the train-mode test's business
UPDATES = dict(n_samples=37, batch_size=8, epochs=2, lr=0.05, **TRAINING)


def _close(a, b):
    return b is not None and np.allclose(np.asarray(a, dtype=np.float64),
                                         np.asarray(b, dtype=np.float64), atol=1e-6, rtol=1e-6)


def _loss_case(student, context, candidates, **options):
    got = runs.student_train(student, **options)["losses"][0]
    expected = runs.trusted_train(ref.train_epoch, **options)["losses"][0]
    computed = [(runs.trusted_train(f, **options), m) for f, m in candidates]
    return Case(got, expected, context,
                [(c["losses"][0], m) for c, m in computed if c is not None],
                wrong_message="the returned loss is not the mean loss over the epoch's samples")


def _loss_cases(student):
    return [_loss_case(student, f"an epoch of {n} samples in batches of {b}",
                       wrong.TRAIN_LOSS_MISTAKES, n_samples=n, batch_size=b, **FROZEN, **TRAINING)
            for n, b in ((37, 8), (30, 16))]


RETURN_A_NUMBER = ("{returned}: it must return the epoch's mean loss as one number "
                   "(e.g. `return total_loss / n_samples`).")


@points(2)
def test_returns_the_mean_loss_over_samples(student):
    """Returns the mean loss over the epoch's samples (batches weighted by their size)."""
    returned = runs.student_train(student, **FROZEN, **TRAINING)["returned"]
    if returned:
        fail(RETURN_A_NUMBER.format(returned=returned))
    check_cases(_loss_cases(student))


OWN_CROSS_ENTROPY = ("train_epoch computes its own cross-entropy instead of calling the "
                     "loss_fn it is given")


def _loss_fn_by_the_weights(student):
    """Which loss the weights were trained on, when the returned value is not a number."""
    options = dict(n_samples=37, batch_size=8, loss="smoothed", lr=0.05, **TRAINING)
    got = runs.flat_weights(runs.student_train(student, **options)["state"])
    plain = runs.trusted_train(ref.train_epoch, **dict(options, loss="cross_entropy"))
    if _close(got, runs.flat_weights(plain["state"])):
        fail(f"For a loss_fn with label smoothing: {OWN_CROSS_ENTROPY}.")
    note("Judged by the weights after an epoch, as the value train_epoch returns is not a "
         "number (the test of the returned loss charges that).")


def _students_average(student, options):
    """The reference, or the wrong way of averaging the batch losses (the first test
    charges it) that gives what the student's train_epoch returns with plain cross-entropy."""
    got = runs.student_train(student, **dict(options, loss="cross_entropy"))["losses"][0]
    plain = dict(options, loss="cross_entropy")
    if _close(got, runs.trusted_train(ref.train_epoch, **plain)["losses"][0]):
        return ref.train_epoch
    for average, _ in wrong.TRAIN_LOSS_MISTAKES:
        run = runs.trusted_train(average, **plain)
        if run is not None and _close(got, run["losses"][0]):
            return average
    return ref.train_epoch


@points(1)
def test_uses_the_loss_function_it_is_given(student):
    """Uses the `loss_fn` argument (here cross-entropy with label smoothing)."""
    options = dict(n_samples=37, batch_size=8, loss="smoothed", **FROZEN, **TRAINING)
    if runs.student_train(student, **options)["losses"][0] is None:
        _loss_fn_by_the_weights(student)
        return
    average = _students_average(student, options)
    plain = runs.trusted_train(average, **dict(options, loss="cross_entropy"))
    check_cases([Case(runs.student_train(student, **options)["losses"][0],
                      runs.trusted_train(average, **options)["losses"][0],
                      "a loss_fn with label smoothing",
                      [(plain["losses"][0], OWN_CROSS_ENTROPY)])])
    if average is not ref.train_epoch:
        note("Compared with your own way of averaging the batch losses (the test of the "
             "returned loss charges it).")


def _weights_case(student):
    """(optimizer steps taken, the Case of the weights after two epochs)."""
    got = runs.student_train(student, **UPDATES)
    candidates = [(runs.trusted_train(f, **UPDATES), m) for f, m in wrong.TRAIN_UPDATE_MISTAKES]
    return got["steps"], Case(
        runs.flat_weights(got["state"]),
        runs.flat_weights(runs.trusted_train(ref.train_epoch, **UPDATES)["state"]),
        "two epochs of SGD with momentum",
        [(runs.flat_weights(c["state"]), m) for c, m in candidates if c],
        wrong_message="the weights after training are not those of the standard zero_grad / "
                      "forward / backward / step loop")


@points(2)
def test_updates_the_weights_one_step_per_batch(student):
    """One optimizer step per batch, with fresh gradients each time (two epochs)."""
    steps, case = _weights_case(student)
    if steps != 2 * 5:
        fail(f"Over 2 epochs of 5 batches, optimizer.step() ran {steps} times; "
             "it should run once per batch.")
    check_cases([case])


@points(1)
def test_puts_the_model_in_train_mode(student):
    """Trains in train mode, even when handed a model left in eval mode."""
    records = runs.student_train(student, start_mode="eval", **FROZEN)["records"]
    expect(records, "train_epoch never called the model.")
    if not all(training for training, _, _ in records):
        fail("train_epoch ran the model in eval mode: call model.train() at its start "
             "(evaluate leaves the model in eval mode, and batch norm and dropout behave "
             "differently there).")


@points(1)
def test_the_loss_goes_down_over_epochs(student):
    """The returned loss goes down over 4 epochs on learnable data.

    Not charged again when the weight updates or the returned loss are wrong (the tests
    above charge those)."""
    losses = runs.student_train(student, epochs=4, lr=0.05, **TRAINING)["losses"]
    if None in losses:
        note("The value train_epoch returns is not a number (the test of the returned loss "
             "charges that): whether it goes down is not judged.")
        return
    if np.all(np.isfinite(losses)) and losses[-1] < losses[0]:
        return
    steps, case = _weights_case(student)
    if steps != 2 * 5 or not _close(case.got, case.expected):
        note("The loss did not go down, but the weight updates are wrong (the test of the "
             "updates charges that): not charged again here.")
        return
    if not all(_close(c.got, c.expected) for c in _loss_cases(student)):
        note("The loss did not go down, but the returned loss is wrong (the test of the "
             "returned loss charges that): not charged again here.")
        return
    fail("Over 4 epochs the loss train_epoch returned did not go down.")
