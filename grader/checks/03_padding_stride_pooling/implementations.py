"""Right and wrong implementations of 03_padding_stride_pooling's graded functions (the demo
grades DEMO; the test suite grades all of them: see grader.authoring.implementations). Their
sources live in implementations_data.py.

A slip is the solution notebook's cell with one change (reference.py is written with torch);
a change that no longer applies fails loudly. Several slips share one notebook where no wrong
function calls a broken one whose slip would hide its own.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_solution
from grader.checking import load_reference

d = load_reference(__file__, "implementations_data")
_changed = partial(edited_solution, "03_padding_stride_pooling")

IMPLEMENTATIONS = [
    Implementation("loops", "every function with plain loops (right)", d.LOOPS),
    Implementation("vectorized", "im2col, stride tricks in the pooling, a reduce (right)",
                   d.VECTORIZED),
    # The one sample of "each mistake charged once": conv2d_forward and the pooling
    # functions are right but call this wrong conv_output_size; only its part may lose.
    Implementation("ceil_output_size", "conv_output_size rounds up (ceil instead of floor); its "
            "correct callers must not be charged",
            {"conv_output_size": _changed("conv_output_size", (d.SIZE, "size = -(-(n + 2 * padding "
                                          "- dilation * (k - 1) - 1) // stride) + 1"))},
            {"test_conv_output_size": "rounded up"},
            notes={"test_conv_output_size": "the cases with floor"}),
    Implementation("same_padding_no_dilation", "same_padding ignores the dilation",
            {"same_padding": _changed("same_padding", ("span = dilation * (k - 1) + 1",
                                                       "span = k"))},
            {"test_same_padding": "dilation is ignored"},
            notes={"test_same_padding": "Not checked here: dilation=0"}),
    Implementation("conv_pad_one_side", "conv2d_forward pads only the top and the left",
            {"conv2d_forward": _changed(
                "conv2d_forward", ("xp = pad2d(x, (ph, pw))",
                 "xp = pad2d(x, (ph, pw))[:, :, :x.shape[2] + ph, :x.shape[3] + pw]"),
                ("(x.shape[2], kh, ph,", "(x.shape[2] + ph, kh, 0,"),
                ("(x.shape[3], kw, pw,", "(x.shape[3] + pw, kw, 0,"))},
            {"test_conv2d_forward": "only one side"},
            notes={"test_conv2d_forward": "no padding (test_padding)"}),
    Implementation("conv_bias_per_position", "conv2d_forward adds the bias along the width axis",
            {"conv2d_forward": _changed("conv2d_forward",
                                        ("out += b[None, :, None, None]", "out += b"))},
            {"test_conv2d_forward": "per position"},
            notes={"test_conv2d_forward": "no bias (b=None) (test_plain)"}),
    Implementation("pool_stride_one", "maxpool2d_forward defaults the stride to 1", {
            "maxpool2d_forward": _changed("maxpool2d_forward", ("(kh, kw) if", "(1, 1) if"))},
            {"test_maxpool2d_forward": "default to the kernel size"},
            notes={"test_maxpool2d_forward": "the stride given instead of stride=None"}),
    Implementation("pool_non_overlapping", "avgpool2d_forward reshapes into non-overlapping blocks "
            "whatever the stride",
            {"avgpool2d_forward": d.NON_OVERLAPPING}, {"test_avgpool2d_forward": "do not overlap"}),
    Implementation("avg_wrong_count", "avgpool2d_forward divides by kh instead of kh * kw",
            {"avgpool2d_forward": _changed("avgpool2d_forward", (d.AVG, "total / kh"))},
            {"test_avgpool2d_forward": "wrong count"}),
    Implementation("gap_keepdims", "global_avg_pool keeps (N, C, 1, 1)",
            {"global_avg_pool": _changed("global_avg_pool",
                                         (d.GAP, "x.mean(axis=(2, 3), keepdims=True)"))},
            {"test_global_avg_pool": "kept the spatial axes"}),
    Implementation("rf_no_stride", "receptive_field adds d * (k - 1) per layer, strides ignored",
            {"receptive_field": _changed("receptive_field",
                                         (d.RF_STEP, "size += dilation * (kernel - 1)"))},
            {"test_receptive_field": "strides are ignored"},
            notes={"test_receptive_field": "strides set to 1 in every layer"}),
    Implementation("rf_measured", "receptive_field measures the field with the viewer's autograd",
            {"receptive_field": d.RF_BY_VIEWER}, {"test_receptive_field": "pure arithmetic"}),
    Implementation("pad2d_library", "pad2d calls np.pad (forbidden); conv2d_forward uses it and "
            "stays right", {"pad2d": d.PAD2D_NP_PAD}, {"test_pad2d": "implement yourself"}),
    Implementation("diagram_misread", "diagram answers: padding of both sides in B, skipped cells "
            "as dilation in C",
            {"diagram_answers": _changed(
                "diagram_answers", ('"stride": 1, "padding": 1', '"stride": 1, "padding": 2'),
                ('"padding": 0, "dilation": 3}', '"padding": 0, "dilation": 2}'))},
            {"test_diagram_answers": "both sides"}),
    # A slip in every part; none of these functions calls the broken conv_output_size.
    Implementation("swaps_and_library", "arguments or axes swapped, even kernels accepted, "
            "F.conv2d and F.max_pool2d, wrong divisor/axes, strides counted early, diagram A/E",
            {"conv_output_size": _changed("conv_output_size",
                                          ("padding=0, stride=1,", "stride=1, padding=0,")),
             "pad2d": _changed("pad2d", ("height + 2 * ph, width + 2 * pw",
                                         "height + 2 * pw, width + 2 * ph"),
                               ("ph:ph + height, pw:pw + width", "pw:pw + height, ph:ph + width")),
             "same_padding": _changed("same_padding", (d.EVEN_CHECK, "")),
             "conv2d_forward": d.CONV_BY_TORCH,
             "maxpool2d_forward": d.MAXPOOL_BY_TORCH,
             "avgpool2d_forward": d.AVG_BY_STRIDE,
             "global_avg_pool": _changed("global_avg_pool", (d.GAP, "x.mean(axis=(1, 2, 3))")),
             "receptive_field": _changed("receptive_field", (d.RF_STEP, d.RF_STEP + " * stride")),
             "diagram_answers": _changed("diagram_answers", ('"stride": 2, "padding": 0',
                                                             '"stride": 1, "padding": 0'),
                                         ('"output_size": 4', '"output_size": 5'))},
            {"test_conv_output_size": "padding and stride are swapped", "test_pad2d": "swapped",
             "test_same_padding": "even effective kernel",
             "test_conv2d_forward": "implement yourself", "test_receptive_field": "BEFORE",
             "test_maxpool2d_forward": "implement yourself",
             "test_avgpool2d_forward": "stride * stride", "test_global_avg_pool": "wrong axes",
             "test_diagram_answers": "Diagram A: (1) 'stride' is wrong"}),
    # conv2d_forward flips the kernel and calls the broken conv_output_size and pad2d: its
    # own slip is still named.
    Implementation("flips_and_library", "d*k in conv_output_size, np.pad, a flipped kernel, "
            "scipy and torch pooling, the dilation ignored in the receptive field",
            {"conv_output_size": _changed("conv_output_size", (
                d.SIZE, "size = (n + 2 * padding - dilation * k) // stride + 1")),
             "pad2d": d.PAD2D_NP_PAD,
             "conv2d_forward": _changed("conv2d_forward", (
                 "c_out, _, kh, kw = w.shape",
                 "w = w[:, :, ::-1, ::-1]             # a true convolution\n"
                 "    c_out, _, kh, kw = w.shape")),
             "maxpool2d_forward": d.MAXPOOL_BY_SCIPY,
             "global_avg_pool": d.GAP_BY_TORCH,
             "receptive_field": _changed("receptive_field",
                                         (d.RF_STEP, "size += (kernel - 1) * jump"))},
            {"test_conv_output_size": "not d*k", "test_pad2d": "implement yourself",
             "test_conv2d_forward": "flipped the kernel",
             "test_maxpool2d_forward": "implement yourself",
             "test_global_avg_pool": "implement yourself",
             "test_receptive_field": "dilation is ignored"},
            notes={"test_receptive_field": "dilation set to 1 in every layer",
                   "test_conv_output_size": "the cases with dilation"}),
    Implementation("stride_tricks_and_autograd", "conv2d_forward with sliding_window_view "
            "(forbidden there), receptive_field measured with autograd",
            {"conv2d_forward": d.CONV_BY_WINDOW_VIEW, "receptive_field": d.RF_BY_AUTOGRAD},
            {"test_conv2d_forward": "implement yourself",
             "test_receptive_field": "pure arithmetic"}),
]

# A limitation (one feature missing in a function otherwise right) is charged once: by the
# test about that feature; the part's other tests pass and say what they could not check.
IMPLEMENTATIONS += [
    Implementation("skipped_dilation", "dilation ignored (and not validated) in conv_output_size, "
            "same_padding, conv2d_forward and receptive_field", d.NO_DILATION,
            {"test_conv_output_size": "dilation is ignored", "test_same_padding": "dilation is "
             "ignored", "test_conv2d_forward": "dilation is ignored",
             "test_receptive_field": "dilation is ignored"},
            notes={"test_conv_output_size": "the cases with dilation",
                   "test_same_padding": "Not checked here: dilation=0",
                   "test_conv2d_forward": "no dilation (test_dilation)",
                   "test_receptive_field": "dilation set to 1 in every layer"}),
    Implementation("asserts_divisible", "conv_output_size, conv2d_forward and avgpool2d_forward "
            "raise ValueError unless the stride divides the size", d.DIVIDES_EXACTLY,
            {"test_conv_output_size": "return the floor instead of raising",
             "test_conv2d_forward": "conv_output_size floors), so do not raise",
             "test_avgpool2d_forward": "do not tile exactly is fine"},
            notes={"test_conv_output_size": "the cases with floor",
                   "test_conv2d_forward": "stride 1 where the stride does not divide the size",
                   "test_avgpool2d_forward": "the image cropped to the windows that fit"}),
    Implementation("ints_only", "pad2d and maxpool2d_forward take ints only (no (h, w) pairs); "
            "same_padding returns a float", d.INTS_ONLY,
            {"test_pad2d": "padding may be a pair", "test_maxpool2d_forward": "may be (h, w) pairs",
             "test_same_padding": "use // instead of /"},
            notes={"test_pad2d": "(ph, pw) pairs", "test_maxpool2d_forward": "instead of (h, w) "
                   "pairs", "test_same_padding": "returns floats"}),
    Implementation("no_none", "conv2d_forward crashes on b=None, maxpool2d_forward on stride=None",
            d.NO_NONE, {"test_conv2d_forward": "b=None must work",
                        "test_maxpool2d_forward": "stride=None (also when no stride is given)"},
            notes={"test_conv2d_forward": "b=None passed as a zero bias",
                   "test_maxpool2d_forward": "the stride given instead of stride=None"}),
    Implementation("square_kernels", "conv2d_forward takes KW = KH (square kernels only)",
            d.SQUARE_KERNELS, {"test_conv2d_forward": "the kernel may be non-square"},
            notes={"test_conv2d_forward": "kernels cropped square"}),
    Implementation("two_d_only", "pad2d pads (H, W) arrays only; avgpool2d_forward crashes on "
            "stride=None", d.TWO_D_ONLY,
            {"test_pad2d": "X may have leading axes",
             "test_avgpool2d_forward": "stride=None (also when no stride is given)"},
            notes={"test_pad2d": "the pairs on arrays with leading axes",
                   "test_avgpool2d_forward": "the stride given instead of stride=None"}),
]
IMPLEMENTATIONS += load_reference(__file__, "named_slips").IMPLEMENTATIONS

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("ceil_output_size", "conv_pad_one_side", "diagram_misread")
