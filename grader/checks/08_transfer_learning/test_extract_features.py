"""extract_features(backbone, loader) -> (features, labels): every image of the loader once,
in its order, in eval mode, without recording gradients, the backbone left as it was.

The backbone records every forward pass (gradeworker.tools.transfer_models.
RecordingBackbone); the loader visits the images in a seeded order that is not the
dataset's, in batches whose last one is short. A backbone run in train mode is charged by
its own test: the values test then compares with train-mode features, and the last test
does not count the batch-norm statistics that train mode moved."""

import numpy as np

from grader.checking import fail, load_reference, note, points

ref = load_reference(__file__)
wrong = load_reference(__file__, "misconceptions")
specs = load_reference(__file__, "model_specs")
runs = load_reference(__file__, "runs")

LOADERS = [dict(n=23, batch_size=5), dict(n=16, batch_size=16)]


def _run(student, **options):
    return runs.student_run(student, "extract_features", spec=specs.backbone_only(), **options)


def _expected(got, **options):
    standard = wrong.extract_in_train_mode if got["train_mode_calls"] else ref.extract_features
    return runs.trusted_run("extract_features", standard, spec=specs.backbone_only(), **options)


def _returned_pair(got):
    if got["returned"]:
        fail(f"extract_features returned {got['returned']}: it must return two tensors, the features "
             "(N, D) and the labels (N,).")


@points(2)
def test_features_and_labels_in_the_loaders_order(student):
    """The features and labels of every image, in the loader's order.

    The features of every image and its label, concatenated in the order the loader
    gives them (23 images in batches of 5, and one batch of 16).
    """
    for options in LOADERS:
        got = _run(student, **options)
        _returned_pair(got)
        expected = _expected(got, **options)
        features = np.asarray(got["features"], dtype=np.float64)
        if features.shape != expected["features"].shape:
            fail(f"For {options['n']} images the features have shape {features.shape}: they "
                 "should be one row of D numbers per image, (N, D), D the backbone's output "
                 "width.")
        labels_right = np.array_equal(np.asarray(got["labels"]).ravel(), expected["labels"])
        if np.allclose(features, expected["features"], atol=1e-5) and labels_right:
            continue
        shuffled = runs.trusted_run("extract_features", wrong.extract_dataset_order,
                                    spec=specs.backbone_only(), **options)
        if shuffled is not None and np.allclose(features, shuffled["features"], atol=1e-5):
            fail(f"For {options['n']} images: {wrong.EXTRACT_VALUE_MISTAKES[0][1]}.")
        what = "labels" if np.allclose(features, expected["features"], atol=1e-5) else "features"
        fail(f"For {options['n']} images in batches of {options['batch_size']}, the {what} are "
             "not those of the loader's images in the loader's order.")
    if got["train_mode_calls"]:
        note("Compared with features computed in train mode, as your backbone ran (the eval "
             "mode test charges that).")


@points(1)
def test_runs_the_backbone_in_eval_mode(student):
    """The backbone runs in eval mode, also when it was in train mode.

    Every forward pass runs in eval mode, also when the backbone was in train mode.
    """
    got = _run(student, **LOADERS[0])
    if got["train_mode_calls"]:
        fail(f"{got['train_mode_calls']} of the backbone's forward passes ran in train mode: "
             f"{wrong.TRAIN_MODE}.")


@points(1)
def test_records_no_gradients(student):
    """No forward pass records gradients.

    No forward pass records gradients (nothing is trained here).
    """
    got = _run(student, **LOADERS[0])
    if got["recorded_calls"]:
        fail(f"In {got['recorded_calls']} forward passes, {wrong.RECORDED}.")


@points(1)
def test_each_image_once_and_the_backbone_left_as_it_was(student):
    """Each image goes through once, and the backbone is left as it was.

    Each image goes through the backbone once, and the backbone's weights, statistics
    and requires_grad flags are unchanged afterwards (the notebook's feature cache is
    keyed by the weights).
    """
    got = _run(student, **LOADERS[0])
    if got["passes"] != [1]:
        fail(f"Some images went through the backbone {max(got['passes'])} times (or "
             f"{min(got['passes'])}): features are computed once per image.")
    if got["flags_changed"]:
        fail(f"extract_features changed requires_grad of the backbone's parameters "
             f"({runs.listed(got['flags_changed'])}): fine-tuning it later would silently "
             "train nothing there. torch.no_grad() is enough to record no gradients.")
    changed = got["state_changed"]
    if got["train_mode_calls"]:
        changed = [n for n in changed if not n.endswith(("running_mean", "running_var",
                                                         "num_batches_tracked"))]
        note("Batch-norm statistics moved by train mode are not counted here (the eval mode "
             "test charges them).")
    if changed:
        fail(f"extract_features changed the backbone ({runs.listed(changed)}).")
