"""Sample mistakes per assignment: the demo grades them, the tests assert their feedback."""

from grader.mistakes import nb01, nb02, nb03, nb04, nb05, nb06, nb07
from grader.mistakes.types import Mistake  # noqa: F401  (re-exported)

MISTAKES = {
    "01_conv1d": nb01.MISTAKES,
    "02_conv2d": nb02.MISTAKES,
    "03_padding_stride_pooling": nb03.MISTAKES,
    "04_param_counting": nb04.MISTAKES,
    "05_conv_backprop": nb05.MISTAKES,
    "06_fc_vs_cnn_fashionmnist": nb06.MISTAKES,
    "07_cifar10": nb07.MISTAKES,
}

# What `python -m grader demo` grades besides the reference and the blank release: a few
# per notebook, the charged-once cases among them, so that the demo stays under 3 minutes.
# The test suite grades every sample; `python -m grader demo --all-samples` does too.
DEMO = {
    "01_conv1d": ("flipped_kernel", "off_by_one", "bias_per_position", "cheater_and_hang"),
    "02_conv2d": ("flipped_kernel", "column_order", "pixel_loop"),
    "03_padding_stride_pooling": ("ceil_output_size", "conv_pad_one_side", "diagram_misread"),
    "04_param_counting": ("macs_per_input", "macs_as_flops"),
    "05_conv_backprop": ("conv_backward_assign", "pool_ties_all"),
    "06_fc_vs_cnn_fashionmnist": ("train_no_zero_grad", "missing_checkpoint"),
    "07_cifar10": ("crop_vertical_flip", "block_relu_before_add"),
}
