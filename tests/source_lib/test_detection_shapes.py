"""The synthetic shapes of notebook 10: seeded, exact boxes, one centre per grid cell."""

import numpy as np
import pytest

from source_lib.detection.shapes import CLASSES, _mask, figure_sample, make_scenes


def test_same_seed_same_scenes_other_seed_others():
    a, b, c = make_scenes(6, seed=3), make_scenes(6, seed=3), make_scenes(6, seed=4)
    assert np.array_equal(a.images.numpy(), b.images.numpy())
    assert all(np.array_equal(x, y) for x, y in zip(a.boxes, b.boxes))
    assert not np.array_equal(a.images.numpy(), c.images.numpy())
    assert not np.array_equal(a.images.numpy(), make_scenes(6, seed=(3, 0)).images.numpy())


def test_images_boxes_and_labels_have_the_documented_form():
    scenes = make_scenes(40, seed=0, size=64, grid_size=4)
    assert scenes.images.shape == (40, 3, 64, 64) and scenes.images.dtype.is_floating_point
    assert 0.0 <= float(scenes.images.min()) and float(scenes.images.max()) <= 1.0
    assert len(scenes.boxes) == len(scenes.labels) == len(scenes) == 40
    counts = [len(b) for b in scenes.boxes]
    assert min(counts) >= 1 and max(counts) <= 3
    for boxes, labels in zip(scenes.boxes, scenes.labels):
        assert boxes.shape == (len(labels), 4)
        assert np.all(boxes >= 0) and np.all(boxes <= 1)
        assert np.all(boxes[:, 2] > boxes[:, 0]) and np.all(boxes[:, 3] > boxes[:, 1])
        assert set(labels.tolist()) <= set(range(len(CLASSES)))
    assert {int(k) for labels in scenes.labels for k in labels} == set(range(len(CLASSES)))


@pytest.mark.parametrize("grid_size", [3, 4, 7])
def test_at_most_one_centre_per_cell_and_never_on_a_cell_line(grid_size):
    scenes = make_scenes(30, seed=1, grid_size=grid_size)
    for boxes in scenes.boxes:
        centre = (boxes[:, :2] + boxes[:, 2:]) / 2 * grid_size
        cells = {tuple(c) for c in np.floor(centre).astype(int)[:, ::-1]}
        assert len(cells) == len(boxes)
        offsets = centre % 1.0
        assert np.all((offsets > 0.01) & (offsets < 0.99))


@pytest.mark.parametrize("label", range(len(CLASSES)))
def test_the_box_is_the_exact_extent_of_the_drawn_shape(label):
    size, box = 64, np.array([10.2, 20.7, 30.6, 41.1])
    mask = _mask(label, box, size)
    rows, cols = np.nonzero(mask)
    # pixel centres (index + 0.5) inside the box, the outermost about a pixel from its sides
    # (a triangle's corners are thinner than a pixel: up to 1.5)
    assert cols.min() + 0.5 >= box[0] and cols.max() + 0.5 <= box[2]
    assert rows.min() + 0.5 >= box[1] and rows.max() + 0.5 <= box[3]
    assert cols.min() + 0.5 - box[0] < 1.5 and box[2] - (cols.max() + 0.5) < 1.5
    assert box[3] - (rows.max() + 0.5) < 1.0 and rows.min() + 0.5 - box[1] < 1.5


def test_the_shapes_differ_from_one_another():
    box = np.array([8.0, 8.0, 40.0, 40.0])
    areas = [int(_mask(label, box, 48).sum()) for label in range(len(CLASSES))]
    assert len(set(areas)) == len(CLASSES)
    assert areas[0] > areas[1] > areas[2]     # square > disc > triangle


def test_the_object_is_visible_against_its_background():
    scenes = make_scenes(20, seed=2)
    for image, boxes in zip(scenes.images.numpy(), scenes.boxes):
        x1, y1, x2, y2 = np.round(boxes[0] * 64).astype(int)
        inside = image[:, y1:y2, x1:x2].reshape(3, -1).std(axis=1).sum()
        assert inside > 0.05


def test_figure_sample_is_ready_for_imshow_with_pixel_boxes():
    sample = figure_sample(4, seed=0)
    scenes = make_scenes(4, seed=0)
    assert sample["images"].shape == (4, 64, 64, 3)
    assert np.allclose(sample["boxes"][0], scenes.boxes[0] * 64)
    assert sample["classes"] == CLASSES and sample["grid_size"] == 4


def test_photo_backgrounds_are_used_when_given_and_keep_the_boxes():
    photos = np.random.default_rng(0).integers(0, 256, size=(5, 3, 32, 32), dtype=np.uint8)
    plain, on_photos = make_scenes(3, seed=0), make_scenes(3, seed=0, backgrounds=photos)
    assert on_photos.images.shape == plain.images.shape
    assert 0.0 <= float(on_photos.images.min()) and float(on_photos.images.max()) <= 1.0
    assert not np.allclose(plain.images.numpy(), on_photos.images.numpy())
    assert np.array_equal(make_scenes(3, seed=0, backgrounds=photos).images.numpy(),
                          on_photos.images.numpy())


def test_cifar_backgrounds_without_the_data_is_none(monkeypatch, tmp_path):
    from source_lib.detection import shapes
    from source_lib.data import DataError

    def missing(*args, **kwargs):
        raise DataError("no CIFAR-10 here")
    monkeypatch.setattr("source_lib.data.load_cifar10", missing)
    assert shapes.cifar_backgrounds() is None
