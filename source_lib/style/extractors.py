"""The networks notebook 09 takes its features from, and which of them this machine has.

    from source_lib.style.extractors import available_extractors, layer_list
    for choice in available_extractors():          # ImageNet VGG-16, random VGG-16, course
        print(choice.name, choice.available, choice.note)
        layers, content_index, style_weights = layer_list(choice)
        # FeatureExtractor(choice.model, layers), then run_style_transfer(..., content_index,
        # style_weights): the arguments the notebook's graded functions take

Three extractors:

* ``vgg_features(16, "imagenet")``: VGG-16's convolutional part with torchvision's ImageNet
  weights (Gatys et al. used VGG-19; arXiv:1508.06576), downloaded once and checked by
  ``source_lib.weights``;
* ``vgg_features(16, "random")``: the same network with seeded random He weights: He, Wang
  and Hopcroft (NeurIPS 2016) showed that random-weight networks already give competitive
  style transfer, and it needs no download;
* ``course_features()``: notebook 08's course-pretrained ResNet-18 (CIFAR-10, 32x32 images),
  run at the image's own size.

Both VGGs pool by averaging, as Gatys et al. do (``VGGFeatures``' ``pooling``). Every model
takes images (1, 3, H, W) in [0, 1] and normalises them itself.
"""

from dataclasses import dataclass, field

import torch
from torch import nn

from source_lib import weights as weights_module

__all__ = ["COURSE_NAME", "IMAGENET_NAME", "POOLINGS", "RANDOM_NAME", "VGG16_LAYER_NAMES",
           "VGG19_LAYER_NAMES", "CourseFeatures", "ExtractorChoice", "VGGFeatures",
           "available_extractors", "course_features", "layer_list", "vgg_features"]

IMAGENET_NAME = "VGG-16, ImageNet"
RANDOM_NAME = "VGG-16, random weights"
COURSE_NAME = "course ResNet-18 (08)"

# torchvision's configurations "D" (VGG-16) and "E" (VGG-19): 3x3 convolutions per block,
# each followed by a ReLU; a 2x2 pooling ends each block (max in torchvision)
_CONVS_PER_BLOCK = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_BLOCK_WIDTHS = (64, 128, 256, 512, 512)


def _relu_names(depth):
    """{"relu<block>_<conv>": "features.<index>"}: where each ReLU sits in ``features``."""
    names, index = {}, 0
    for block, convs in enumerate(_CONVS_PER_BLOCK[depth], start=1):
        for conv in range(1, convs + 1):
            names[f"relu{block}_{conv}"] = f"features.{index + 1}"   # conv at index, relu next
            index += 2
        index += 1                                                  # the block's pooling
    return names


VGG16_LAYER_NAMES = _relu_names(16)
VGG19_LAYER_NAMES = _relu_names(19)


# Gatys et al. (arXiv:1508.06576, section 2): "replacing the max-pooling operation by average
# pooling improves the gradient flow and one obtains slightly more appealing results". With
# random weights it decides whether anything works: measured at 128 px (random VGG-16,
# 200 Adam steps), from noise max pooling leaves noise and average pooling draws the
# portrait; alone, relu2_1..relu4_1 match the painting's Gram matrices with pixel noise
# under max pooling and with textures of growing scale under average pooling.
POOLINGS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}


class VGGFeatures(nn.Module):
    """VGG-16 or VGG-19 without its classifier: images (N, 3, H, W) in [0, 1] -> the last
    block's maps (N, 512, H/32, W/32).

    ``pooling``: "max" (torchvision's, what the ImageNet weights were trained with) or
    "avg" (Gatys et al.'s choice for style transfer; the weights are the same either way).

    ``features`` is an ``nn.Sequential`` laid out as torchvision's (same indices, so its
    state-dict keys are torchvision's ``features.0.weight``, ...); ``layer_names`` maps
    "relu4_2" to "features.20". ``mean`` and ``std`` (ImageNet's, not saved in the state
    dict) normalise the images first.
    """

    def __init__(self, depth=16, pooling="max"):
        super().__init__()
        if depth not in _CONVS_PER_BLOCK:
            raise ValueError(f"depth must be 16 or 19, got {depth!r}")
        if pooling not in POOLINGS:
            raise ValueError(f'pooling must be "avg" or "max", got {pooling!r}')
        self.depth, self.pooling = depth, pooling
        modules, channels = [], 3
        for convs, width in zip(_CONVS_PER_BLOCK[depth], _BLOCK_WIDTHS):
            for _ in range(convs):
                # not in place (torchvision's are): a hook on a convolution must see its
                # output, not the ReLU's overwrite of it
                modules += [nn.Conv2d(channels, width, kernel_size=3, padding=1), nn.ReLU()]
                channels = width
            modules.append(POOLINGS[pooling](kernel_size=2, stride=2))
        self.features = nn.Sequential(*modules)
        self.layer_names = _relu_names(depth)
        self.register_buffer("mean", torch.tensor(weights_module.IMAGENET_MEAN), persistent=False)
        self.register_buffer("std", torch.tensor(weights_module.IMAGENET_STD), persistent=False)

    def forward(self, x):
        return self.features((x - self.mean.view(1, 3, 1, 1)) / self.std.view(1, 3, 1, 1))


