"""Right and wrong implementations of 07_cifar10's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations).

Each wrong definition is the reference's own (the solution notebook holds the same code)
with one change, so the samples follow the reference when it changes; a change that no
longer applies fails loudly here instead of grading the reference under a wrong name.
Every sample but the blank release hands in the reference's trained `cifarnet.pt` unless
``files`` says otherwise: a sample whose block computes something else with those weights
also loses checkpoint points (listed in ``cascades``).
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_reference, untrained_weights

_changed = partial(edited_reference, "07_cifar10")


_LOOP = '''def random_crop_flip(x, padding=4):
    out = torch.empty_like(x)
    padded = F.pad(x, [padding, padding, padding, padding])
    for i in range(x.shape[0]):
        top, left = torch.randint(0, 2 * padding + 1, (2,)).tolist()
        image = padded[i, :, top:top + x.shape[2], left:left + x.shape[3]]
        out[i] = image.flip(-1) if torch.rand(()) < 0.5 else image
    return out
'''

IMPLEMENTATIONS = [
    Implementation("crop_vertical_flip", "random_crop_flip mirrors the images upside down",
            {"random_crop_flip": _changed(
                "random_crop_flip",
                ("rows = top[:, None] + torch.arange(h)",
                 "rows = top[:, None] + torch.where(flip[:, None], h - 1 - torch.arange(h), "
                 "torch.arange(h))"),
                ("torch.where(flip[:, None], w - 1 - steps, steps)", "steps"))},
            {"test_random_crop_flip": "upside down"}),
    Implementation("crop_one_shift_per_batch", "random_crop_flip shifts every image of a batch alike",
            {"random_crop_flip": _changed(
                "random_crop_flip",
                ("top = torch.randint(0, 2 * padding + 1, (n,))",
                 "top = torch.randint(0, 2 * padding + 1, (1,)).expand(n)"),
                ("left = torch.randint(0, 2 * padding + 1, (n,))",
                 "left = torch.randint(0, 2 * padding + 1, (1,)).expand(n)"))},
            {"test_random_crop_flip": "same shift"}),
    Implementation("crop_loop_over_images", "random_crop_flip loops over the images of the batch",
            {"random_crop_flip": _LOOP},
            {"test_random_crop_flip": "loops over the images"}),
    Implementation("block_relu_before_add", "ResidualBlock applies its ReLU before adding x",
            {"ResidualBlock": _changed(
                "ResidualBlock",
                ("return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))",
                 "return F.relu(self.bn2(self.conv2(out))) + self.shortcut(x)"))},
            {"test_residual_block": "the ReLU must come after the addition"},
            cascades=("test_cifarnet_checkpoint",)),
    Implementation("block_no_projection", "ResidualBlock always adds x itself, even when shapes differ",
            {"ResidualBlock": _changed(
                "ResidualBlock", ("if stride == 1 and c_in == c_out:", "if True:"))},
            {"test_residual_block": "the shortcut must be a 1x1 convolution"},
            cascades=("test_cifarnet", "test_cifarnet_checkpoint")),
    Implementation("convbnrelu_relu_first", "ConvBNReLU applies the ReLU before the batch norm",
            {"ConvBNReLU": _changed(
                "ConvBNReLU", ("return F.relu(self.bn(self.conv(x)))",
                               "return self.bn(F.relu(self.conv(x)))"))},
            {"test_conv_bn_relu": "ReLU before the batch norm"},
            cascades=("test_cifarnet_checkpoint",)),
    Implementation("missing_checkpoint", "cifarnet.pt was not handed in", {},
            {"test_cifarnet_checkpoint": "No `cifarnet.pt` was submitted"},
            files={"cifarnet.pt": None}),
    Implementation("untrained_checkpoint", "cifarnet.pt was saved before training", {},
            {"test_cifarnet_checkpoint": "test accuracy; this check needs"},
            files={"cifarnet.pt": untrained_weights}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("crop_vertical_flip", "block_relu_before_add")
