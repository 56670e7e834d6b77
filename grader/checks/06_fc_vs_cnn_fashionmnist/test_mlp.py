"""MLP: a dense network for (N, 1, 28, 28) images in [0, 1] -> (N, 10) class scores."""

from grader.checking import expect, fail, load_reference, points

runs = load_reference(__file__, "probe_runs")
CONVOLUTIONS = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d")


@points(1)
def test_gives_ten_scores_per_image(student):
    """MLP() takes a batch of images and returns 10 finite scores per image."""
    report = runs.summary(student, "MLP")
    expect(report["output_shape"] == [4, 10],
           f"For a batch of 4 images of shape (1, 28, 28), MLP returned shape "
           f"{tuple(report['output_shape'])}; expected (4, 10): one score per class.")
    expect(report["output_finite"], "MLP returned NaN or infinite scores.")


@points(1)
def test_is_dense_with_a_hidden_layer(student):
    """Only dense (Linear) layers, at least one hidden layer."""
    layers = runs.layers_summary(student, "MLP")["layer_counts"]
    used = sorted(name for name in layers if name in CONVOLUTIONS)
    if used:
        fail(f"MLP uses {', '.join(used)}: the dense network must use Linear layers only "
             "(the point of this notebook is to compare it with the CNN).")
    if layers.get("Linear", 0) < 2:
        fail("MLP needs at least one hidden layer: two or more Linear layers with a "
             "non-linearity between them.")
