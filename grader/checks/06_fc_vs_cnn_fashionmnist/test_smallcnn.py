"""SmallCNN: a small convolutional network, (N, 1, 28, 28) in [0, 1] -> (N, 10) scores."""

from grader.checking import expect, fail, load_reference, points

runs = load_reference(__file__, "probe_runs")
MAX_PARAMETERS = 1_000_000


@points(1)
def test_gives_ten_scores_per_image(student):
    """SmallCNN() takes a batch of images and returns 10 finite scores per image."""
    report = runs.summary(student, "SmallCNN")
    expect(report["output_shape"] == [4, 10],
           f"For a batch of 4 images of shape (1, 28, 28), SmallCNN returned shape "
           f"{tuple(report['output_shape'])}; expected (4, 10): one score per class.")
    expect(report["output_finite"], "SmallCNN returned NaN or infinite scores.")


@points(1)
def test_is_small_and_convolutional(student):
    """At least two Conv2d layers and at most a million parameters."""
    report = runs.layers_summary(student, "SmallCNN")
    if report["layer_counts"].get("Conv2d", 0) < 2:
        fail("SmallCNN needs at least two Conv2d layers.")
    if report["n_params"] > MAX_PARAMETERS:
        fail(f"SmallCNN has {report['n_params']:,} parameters; a small CNN for 28x28 images "
             f"needs far fewer (at most {MAX_PARAMETERS:,} here).")
