"""Sample photographs: shapes, ranges, layouts, clear errors."""

import numpy as np
import pytest

from source_lib.images import SAMPLE_IMAGES, rgb_to_gray, sample_image, to_chw, to_hwc


@pytest.mark.parametrize("name", sorted(SAMPLE_IMAGES))
def test_every_sample_image_loads_as_rgb_in_unit_range(name):
    image = sample_image(name)
    assert image.ndim == 3 and image.shape[-1] == 3 and image.dtype == np.float64
    assert 0.0 <= image.min() < image.max() <= 1.0


def test_gray_and_resize():
    gray = sample_image("grace_hopper", gray=True, size=(60, 40))
    assert gray.shape == (60, 40) and 0.0 <= gray.min() and gray.max() <= 1.0
    full = sample_image("grace_hopper")
    assert full.shape == (600, 512, 3)
    np.testing.assert_allclose(rgb_to_gray(full), sample_image("grace_hopper", gray=True))


def test_layout_round_trip():
    image = sample_image("present", size=(16, 24))
    chw = to_chw(image)
    assert chw.shape == (3, 16, 24)
    np.testing.assert_array_equal(to_hwc(chw), image)
    assert to_chw(image[..., 0]).shape == (1, 16, 24)
    assert to_hwc(to_chw(image[..., 0])).shape == (16, 24)


def test_bad_requests_raise_clear_errors():
    with pytest.raises(ValueError, match="unknown sample image"):
        sample_image("lena")
    with pytest.raises(ValueError, match="positive"):
        sample_image("mri", size=(0, 10))
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        rgb_to_gray(np.zeros((4, 4)))
