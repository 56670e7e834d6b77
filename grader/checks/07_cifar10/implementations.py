"""Right and wrong implementations of 07_cifar10's graded functions (the demo grades DEMO; the
test suite grades all of them: see grader.authoring.implementations).

The first samples mostly change the reference's own definitions (the solution notebook holds
the same code), one slip each, so they follow the reference when it changes; a change that no
longer applies fails loudly here instead of grading the reference under a wrong name. They
hand in the reference's trained `cifarnet.pt` (unless ``files`` says otherwise): a sample
whose block computes something else with those weights also loses checkpoint points (listed
in ``cascades``). The others (``_cheap``) are written the ways students write them: crops
by fancy indexing, unfold or grid_sample, blocks as modules or Sequentials, with slips in
them. They hand in no checkpoint (grading one costs about 30 s), so their checkpoint part may
only lose points for that reason.
"""

from functools import partial

from grader.authoring.implementations import Implementation, edited_reference, untrained_weights

_changed = partial(edited_reference, "07_cifar10")


def _edited(source, *edits):
    """``source`` with each (old, new) text edit applied exactly once."""
    for old, new in edits:
        if source.count(old) != 1:
            raise ValueError(f"07 sample out of date: {old!r} is not in its template once")
        source = source.replace(old, new)
    return source


def _cheap(student, description, cells, loses=None, notes=None):
    """An implementation handed in without cifarnet.pt."""
    return Implementation(student, description, cells, loses or {}, files={"cifarnet.pt": None},
                          notes=notes or {})


# ---------------------------------------------------------------- random_crop_flip, right
_CROP_GATHER = '''def random_crop_flip(x, padding=4):
    n, c, h, w = x.shape
    padded = F.pad(x, [padding] * 4)
    dy = torch.randint(0, 2 * padding + 1, (n,))
    dx = torch.randint(0, 2 * padding + 1, (n,))
    rows = dy[:, None] + torch.arange(h)
    cols = dx[:, None] + torch.arange(w)
    flip = torch.rand(n) < 0.5
    cols = torch.where(flip[:, None], cols.flip(1), cols)
    return padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None],
                  rows[:, None, :, None], cols[:, None, None, :]]
'''
_CROP_UNFOLD = '''def random_crop_flip(x, padding=4):
    n, _, h, w = x.shape
    flip = torch.rand(n) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    windows = F.pad(x, (padding,) * 4).unfold(2, h, 1).unfold(3, w, 1)
    i = torch.randint(0, 2 * padding + 1, (n,))
    j = torch.randint(0, 2 * padding + 1, (n,))
    return windows[torch.arange(n), :, i, j]
'''
_CROP_GRID_SAMPLE = '''def random_crop_flip(x, padding=4):
    n, c, h, w = x.shape
    shift = torch.randint(-padding, padding + 1, (n, 2)).float()
    sign = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0], theta[:, 1, 1] = sign, 1.0
    theta[:, 0, 2], theta[:, 1, 2] = shift[:, 1] * 2 / w, shift[:, 0] * 2 / h
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="nearest", padding_mode="zeros", align_corners=False)
'''

