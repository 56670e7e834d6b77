"""train_epoch(model, loader, optimizer, loss_fn) -> the epoch's mean loss over samples.

Run on a probe network and 37 synthetic images (batches of 8: the last has 5)."""

import numpy as np

from grader.checking import Case, check_cases, expect, fail, load_reference, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
runs = load_reference(__file__, "probe_runs")

FROZEN = {"lr": 0.0}   # the weights stay put: the loss it returns is fully determined


def _loss_case(student, context, candidates, **options):
    got = runs.student_train(student, **options)["losses"][0]
    expected = runs.trusted_train(ref.train_epoch, **options)["losses"][0]
    computed = [(runs.trusted_train(f, **options), m) for f, m in candidates]
    return Case(got, expected, context,
                [(c["losses"][0], m) for c, m in computed if c is not None],
                wrong_message="the returned loss is not the mean loss over the epoch's samples")


@points(2)
def test_returns_the_mean_loss_over_samples(student):
    """Returns the mean loss over the epoch's samples (batches weighted by their size)."""
    cases = [_loss_case(student, f"an epoch of {n} samples in batches of {b}",
                        wrong.TRAIN_LOSS_MISTAKES, n_samples=n, batch_size=b, **FROZEN)
             for n, b in ((37, 8), (30, 16))]
    check_cases(cases)


@points(1)
def test_uses_the_loss_function_it_is_given(student):
    """Uses the `loss_fn` argument (here cross-entropy with label smoothing)."""
    options = dict(n_samples=37, batch_size=8, loss="smoothed", **FROZEN)
    plain = runs.trusted_train(ref.train_epoch, **dict(options, loss="cross_entropy"))
    check_cases([Case(runs.student_train(student, **options)["losses"][0],
                      runs.trusted_train(ref.train_epoch, **options)["losses"][0],
                      "a loss_fn with label smoothing",
                      [(plain["losses"][0], "train_epoch computes its own cross-entropy "
                                            "instead of calling the loss_fn it is given")])])


@points(2)
def test_updates_the_weights_one_step_per_batch(student):
    """One optimizer step per batch, with fresh gradients each time (two epochs)."""
    options = dict(n_samples=37, batch_size=8, epochs=2, lr=0.05)
    got = runs.student_train(student, **options)
    if got["steps"] != 2 * 5:
        fail(f"Over 2 epochs of 5 batches, optimizer.step() ran {got['steps']} times; "
             "it should run once per batch.")
    candidates = [(runs.trusted_train(f, **options), m) for f, m in wrong.TRAIN_UPDATE_MISTAKES]
    check_cases([Case(runs.flat_weights(got["state"]),
                      runs.flat_weights(runs.trusted_train(ref.train_epoch, **options)["state"]),
                      "two epochs of SGD with momentum",
                      [(runs.flat_weights(c["state"]), m) for c, m in candidates if c],
                      wrong_message="the weights after training are not those of the "
                                    "standard zero_grad / forward / backward / step loop")])


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
    """The returned loss goes down over 4 epochs on learnable data."""
    losses = runs.student_train(student, epochs=4, lr=0.05)["losses"]
    if not np.all(np.isfinite(losses)) or not losses[-1] < losses[0]:
        fail("Over 4 epochs the loss train_epoch returned did not go down.")
