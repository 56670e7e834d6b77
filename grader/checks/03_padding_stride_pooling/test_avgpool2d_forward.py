"""Hidden checks for avgpool2d_forward(x, kernel_size, stride=None) on (N, C, H, W).

No library pooling, convolution, unfold/fold or scipy filters; loops, reshapes
and the numpy stride tricks are allowed (see pooling_cases.FORBID).
"""

from grader.checking import load_reference, points

GRADES = ("avgpool2d_forward",)
TRUSTED_CALLEES = ("conv_output_size", "pad2d")

cases = load_reference(__file__, "pooling_cases")


@points(1)
def test_default_stride(student):
    "stride=None: the stride defaults to the kernel size (non-overlapping windows), square and (kh, kw) kernels."
    cases.default_stride(student, "avg")


@points(1)
def test_overlapping_windows(student):
    "Overlapping windows: kernel 3 stride 2, kernel 3 stride 1, kernel 4 stride 2, (3, 2) with stride (2, 1)."
    cases.overlapping(student, "avg")


@points(1)
def test_stride_larger_than_kernel(student):
    "Strides larger than or equal to the kernel, odd sizes whose last row/column is dropped."
    cases.strided(student, "avg")


@points(1)
def test_edge_cases_and_errors(student):
    "Window as large as the image, 1x1 windows, integer and all-negative inputs; bad sizes raise ValueError."
    cases.edge_cases_and_errors(student, "avg")
