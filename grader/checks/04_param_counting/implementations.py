"""Right and wrong implementations of 04_param_counting's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations)."""

from grader.authoring.implementations import Implementation


def _conv_params(body):
    return ('''def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    kh, kw = (k, k) if not isinstance(k, (tuple, list)) else k
    if min(c_in, c_out, kh, kw, groups) < 1 or c_in % groups or c_out % groups:
        raise ValueError("bad layer")
''' + body)


_HOOKED_RUN = '''
    handles = [m.register_forward_hook(hook) for m in model.modules()
               if next(m.children(), None) is None]
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(example_input(model, input_shape))
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
'''

IMPLEMENTATIONS = [
    Implementation("conv_forgot_bias", "conv2d_params counts the weights only",
            {"conv2d_params": _conv_params("    return c_out * (c_in // groups) * kh * kw\n")},
            {"test_conv2d_params": "forgot the biases"}),
    Implementation("conv_forgot_cin", "conv2d_params counts one kernel per filter",
            {"conv2d_params": _conv_params("    return c_out * kh * kw + (c_out if bias else 0)\n")},
            {"test_conv2d_params": "forgot C_in"}),
    Implementation("conv_k_not_k2", "conv2d_params multiplies by the kernel height only",
            {"conv2d_params": _conv_params(
                "    return c_out * (c_in // groups) * kh + (c_out if bias else 0)\n")},
            {"test_conv2d_params": "K instead of K^2"}),
    Implementation("conv_groups_ignored", "conv2d_params ignores groups",
            {"conv2d_params": _conv_params(
                "    return c_out * c_in * kh * kw + (c_out if bias else 0)\n")},
            {"test_conv2d_params": "groups is ignored"}),
    Implementation("conv_numel", "conv2d_params builds nn.Conv2d and counts numel (not allowed)",
            {"conv2d_params": '''def conv2d_params(c_in, c_out, k, bias=True, groups=1):
    if min(c_in, c_out, groups) < 1:
        raise ValueError("bad layer")
    layer = nn.Conv2d(c_in, c_out, k, bias=bias, groups=groups, device="meta")
    return sum(p.numel() for p in layer.parameters())
'''}, {"test_conv2d_params": "must count by formula"}),
    Implementation("bn_running_stats", "batchnorm2d_params counts the running mean and variance",
            {"batchnorm2d_params": '''def batchnorm2d_params(c):
    if c < 1:
        raise ValueError("c must be >= 1")
    return 4 * c
'''}, {"test_batchnorm2d_params": "running mean and variance"}),
    Implementation("macs_per_input", "model_macs uses each convolution's input size",
            {"model_macs": '''def model_macs(model, input_shape):
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            n, c, h, w = inputs[0].shape
            kh, kw = module.kernel_size
            total += n * module.out_channels * h * w * (c // module.groups) * kh * kw
        elif isinstance(module, nn.Linear):
            total += output.numel() * module.in_features
''' + _HOOKED_RUN + '''    return total
'''}, {"test_model_macs": "per INPUT position"}),
    Implementation("table_buffers", "layer_table counts state_dict entries (running statistics too)",
            {"layer_table": '''def layer_table(model, input_shape):
    names = {m: n for n, m in model.named_modules()}
    rows = []

    def hook(module, inputs, output):
        if names[module] not in [r[0] for r in rows]:
            count = sum(v.numel() for v in module.state_dict().values())
            rows.append((names[module], tuple(output.shape), count))
''' + _HOOKED_RUN + '''    return rows
'''}, {"test_layer_table": "buffers"}),
    # Each mistake charged once: model_macs is right but calls this wrong conv2d_macs
    # (FLOPs, 2 per MAC); only conv2d_macs may lose points.
    Implementation("macs_as_flops", "conv2d_macs returns FLOPs; model_macs calls it and stays right",
            {"conv2d_macs": '''def conv2d_macs(c_in, c_out, k, h_out, w_out, groups=1):
    kh, kw = (k, k) if not isinstance(k, (tuple, list)) else k
    if min(c_in, c_out, kh, kw, groups, h_out, w_out) < 1 or c_in % groups or c_out % groups:
        raise ValueError("bad layer")
    return 2 * c_out * h_out * w_out * (c_in // groups) * kh * kw
'''}, {"test_conv2d_macs": "FLOPs"}),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("macs_per_input", "macs_as_flops")