# ---------------------------------------------------------------- blocks and CifarNet, right
_CONV_BN_RELU_PLAIN = '''class ConvBNReLU(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, kernel_size=(3, 3), stride=1, padding=1)
        self.norm = nn.BatchNorm2d(c_out)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.norm(self.conv(x)))
'''
_RESIDUAL_PLAIN = '''class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.c1, self.n1 = nn.Conv2d(c_in, c_out, 3, stride, 1), nn.BatchNorm2d(c_out)
        self.c2, self.n2 = nn.Conv2d(c_out, c_out, 3, 1, 1), nn.BatchNorm2d(c_out)
        self.needs_projection = stride != 1 or c_in != c_out
        if self.needs_projection:
            self.proj = nn.Conv2d(c_in, c_out, 1, stride)
            self.proj_norm = nn.BatchNorm2d(c_out)

    def forward(self, x):
        skip = self.proj_norm(self.proj(x)) if self.needs_projection else x
        out = torch.relu(self.n1(self.c1(x)))
        out = self.n2(self.c2(out))
        out += skip
        return torch.relu(out)
'''
_BLOCKS_SEQUENTIAL = {
    "ConvBNReLU": '''class ConvBNReLU(nn.Sequential):
    def __init__(self, c_in, c_out):
        super().__init__(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1),
                         nn.BatchNorm2d(c_out), nn.ReLU(inplace=True))
''',
    "ResidualBlock": '''class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.branch = nn.Sequential(
            nn.Conv2d(c_in, c_out, 3, 1, 1), nn.BatchNorm2d(c_out), nn.ReLU(),
            nn.Conv2d(c_out, c_out, 3, stride, 1), nn.BatchNorm2d(c_out))
        self.project = None
        if (c_in, stride) != (c_out, 1):
            self.project = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride), nn.BatchNorm2d(c_out))
        self.act = nn.ReLU()

    def forward(self, x):
        skip = x if self.project is None else self.project(x)
        return self.act(self.branch(x) + skip)
''',
}
# a small CifarNet of its own (the solution's calls ResidualBlock(c, c) without a stride)
_SMALL_CIFARNET = '''class CifarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = ConvBNReLU(3, 16)
        self.blocks = nn.Sequential(ResidualBlock(16, 16, 1), ResidualBlock(16, 32, 2))
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(x.mean(dim=(2, 3)))
'''
_BLOCKS_PLAIN = {"ConvBNReLU": _CONV_BN_RELU_PLAIN, "ResidualBlock": _RESIDUAL_PLAIN,
                 "CifarNet": _SMALL_CIFARNET}

_LIBRARY_WRAPPER = '''from source_lib import architectures


class ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out, stride=1):
        super().__init__()
        self.inner = architectures.BasicBlock(c_in, c_out, stride)

    def forward(self, x):
        return self.inner(x)
'''

# ---------------------------------------------------------------- random_crop_flip, wrong
_LOOP = '''def random_crop_flip(x, padding=4):
    out = torch.empty_like(x)
    padded = F.pad(x, [padding, padding, padding, padding])
    for i in range(x.shape[0]):
        top, left = torch.randint(0, 2 * padding + 1, (2,)).tolist()
        image = padded[i, :, top:top + x.shape[2], left:left + x.shape[3]]
        out[i] = image.flip(-1) if torch.rand(()) < 0.5 else image
    return out
'''

# the loop above compiled under an installed file's name: still counted
_LOOP_IN_EXEC = f'''_LOOP_SOURCE = {_LOOP.replace("def random_crop_flip", "def augment_each")!r}


def random_crop_flip(x, padding=4):
    namespace = {{"torch": torch, "F": F}}
    exec(compile(_LOOP_SOURCE, torch.__file__, "exec"), namespace)
    return namespace["augment_each"](x, padding)
'''
_ONE_DRAW = "torch.randint(0, 2 * padding + 1, (1,)).repeat(n)"
# A loop over the images whose work is kept between calls, keyed by the input's bytes: the
# no-loop test counts lines on images never sent before, so the loop shows.
_CACHED_LOOP = '''_SEEN = {}


def random_crop_flip(x, padding=4):
    n, c, h, w = x.shape
    key = (x.numpy().tobytes(), tuple(x.shape), padding)
    if key not in _SEEN:                       # a loop over the images, once per batch
        both = []
        for image in x:
            padded = F.pad(image, [padding] * 4)
            both.append(torch.stack([padded, padded.flip(-1)]))
        _SEEN[key] = torch.stack(both)         # (N, 2, C, H + 2p, W + 2p)
    flip = (torch.rand(n) < 0.5).long()
    top = torch.randint(0, 2 * padding + 1, (n,))
    left = torch.randint(0, 2 * padding + 1, (n,))
    chosen = _SEEN[key][torch.arange(n), flip]
    rows = (top[:, None] + torch.arange(h))[:, None, :, None]
    cols = (left[:, None] + torch.arange(w))[:, None, None, :]
    return chosen[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None],
                  rows, cols]
'''
# the same keyed by the shape only: on new images of a known shape it returns crops of
# images it saw before (the no-loop test checks what the counted calls return)
_BY_SHAPE = ("key = (x.numpy().tobytes(), tuple(x.shape), padding)",
             "key = (tuple(x.shape), padding)")


def _wrong_crop(student, description, phrase, template, *edits, note=None):
    """``template`` (a random_crop_flip) with ``edits``: loses random_crop_flip's points
    (``note``: a phrase that a passing test of the part must say)."""
    return _cheap(student, description, {"random_crop_flip": _edited(template, *edits)},
                  {"test_random_crop_flip": phrase},
                  {"test_random_crop_flip": note} if note else None)


