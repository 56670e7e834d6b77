"""Notebook 09's feature extractors: VGG's torchvision layout and layer names, seeded He
weights, the ImageNet path end to end against a local HTTP server (a generated checkpoint
with VGG-16's feature keys and shapes plus a small fake classifier: nothing real is
downloaded), the course backbone at the image's own size (a tiny recipe on synthetic images,
as in test_pretrain.py), which extractors are available, and the layer lists."""

import io
import math

import pytest
import torch
from torch import nn

from source_lib import pretrain as pretrain_module
from source_lib import weights
from source_lib.pretrain import PretrainRecipe
from source_lib.style import extractors
from source_lib.style.extractors import (
    COURSE_NAME,
    IMAGENET_NAME,
    RANDOM_NAME,
    VGG16_LAYER_NAMES,
    VGG19_LAYER_NAMES,
    ExtractorChoice,
    VGGFeatures,
    available_extractors,
    course_features,
    layer_list,
    vgg_features,
)

from data_fixtures import course_dirs  # noqa: F401  (autouse fixture)
from data_fixtures import torch_home  # noqa: F401  (autouse fixture)
from data_fixtures import free_port, serving_weights, use_weights_spec

pytestmark = pytest.mark.usefixtures("one_thread")

# torchvision's vgg16().features / vgg19().features: where the convolutions sit
VGG16_CONVS = (0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28)
VGG19_CONVS = (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34)
WIDTHS = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}


@pytest.mark.parametrize("depth, convs, names", [(16, VGG16_CONVS, VGG16_LAYER_NAMES),
                                                 (19, VGG19_CONVS, VGG19_LAYER_NAMES)])
def test_torchvision_layout_and_keys(depth, convs, names):
    with torch.device("meta"):
        model = VGGFeatures(depth)
    assert len(model.features) == convs[-1] + 3                    # relu, final pooling
    assert list(model.state_dict()) == [f"features.{i}.{p}" for i in convs
                                        for p in ("weight", "bias")]
    assert len(names) == len(convs) and model.layer_names == names
    for index in convs:
        assert isinstance(model.features[index], nn.Conv2d)
        assert model.features[index].kernel_size == (3, 3)
    assert [int(module.split(".")[1]) for module in names.values()] == [i + 1 for i in convs]


def test_the_contract_s_examples():
    assert VGG16_LAYER_NAMES["relu1_1"] == "features.1"
    assert VGG16_LAYER_NAMES["relu2_1"] == "features.6"
    assert VGG16_LAYER_NAMES["relu4_2"] == "features.20"
    assert VGG16_LAYER_NAMES["relu5_1"] == "features.25"
    assert VGG19_LAYER_NAMES["relu5_1"] == "features.29"


def _activations(model, names, x):
    """{friendly name: output} of the named modules, by forward hooks."""
    modules = dict(model.named_modules())
    out = {}
    handles = [modules[module].register_forward_hook(
        lambda _m, _i, output, name=name: out.__setitem__(name, output))
        for name, module in names.items()]
    try:
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return out


def test_layer_names_point_at_relus_with_the_right_maps():
    model = vgg_features(16, seed=0)
    modules = dict(model.named_modules())
    assert all(isinstance(modules[m], nn.ReLU) for m in VGG16_LAYER_NAMES.values())
    maps = _activations(model, VGG16_LAYER_NAMES, torch.rand(1, 3, 32, 32))
    for name, output in maps.items():
        block = int(name[4])
        assert output.shape == (1, WIDTHS[block], 32 >> (block - 1), 32 >> (block - 1)), name
        assert output.min() >= 0 and output.max() > 0, name        # after a ReLU, not dead


def test_random_weights_are_seeded_he_normal_with_zero_biases():
    model = vgg_features(16, weights="random", seed=3)
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())
    for module in model.features:
        if isinstance(module, nn.Conv2d):
            fan_in = module.in_channels * 9
            expected = math.sqrt(2 / fan_in)
            assert module.weight.std().item() == pytest.approx(expected, rel=0.06)
            assert abs(module.weight.mean().item()) < 0.1 * expected
            assert torch.count_nonzero(module.bias) == 0
    same = vgg_features(16, seed=3)
    other = vgg_features(16, seed=4)
    first = model.features[0].weight
    assert torch.equal(first, same.features[0].weight)
    assert not torch.equal(first, other.features[0].weight)


