"""source_lib.transfer.features: the loader keeps order, and cached_features runs the
student's extract function (and so the backbone) once per distinct input, in memory and
across sessions (on disk), and again when the weights, images, tag or function change."""

import pytest
import torch
from data_fixtures import course_dirs  # noqa: F401  (autouse: temporary COURSE_CACHE_DIR)
from torch import nn

from source_lib.transfer import features as features_module
from source_lib.transfer.features import cached_features, forget_features, loader

pytestmark = pytest.mark.usefixtures("one_thread")


class CountingBackbone(nn.Module):
    """A linear 'backbone' that counts the images it has seen."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(12, 4)
        self.images_seen = 0

    def forward(self, x):
        self.images_seen += len(x)
        return self.linear(x.flatten(1))


def extract(backbone, data):
    backbone.eval()
    with torch.no_grad():
        pairs = [(backbone(x), y) for x, y in data]
    return torch.cat([f for f, _ in pairs]), torch.cat([y for _, y in pairs])


def other_extract(backbone, data):
    return extract(backbone, data)


@pytest.fixture
def data():
    forget_features()
    yield torch.rand(10, 3, 2, 2), torch.arange(10) % 3
    forget_features()


def test_the_loader_keeps_order_unless_shuffled():
    x, y = torch.arange(10.0)[:, None], torch.arange(10)
    assert torch.equal(torch.cat([b for _, b in loader(x, y, batch_size=4)]), y)
    first = torch.cat([b for _, b in loader(x, y, 4, shuffle=True, seed=1)])
    assert sorted(first.tolist()) == list(range(10)) and not torch.equal(first, y)
    assert torch.equal(first, torch.cat([b for _, b in loader(x, y, 4, shuffle=True, seed=1)]))


def test_a_second_call_does_not_run_the_backbone(data):
    backbone = CountingBackbone()
    features, labels = cached_features(extract, backbone, *data, tag="train", batch_size=3)
    assert backbone.images_seen == 10 and features.shape == (10, 4)
    assert torch.equal(labels, data[1])
    assert torch.allclose(features, backbone.linear(data[0].flatten(1)))
    again, _ = cached_features(extract, backbone, *data, tag="train", batch_size=3)
    assert backbone.images_seen == 10 and torch.equal(again, features)
    forget_features()                             # a new session: read from disk
    from_disk, _ = cached_features(extract, backbone, *data, tag="train")
    assert backbone.images_seen == 10 and torch.equal(from_disk, features)


def test_changed_inputs_are_computed_again(data):
    backbone = CountingBackbone()
    cached_features(extract, backbone, *data, tag="train")
    cached_features(extract, backbone, *data, tag="test")
    cached_features(other_extract, backbone, *data, tag="train")
    cached_features(extract, backbone, data[0] + 1, data[1], tag="train")
    with torch.no_grad():
        backbone.linear.bias.add_(1.0)
    cached_features(extract, backbone, *data, tag="train")
    assert backbone.images_seen == 50


def test_an_extract_that_returns_no_pair_is_named(data):
    with pytest.raises(TypeError, match="features, labels"):
        cached_features(lambda backbone, data: torch.zeros(10, 4), CountingBackbone(), *data,
                        tag="x")
    assert features_module._MEMORY == {}