def _wrong_block(student, description, part, phrase, edit, note=None):
    """The module-style block that ``edit`` applies to, changed: loses ``part``'s points (the
    solution's CifarNet keeps working with it)."""
    for cell, template in (("ConvBNReLU", _CONV_BN_RELU_PLAIN),
                           ("ResidualBlock", _RESIDUAL_PLAIN)):
        if edit[0] in template:
            return _cheap(student, description, {cell: _edited(template, edit)}, {part: phrase},
                          {part: note} if note else None)
    raise ValueError(f"07 sample out of date: no block contains {edit[0]!r}")


_SKIPPED_BLOCKS = "could not run (the projection test charges that)"
# A crop mistake cannot change what a saved checkpoint predicts: outside the demo, those
# samples hand in no cifarnet.pt, so the suite does not predict 10,000 images for each.
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
            {"test_random_crop_flip": "same shift"}, files={"cifarnet.pt": None}),
    Implementation("crop_loop_over_images", "random_crop_flip loops over the images of the batch",
            {"random_crop_flip": _LOOP},
            {"test_random_crop_flip": "loops over the images"}, files={"cifarnet.pt": None}),
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
    # ------------------------------------------------------------ without a checkpoint
    _cheap("crop_gather_blocks_plain", "fancy-indexing crop; blocks as modules; a small CifarNet",
           {"random_crop_flip": _CROP_GATHER, **_BLOCKS_PLAIN}),
    _cheap("crop_unfold_blocks_sequential", "unfold crop; blocks as Sequentials; a small CifarNet",
           {"random_crop_flip": _CROP_UNFOLD, **_BLOCKS_SEQUENTIAL, "CifarNet": _SMALL_CIFARNET}),
    _cheap("crop_grid_sample", "grid_sample crop; blocks as modules; a small CifarNet",
           {"random_crop_flip": _CROP_GRID_SAMPLE, **_BLOCKS_PLAIN}),
    _cheap("cifarnet_head_too_wide", "the small CifarNet's linear layer expects 64 features, "
           "its blocks give 32", {**_BLOCKS_PLAIN, "CifarNet": _edited(
               _SMALL_CIFARNET, ("nn.Linear(32, 10)", "nn.Linear(64, 10)"))},
           {"test_cifarnet": "`CifarNet` raised RuntimeError"},
           {"test_cifarnet": "Judged on the modules CifarNet() holds"}),
    _wrong_crop("gather_vertical_flip", "the fancy-indexing crop mirrors its rows",
                "upside down", _CROP_GATHER,
                ("cols = torch.where(flip[:, None], cols.flip(1), cols)",
                 "rows = torch.where(flip[:, None], rows.flip(1), rows)")),
    _wrong_crop("unfold_one_shift_per_batch", "the unfold crop draws one shift for the batch",
                "same shift", _CROP_UNFOLD,
                ("i = torch.randint(0, 2 * padding + 1, (n,))", f"i = {_ONE_DRAW}"),
                ("j = torch.randint(0, 2 * padding + 1, (n,))", f"j = {_ONE_DRAW}"),
                note="only whether the shifts stay within `padding`"),
    _wrong_crop("unfold_one_coin_per_batch", "the unfold crop tosses one coin for the batch",
                "every image was mirrored or none", _CROP_UNFOLD,
                ("flip = torch.rand(n) < 0.5", "flip = (torch.rand(1) < 0.5).repeat(n)")),
    _wrong_crop("unfold_reflect_padding", "the unfold crop pads by reflection",
                "not zero", _CROP_UNFOLD,
                ("F.pad(x, (padding,) * 4)", "F.pad(x, (padding,) * 4, mode='reflect')")),
    _wrong_crop("gather_randint_off_by_one", "the fancy-indexing crop never draws the largest "
                "shift", "never reach both", _CROP_GATHER,
                ("dy = torch.randint(0, 2 * padding + 1,", "dy = torch.randint(0, 2 * padding,"),
                ("dx = torch.randint(0, 2 * padding + 1,", "dx = torch.randint(0, 2 * padding,")),
    _wrong_crop("unfold_padding_ignored", "the unfold crop always pads by 4",
                "must stay within `padding`", _CROP_UNFOLD,
                ("def random_crop_flip(x, padding=4):",
                 "def random_crop_flip(x, padding=4):\n    padding = 4")),
    _wrong_crop("gather_numpy_random", "the fancy-indexing crop tosses its coins with numpy",
                "not with random or numpy", _CROP_GATHER,
                ("flip = torch.rand(n) < 0.5", "flip = torch.from_numpy(np.random.rand(n) < 0.5)")),
    _wrong_crop("unfold_flips_input_in_place", "the unfold crop mirrors the images of x in place",
                "changed the tensor it was given", _CROP_UNFOLD,
                ("x = torch.where(flip[:, None, None, None], x.flip(3), x)",
                 "x[flip] = x[flip].flip(3)")),
    _wrong_crop("crop_loop_in_exec", "the per-image loop, compiled under torch's file name",
                "loops over the images", _LOOP_IN_EXEC),
    _wrong_crop("crop_loop_cached", "a loop over the images, its work kept between calls by "
                "the input's bytes", "loops over the images", _CACHED_LOOP),
    _wrong_crop("crop_loop_cached_by_shape", "a loop over the images, its work kept between "
                "calls by the input's shape", "had not seen before", _CACHED_LOOP, _BY_SHAPE),
    _wrong_crop("gather_erases_patches", "the fancy-indexing crop also blanks a patch of a "
                "quarter of the images", "not a shifted (and possibly mirrored) copy",
                _CROP_GATHER, ("    return padded[", "    out = padded["),
                ("cols[:, None, None, :]]", "cols[:, None, None, :]]\n"
                 "    out[torch.rand(n) < 0.25, :, 12:16, 12:16] = 0\n    return out"),
                note="the shifted-mirror test charges the others"),
    _wrong_crop("unfold_returns_padded_size", "the unfold crop returns the padded size",
                "Crop the padded images back", _CROP_UNFOLD,
                ("return windows[torch.arange(n), :, i, j]",
                 "return F.pad(windows[torch.arange(n), :, i, j], [1] * 4)"),
                note="central 32 x 32 pixels of each output"),
    # the library's copy of torchvision's block (for 08's ResNet-18) handed in as the answer
    *(_cheap(f"block_from_library_{how}", f"ResidualBlock {what} source_lib's BasicBlock",
             {**_BLOCKS_PLAIN, "ResidualBlock": code},
             {"test_residual_block": "write the block yourself"})
      for how, what, code in (
          ("alias", "is", "from source_lib.architectures import BasicBlock\n"
                          "ResidualBlock = BasicBlock\n"),
          ("subclass", "extends", "from source_lib.architectures import BasicBlock\n\n\n"
                                  "class ResidualBlock(BasicBlock):\n    pass\n"),
          ("wrapper", "wraps", _LIBRARY_WRAPPER))),
    _wrong_block("plain_relu_before_add", "the module ResidualBlock applies its ReLU before adding",
                 "test_residual_block", "the ReLU must come after the addition",
                 ("out = self.n2(self.c2(out))\n        out += skip\n        return torch.relu(out)",
                  "out = torch.relu(self.n2(self.c2(out)))\n        return out + skip"),
                 note="the identity shortcut is right"),
    _wrong_block("plain_no_projection", "the module ResidualBlock never projects its shortcut",
                 "test_residual_block", "the shortcut must be a 1x1 convolution",
                 ("stride != 1 or c_in != c_out", "False"), note=_SKIPPED_BLOCKS),
    _wrong_block("plain_projection_when_striding", "the module ResidualBlock projects its "
                 "shortcut only when the stride is not 1", "test_residual_block",
                 "ResidualBlock(16, 32, 1) failed", ("stride != 1 or c_in != c_out", "stride != 1"),
                 note=_SKIPPED_BLOCKS),
    _wrong_block("plain_always_projection", "the module ResidualBlock always projects its shortcut",
                 "test_residual_block", "the shortcut is the identity",
                 ("stride != 1 or c_in != c_out", "True")),
    _wrong_block("plain_relu_before_bn", "the module ConvBNReLU applies the ReLU before the batch "
                 "norm", "test_conv_bn_relu", "ReLU before the batch norm",
                 ("return self.relu(self.norm(self.conv(x)))",
                  "return self.norm(self.relu(self.conv(x)))")),
]

# What `python -m grader demo` grades besides the reference and the blank release.
DEMO = ("crop_vertical_flip", "block_relu_before_add")
