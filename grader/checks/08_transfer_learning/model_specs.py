"""The models 08's checks run the students' functions on (``gradeworker.tools.
transfer_models.build`` builds them in both processes). None is the notebook's TransferNet:
other widths, names and depths, a flat torchvision-like layout, parameter-free batch norms,
a shared block. Loaded with ``load_reference(__file__, "model_specs")``."""

RELU = ["ReLU", {}]
POOL = [["AdaptiveAvgPool2d", {"output_size": 1}], ["Flatten", {}]]


def conv(c_in, c_out, stride=1):
    return ["Conv2d", {"in_channels": c_in, "out_channels": c_out, "kernel_size": 3,
                       "stride": stride, "padding": 1, "bias": False}]


def norm(channels, **options):
    return ["BatchNorm2d", {"num_features": channels, **options}]


def linear(n_in, n_out):
    return ["Linear", {"in_features": n_in, "out_features": n_out}]


def staged(width=8, classes=7, affine=True):
    """backbone (stem, layer1, layer2, pool) + head: the notebook's layout, small."""
    return {"backbone": {"stem": [conv(3, width), norm(width, affine=affine), RELU],
                         "layer1": [conv(width, width), norm(width), RELU],
                         "layer2": [conv(width, 2 * width, 2), norm(2 * width), RELU],
                         "pool": POOL},
            "head": linear(2 * width, classes)}


def flat(width=6, classes=4):
    """torchvision-like: every stage a direct child of the model, the head last."""
    return {"conv1": conv(3, width), "bn1": norm(width), "relu": RELU,
            "layer1": [conv(width, width), norm(width), RELU],
            "layer2": [conv(width, 2 * width, 2), norm(2 * width), RELU],
            "pool": POOL, "head": linear(2 * width, classes)}


def indexed(width=5, classes=6):
    """A backbone that is one Sequential (children named 0, 1, ...) before a head."""
    return {"backbone": [conv(3, width), norm(width), RELU, conv(width, width), norm(width),
                         RELU, *POOL],
            "head": linear(width, classes)}


def shared(width=8, classes=3):
    """A block applied twice: registered under two names, its parameters shared."""
    return {"backbone": {"stem": [conv(3, width), norm(width), RELU],
                         "block": [conv(width, width), RELU],
                         "again": ["Shared", "backbone.block"], "pool": POOL},
            "head": linear(width, classes)}


def backbone_only(width=6):
    """What extract_features is given: a backbone (recorded) mapping images to (N, 2w)."""
    return {"stem": [conv(3, width), norm(width), RELU],
            "layer1": [conv(width, 2 * width, 2), norm(2 * width), RELU], "pool": POOL}
