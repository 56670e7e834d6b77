"""replace_head(model, num_classes): a new, trainable nn.Linear with the backbone's width in
and num_classes out; nothing else in the model changes.

Run on models of several widths that the notebook never shows (model_specs). The shape test
judges the head and the model's output; the freshness test a head on a fully frozen model
(whatever its shape); the last test everything outside the head."""

from grader.checking import fail, load_reference, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
specs = load_reference(__file__, "model_specs")
runs = load_reference(__file__, "runs")

# Models with a `backbone` (the notebook's layout, which a head sized by running the backbone
# relies on), of three widths.
SHAPE_CASES = [(specs.staged(8, 7), 5), (specs.staged(12, 3), 11), (specs.indexed(5, 6), 2)]


def _head_words(report):
    if "in_features" not in report:
        return f"a {report['head_type']}"
    return f"Linear({report['in_features']}, {report['out_features']})"


@points(2)
def test_the_new_head_fits_the_backbone_and_the_classes(student):
    """The new head fits the backbone (any width) and gives num_classes scores.

    The new head takes the backbone's features (any width) and gives num_classes scores:
    the model's output is (N, num_classes).
    """
    for spec, classes in SHAPE_CASES:
        got = runs.student_run(student, "replace_head", spec=spec, num_classes=classes)
        expected = runs.trusted_run("replace_head", ref.replace_head, spec=spec,
                                    num_classes=classes)
        fields = ("head_type", "in_features", "out_features", "output_shape")
        if all(got.get(f) == expected[f] for f in fields):
            continue
        mistake = runs.matching("replace_head", got, wrong.HEAD_SHAPE_MISTAKES,
                                "out_features", spec=spec, num_classes=classes)
        if got.get("in_features") != expected["in_features"]:
            mistake = runs.matching("replace_head", got, wrong.HEAD_SHAPE_MISTAKES,
                                    "in_features", spec=spec, num_classes=classes) or (
                "the new head's in_features does not match the width of the backbone's "
                "features (read it from the old head, `model.head.in_features`, rather than "
                "writing a number)")
        output = got["output_shape"]
        fail(f"On a backbone with {expected['in_features']} features and num_classes="
             f"{classes}, the new head is {_head_words(got)} and the model's output "
             f"{'is ' + str(tuple(output)) if isinstance(output, list) else 'fails: ' + output}"
             f" (it should be (4, {classes})): {mistake or 'the head is not a Linear of the right shape'}.")


@points(1)
def test_the_new_head_is_fresh_and_trainable(student):
    """The new head is new (not the old weights) and trainable, even on a frozen model.

    The new head is newly initialised (not the old weights) and trainable, even when
    every parameter of the model was frozen before.
    """
    for spec, classes in [(specs.staged(8, 7), 7), (specs.indexed(5, 6), 9)]:
        got = runs.student_run(student, "replace_head", spec=spec, num_classes=classes,
                               frozen=True)
        if got["same_module"] or got.get("copies_old"):
            fail("The new head keeps the old head's weights: the lecture removes the last "
                 "layer and its weights and creates a new one with random weights.")
        if not got.get("trainable", True):
            fail("On a model whose parameters were all frozen, the new head is frozen too: "
                 "a new layer must be trainable (nn.Linear's parameters require gradients "
                 "unless something turns that off).")
        if not got.get("finite", True):
            fail("The new head's weights are not finite numbers.")


@points(1)
def test_the_rest_of_the_model_is_left_as_it_was(student):
    """Outside the head, nothing changes (weights, statistics, flags, modes).

    Outside the head, every weight, statistic, requires_grad flag and train/eval mode is
    unchanged.
    """
    for spec, frozen in [(specs.staged(8, 7), True), (specs.indexed(5, 6), False)]:
        got = runs.student_run(student, "replace_head", spec=spec, num_classes=3,
                               frozen=frozen)
        if got["changed_outside"]:
            fail(f"replace_head changed the model outside the head "
                 f"({runs.listed(got['changed_outside'])}).")
        if got["flags_changed_outside"]:
            state = "frozen" if frozen else "trainable"
            fail(f"replace_head changed requires_grad outside the head on a {state} model "
                 f"({runs.listed(got['flags_changed_outside'])}): freezing is freeze's job; "
                 "replace_head only swaps the head.")
        if got["modes_changed_outside"]:
            fail("replace_head changed the train/eval mode of the model outside the head.")