def test_the_model_normalises_images_in_0_1_with_imagenet_statistics():
    model = vgg_features(16, seed=0)
    x = torch.rand(2, 3, 32, 32)      # 32 px at least: five 2x2 poolings
    mean = torch.tensor(weights.IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(weights.IMAGENET_STD).view(1, 3, 1, 1)
    assert torch.allclose(model(x), model.features((x - mean) / std))
    assert "mean" not in model.state_dict()       # torchvision's keys only


def test_style_extractors_average_pool_as_gatys_and_torchvision_max_pools():
    poolings = {type(m) for m in vgg_features(16, seed=0).features if not isinstance(m, (nn.Conv2d, nn.ReLU))}
    assert poolings == {nn.AvgPool2d}
    assert {type(m) for m in VGGFeatures(16).features if isinstance(m, (nn.AvgPool2d, nn.MaxPool2d))} \
        == {nn.MaxPool2d}
    maxed, averaged = vgg_features(16, seed=0, pooling="max"), vgg_features(16, seed=0, pooling="avg")
    assert torch.equal(maxed.features[0].weight, averaged.features[0].weight)   # same weights
    # why: under max pooling a random network's deep maps pick the noise's extremes, so
    # pixel noise alone moves deep Gram statistics far more than under average pooling
    noise, smooth = torch.rand(1, 3, 64, 64), torch.full((1, 3, 64, 64), 0.5)
    relu3_1 = int(VGG16_LAYER_NAMES["relu3_1"].split(".")[1])

    def deep_energy(model, x):
        return model.features[:relu3_1 + 1](x).pow(2).mean().item()

    assert deep_energy(maxed, noise) / deep_energy(maxed, smooth) > \
        2 * deep_energy(averaged, noise) / deep_energy(averaged, smooth)


def test_bad_arguments():
    with pytest.raises(ValueError, match="16 or 19"):
        VGGFeatures(11)
    with pytest.raises(ValueError, match="avg"):
        VGGFeatures(16, pooling="min")
    with pytest.raises(ValueError, match="random"):
        vgg_features(16, weights="places365")


# ---- ImageNet weights from a local server ----------------------------------------------

@pytest.fixture(scope="module")
def vgg16_checkpoint():
    """torch.save bytes: VGG-16's feature keys and shapes (each tensor filled with its
    index), plus a small fake classifier the loader must drop."""
    with torch.device("meta"):
        shapes = {key: value.shape for key, value in VGGFeatures(16).state_dict().items()}
    fake = {key: torch.full(shape, float(i)) for i, (key, shape) in enumerate(shapes.items())}
    fake["classifier.0.weight"] = torch.ones(4, 6)
    fake["classifier.0.bias"] = torch.ones(4)
    buffer = io.BytesIO()
    torch.save(fake, buffer)
    return buffer.getvalue()


def _use_spec(monkeypatch, url, prefix):
    return use_weights_spec(monkeypatch, "IMAGENET_VGG16", url, prefix)


@pytest.fixture
def served(tmp_path, monkeypatch, vgg16_checkpoint):
    with serving_weights(tmp_path / "server", monkeypatch, "IMAGENET_VGG16",
                         vgg16_checkpoint) as spec:
        yield spec


def test_the_specs_are_torchvision_s_files():
    for spec, prefix, top1 in ((weights.IMAGENET_VGG16, "397923af", "71.592"),
                               (weights.IMAGENET_VGG19, "dcbb9e9d", "72.376")):
        assert spec.sha256_prefix == prefix and prefix in spec.filename
        assert spec.url == f"https://download.pytorch.org/models/{spec.filename}"
        assert top1 in spec.provenance and "ImageNet" in spec.provenance


def test_imagenet_weights_download_verified_and_keep_only_the_features(
        served, course_dirs, vgg16_checkpoint, monkeypatch):
    model = vgg_features(16, weights="imagenet", progress=False)
    stored = torch.load(io.BytesIO(vgg16_checkpoint), weights_only=True)
    assert list(model.state_dict()) == [k for k in stored if k.startswith("features.")]
    for key, value in model.state_dict().items():
        assert torch.equal(value, stored[key]), key
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    cached = course_dirs[1] / "weights" / served.filename
    assert cached.read_bytes() == vgg16_checkpoint
    # cached now: available without a download, with the provenance as its note
    _use_spec(monkeypatch, f"http://127.0.0.1:{free_port()}/x.pth", served.sha256_prefix)
    imagenet, random_vgg = available_extractors(download=False, include_course=False)
    assert imagenet.name == IMAGENET_NAME and imagenet.available and "71.592" in imagenet.note
    assert torch.equal(imagenet.model.features[0].weight, model.features[0].weight)
    assert random_vgg.name == RANDOM_NAME and random_vgg.available


def test_offline_the_imagenet_choice_is_unavailable_and_says_why(monkeypatch, course_dirs):
    spec = _use_spec(monkeypatch, f"http://127.0.0.1:{free_port()}/vgg16-397923af.pth",
                     "397923af")
    choices = available_extractors(include_course=False)
    assert [c.name for c in choices] == [IMAGENET_NAME, RANDOM_NAME]
    imagenet = choices[0]
    assert not imagenet.available and imagenet.model is None
    assert "could not download" in imagenet.note and spec.url in imagenet.note
    assert str(course_dirs[1] / "weights") in imagenet.note
    assert imagenet.content_layer == "features.20"                 # layers still described
    assert choices[1].available and isinstance(choices[1].model, VGGFeatures)
    not_cached = available_extractors(download=False, include_course=False)[0]
    assert "download=False" in not_cached.note
    assert not (course_dirs[1] / "weights").exists()


# ---- the course backbone -----------------------------------------------------------------

TINY = PretrainRecipe(epochs=1, batch_size=8, lr=0.05, width=4, threads=1)


@pytest.fixture
def tiny_course_backbone(monkeypatch):
    """The course backbone's recipes and data replaced by a tiny run on random images."""
    generator = torch.Generator().manual_seed(0)
    data = (torch.rand(16, 3, 32, 32, generator=generator), torch.arange(16) % 5,
            torch.rand(10, 3, 32, 32, generator=generator), torch.arange(10) % 5)
    monkeypatch.setattr(pretrain_module, "RECIPE", TINY)
    monkeypatch.setattr(pretrain_module, "QUICK_RECIPE", TINY)
    monkeypatch.setattr(pretrain_module, "source_data", lambda recipe: data)


def test_course_features_run_at_the_image_s_own_size(tiny_course_backbone, capsys):
    model, about = course_features(progress=False)
    assert "not pretrained yet: training it now" in capsys.readouterr().out
    assert COURSE_NAME in about and "width 4" in about
    assert not model.training and not any(p.requires_grad for p in model.parameters())
    maps = _activations(model, {n: n for n in ("stem", "layer1", "layer2", "layer3", "layer4")},
                        torch.rand(1, 3, 96, 96))
    assert {n: tuple(m.shape[-3:]) for n, m in maps.items()} == {
        "stem": (4, 24, 24), "layer1": (4, 24, 24), "layer2": (8, 12, 12),
        "layer3": (16, 6, 6), "layer4": (32, 3, 3)}                  # not resized to 32x32
    net, _ = pretrain_module.course_backbone(train=False)
    x = torch.rand(2, 3, 32, 32)                                     # at 32 px: the backbone
    pooled = model(x).mean(dim=(2, 3))
    assert torch.allclose(pooled, net.backbone(x), atol=1e-6)
    assert torch.equal(model.mean, net.backbone.mean) and torch.equal(model.std, net.backbone.std)


def test_the_course_choice_trains_only_when_asked(tiny_course_backbone, monkeypatch, capsys):
    _use_spec(monkeypatch, f"http://127.0.0.1:{free_port()}/vgg16-397923af.pth", "397923af")
    *_, course = available_extractors(include_course="if-cached")
    assert course.name == COURSE_NAME and not course.available and course.model is None
    assert "not pretrained yet" in course.note and "training it now" not in capsys.readouterr().out
    *_, course = available_extractors(include_course=True)
    assert course.available and "training it now" in capsys.readouterr().out
    assert (course.content_layer, course.style_layers) == ("layer2", ("stem", "layer1",
                                                                      "layer2", "layer3"))
    *_, again = available_extractors(include_course="if-cached")
    assert again.available and "training" not in capsys.readouterr().out
    with pytest.raises(ValueError, match="if-cached"):
        available_extractors(include_course="yes")


# ---- layer lists -------------------------------------------------------------------------

def _choice(content, style, style_weights):
    return ExtractorChoice("test", None, content, style, style_weights, True, "")


def test_layer_list_appends_a_content_only_layer_with_weight_zero():
    vgg = available_extractors(download=False, include_course=False)[1]
    layers, content_index, style_weights = layer_list(vgg)
    assert layers == ["features.1", "features.6", "features.11", "features.18", "features.20"]
    assert content_index == 4 and style_weights == [0.25, 0.25, 0.25, 0.25, 0.0]
    assert [vgg.labels[layer] for layer in layers] == [
        "relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2"]


def test_layer_list_with_the_content_layer_among_the_style_layers():
    layers, content_index, style_weights = layer_list(
        _choice("layer2", extractors.COURSE_STYLE, (0.25,) * 4))
    assert layers == ["stem", "layer1", "layer2", "layer3"] and content_index == 2
    assert style_weights == [0.25] * 4


def test_layer_list_refuses_inconsistent_choices():
    with pytest.raises(ValueError, match="2 style layers but 1 style weights"):
        layer_list(_choice("c", ("a", "b"), (1.0,)))
    with pytest.raises(ValueError, match="twice"):
        layer_list(_choice("c", ("a", "a"), (1.0, 1.0)))