def _he_init(model, seed):
    """He (kaiming normal, fan_in, ReLU gain) weights and zero biases, from ``seed`` only."""
    generator = torch.Generator().manual_seed(int(seed))
    for conv in (layer for layer in model.features if isinstance(layer, nn.Conv2d)):
        nn.init.kaiming_normal_(conv.weight, mode="fan_in", nonlinearity="relu",
                                generator=generator)
        nn.init.zeros_(conv.bias)


def vgg_spec(depth):
    """The ``source_lib.weights`` spec of VGG-``depth``'s ImageNet file (read at call time,
    so tests and mirrors can swap it)."""
    if depth not in _CONVS_PER_BLOCK:
        raise ValueError(f"depth must be 16 or 19, got {depth!r}")
    return getattr(weights_module, f"IMAGENET_VGG{depth}")


def vgg_features(depth=16, weights="random", seed=0, download=None, progress=True,
                 pooling="avg"):
    """A :class:`VGGFeatures` in eval mode with frozen parameters, with average pooling as
    Gatys et al. use (``pooling="max"``: torchvision's).

    ``weights="random"``: He-initialised from ``seed`` (no download). ``"imagenet"``:
    torchvision's ImageNet file through ``source_lib.weights.load_weights`` (cached in
    COURSE_CACHE_DIR, sha256-checked on every load; ``download`` None or True fetches it
    when missing, about 530 MB), keeping only its ``features.*`` keys. Raises the errors of
    ``load_weights`` (DataUnavailableError, ChecksumError) when they cannot be had.
    """
    model = VGGFeatures(depth, pooling)
    if weights == "random":
        _he_init(model, seed)
    elif weights == "imagenet":
        state = weights_module.load_weights(vgg_spec(depth), download=download is not False,
                                            progress=progress)
        model.load_state_dict({key: value for key, value in state.items()
                               if key.startswith("features.")})
    else:
        raise ValueError(f'weights must be "random" or "imagenet", got {weights!r}')
    return model.eval().requires_grad_(False)


class CourseFeatures(nn.Module):
    """Notebook 08's course backbone as a feature extractor at the image's own size:
    images (N, 3, H, W) in [0, 1] -> layer4's maps (N, 8 * width, H/32, W/32).

    Submodules ``stem``, ``layer1`` .. ``layer4`` are the backbone's own (shared, not
    copied); unlike ``Backbone.forward`` nothing is resized to 32x32 and nothing is pooled.
    Buffers ``mean`` and ``std``: the backbone's normalisation (CIFAR-10's statistics).
    """

    def __init__(self, backbone):
        super().__init__()
        self.stem, self.layer1, self.layer2 = backbone.stem, backbone.layer1, backbone.layer2
        self.layer3, self.layer4 = backbone.layer3, backbone.layer4
        self.register_buffer("mean", backbone.mean.detach().clone())
        self.register_buffer("std", backbone.std.detach().clone())

    def forward(self, x):
        x = (x - self.mean.view(1, 3, 1, 1)) / self.std.view(1, 3, 1, 1)
        return self.layer4(self.layer3(self.layer2(self.layer1(self.stem(x)))))


def course_features(quick=None, train=True, progress=True):
    """``(CourseFeatures in eval mode with frozen parameters, description)``.

    The backbone comes from ``source_lib.pretrain.course_backbone``: cached, or pretrained
    first (about 2 minutes on 2 cores; it says so). ``train=False`` raises
    ``source_lib.pretrain.BackboneNotPretrained`` instead of training. ``quick`` (None:
    follow COURSE_QUICK) picks the quick recipe (a weak backbone, for tests).
    """
    from source_lib.pretrain import course_backbone   # lazily: the training machinery
    net, meta = course_backbone(quick=quick, train=train, progress=progress)
    model = CourseFeatures(net.backbone).eval().requires_grad_(False)
    millions = sum(p.numel() for p in model.parameters()) / 1e6
    description = (f"{COURSE_NAME}: ResNet-18 of width {net.backbone.width} ({millions:.1f} M "
                   f"parameters) pretrained by the course on {meta['train_images']:,} CIFAR-10 "
                   f"images (32x32) of {'/'.join(meta['classes'])}, source test accuracy "
                   f"{meta['accuracy']:.2f}; run here at the image's own size")
    return model, description


