"""evaluate(model, loader) -> (mean cross-entropy over samples, accuracy in [0, 1]).

Run on a probe network with batch norm and 37 synthetic images (batches of 8: the last has 5)."""

from grader.checking import Case, check_cases, expect, fail, load_reference, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
runs = load_reference(__file__, "probe_runs")


def _case(student, n, b):
    options = dict(n_samples=n, batch_size=b, start_mode="eval")
    report = runs.student_evaluate(student, **options)
    if report["returned"]:     # charged here only: the mode and no-grad tests read records
        fail(f"{report['returned']}: return both, e.g. `return total_loss / n, correct / n`.")
    return Case(report["value"],
                runs.trusted_evaluate(ref.evaluate, **options),
                f"{n} samples in batches of {b}",
                [(runs.trusted_evaluate(f, **options), m) for f, m in wrong.EVALUATE_MISTAKES],
                wrong_message="(loss, accuracy) are not the mean cross-entropy and the "
                              "fraction of correct predictions over all samples")


@points(2)
def test_mean_loss_and_accuracy_over_samples(student):
    """Mean cross-entropy and accuracy over all samples, with a smaller last batch."""
    check_cases([_case(student, 37, 8), _case(student, 33, 8)])


@points(1)
def test_puts_the_model_in_eval_mode(student):
    """Evaluates in eval mode, even when handed a model left in train mode."""
    report = runs.student_evaluate(student, start_mode="train")
    expect(report["records"], "evaluate never called the model.")
    if not all(not training for training, _, _ in report["records"]):
        fail("evaluate ran the model in train mode: call model.eval() first (in train mode "
             "batch norm uses each batch's statistics and updates its running ones, and "
             "dropout drops units).")
    if report["state_changed"]:
        fail("evaluate changed the model's weights or batch-norm statistics.")


@points(1)
def test_records_no_gradients(student):
    """Runs without recording gradients (torch.no_grad)."""
    report = runs.student_evaluate(student, start_mode="eval")
    expect(report["records"], "evaluate never called the model.")
    if any(grad for _, grad, _ in report["records"]) or report["has_grad"]:
        fail("evaluate records gradients: wrap it in `with torch.no_grad():` (evaluation "
             "needs no backward pass, and recording costs memory and time).")