@dataclass
class ExtractorChoice:
    """One extractor of the side-by-side comparison and its default layers.

    ``model``: the network (None when not ``available``); ``content_layer`` and
    ``style_layers``: module names in it (as ``model.named_modules()`` gives them);
    ``style_weights``: one lambda per style layer; ``note``: where the weights come from,
    or why the extractor is unavailable; ``labels``: module name -> readable layer name
    ("features.20" -> "relu4_2"), for titles.
    """

    name: str
    model: nn.Module
    content_layer: str
    style_layers: tuple
    style_weights: tuple
    available: bool
    note: str
    labels: dict = field(default_factory=dict)


# Gatys et al. weight their five style layers equally (w_l = 1/5); four layers get 1/4 each,
# so the weights still sum to 1 and beta keeps its meaning. relu4_2 is Gatys' content layer:
# at 128 px its maps are 16x16, coarse enough to leave the textures free.
VGG_STYLE = ("relu1_1", "relu2_1", "relu3_1", "relu4_1")
VGG_CONTENT = "relu4_2"
# The course backbone saw 32x32 images: layer2 of a 128 px image has 16x16 maps, the same
# grid as VGG's relu4_2 at that size, so it plays the content role; layer4 (4x4) is too
# coarse to carry a texture.
COURSE_STYLE = ("stem", "layer1", "layer2", "layer3")
COURSE_CONTENT = "layer2"


def _vgg_choice(name, model, available, note):
    names = VGG16_LAYER_NAMES
    return ExtractorChoice(name, model, names[VGG_CONTENT], tuple(names[n] for n in VGG_STYLE),
                           (0.25,) * len(VGG_STYLE), available, note,
                           {module: label for label, module in names.items()})


def _reason(error):
    """The first line of an error's message (the rest is advice for a longer read)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _imagenet_choice(download):
    spec = vgg_spec(16)
    try:
        model = vgg_features(16, "imagenet", download=download)
    except Exception as error:     # any failure only makes this one unavailable (offline rooms)
        reason = _reason(error)
        folders = ", ".join(str(folder) for folder, *_ in weights_module.weight_folders())
        official = "" if spec.url in reason else f"; official file: {spec.url}"
        return _vgg_choice(IMAGENET_NAME, None, False,
                           f"no ImageNet weights: {reason} (looked in {folders}{official})")
    return _vgg_choice(IMAGENET_NAME, model, True, f"{spec.provenance}; average pooling")


def _course_choice(train):
    labels = {name: name for name in COURSE_STYLE + (COURSE_CONTENT,)}
    try:
        model, note = course_features(train=train)
        available = True
    except Exception as error:     # not pretrained (train=False), no CIFAR-10 data, ...
        model, note, available = None, f"not available: {_reason(error)}", False
    return ExtractorChoice(COURSE_NAME, model, COURSE_CONTENT, COURSE_STYLE,
                           (0.25,) * len(COURSE_STYLE), available, note, labels)


def available_extractors(download=None, include_course=True):
    """``[ImageNet VGG-16, random VGG-16, course backbone]`` as :class:`ExtractorChoice`;
    one that cannot be had has ``available=False`` and the reason in ``note`` (this never
    raises for a missing file or no network).

    ``download``: None or True download the ImageNet weights when not cached (about 530 MB,
    once), False only uses a cached copy. ``include_course``: True pretrains the course
    backbone if needed (about 2 minutes, once; it says so), "if-cached" uses it only when
    already pretrained, False leaves it out of the list.
    """
    if include_course not in (True, False, "if-cached"):
        raise ValueError(f'include_course must be True, False or "if-cached", got {include_course!r}')
    choices = [_imagenet_choice(download),
               _vgg_choice(RANDOM_NAME, vgg_features(16, "random", seed=0), True,
                           "VGG-16 with random He-initialised weights (seed 0) and average "
                           "pooling, no training: He, Wang and Hopcroft, NeurIPS 2016")]
    if include_course:
        choices.append(_course_choice(train=include_course is True))
    return choices


def layer_list(choice):
    """``(layers, content_index, style_weights)`` for ``choice``: the style layers then the
    content layer (once, even when it is also a style layer), the content layer's index in
    that list, and one style weight per entry (0 for a content-only layer)."""
    if len(choice.style_layers) != len(choice.style_weights):
        raise ValueError(f"{choice.name}: {len(choice.style_layers)} style layers but "
                         f"{len(choice.style_weights)} style weights")
    if len(set(choice.style_layers)) != len(choice.style_layers):
        raise ValueError(f"{choice.name}: a style layer is listed twice: {choice.style_layers}")
    layers = list(choice.style_layers)
    style_weights = [float(weight) for weight in choice.style_weights]
    if choice.content_layer not in layers:
        layers.append(choice.content_layer)
        style_weights.append(0.0)
    return layers, layers.index(choice.content_layer), style_weights
