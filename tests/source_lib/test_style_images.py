"""Notebook 09's images: load_image (paths, bytes, PIL images; crop, resize, RGB), the
content photograph, the style paintings' lookup (data dir -> cache -> download -> course
asset, each copy md5-checked) against a local HTTP server, and the committed assets.

The "official" paintings here are generated JPEGs whose md5 the test puts into STYLE_MD5;
COURSE_DATA_DIR and COURSE_CACHE_DIR are empty temporary folders (data_fixtures)."""

import io
import re

import numpy as np
import pytest
import torch
from PIL import Image

from source_lib.data.locate import md5sum
from source_lib.style import images
from source_lib.style.images import (
    ASSET_DIR,
    STYLE_MD5,
    STYLE_NAMES,
    STYLE_TITLES,
    content_image,
    load_image,
    style_image,
    to_numpy_image,
)

from data_fixtures import course_dirs  # noqa: F401  (autouse fixture)
from data_fixtures import free_port, serve_directory

NAME = "starry_night"


@pytest.fixture(autouse=True)
def online_again(monkeypatch):
    """Every test starts as if no download had failed yet in this process."""
    monkeypatch.setitem(images._offline, "reason", None)


def _bands(width=30, height=10):
    """An RGB image: red left third, green middle third, blue right third."""
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    third = width // 3
    pixels[:, :third, 0] = 255
    pixels[:, third:2 * third, 1] = 255
    pixels[:, 2 * third:, 2] = 255
    return Image.fromarray(pixels)


def _png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_load_image_crops_the_centre_square_and_resizes(tmp_path):
    path = tmp_path / "bands.png"
    _bands().save(path)
    for source in (path, str(path), _png_bytes(_bands()), _bands()):
        image = load_image(source, size=6)
        assert image.shape == (1, 3, 6, 6) and image.dtype == torch.float32
        # the 10x10 centre square is the green band only
        assert torch.allclose(image[0, 1], torch.ones(6, 6), atol=0.02)
        assert image[0, 0].max() < 0.02 and image[0, 2].max() < 0.02


def test_load_image_makes_rgb_from_grey_and_transparent_images():
    grey = Image.fromarray(np.full((12, 12), 100, dtype=np.uint8), mode="L")
    image = load_image(grey, size=4)
    assert image.shape == (1, 3, 4, 4)
    assert torch.allclose(image, torch.full((1, 3, 4, 4), 100 / 255))
    rgba = np.zeros((12, 12, 4), dtype=np.uint8)
    rgba[..., 0] = 255                   # red, but fully transparent: white shows through
    image = load_image(Image.fromarray(rgba, mode="RGBA"), size=4)
    assert torch.allclose(image, torch.ones(1, 3, 4, 4))


def test_load_image_downscales_with_antialiasing():
    stripes = np.zeros((64, 64, 3), dtype=np.uint8)
    stripes[:, ::2] = 255                # one-pixel stripes: their average is 0.5 grey
    image = load_image(Image.fromarray(stripes), size=8)
    assert torch.allclose(image, torch.full_like(image, 0.5), atol=0.05)


def test_a_file_that_is_not_an_image_is_a_value_error(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a picture")
    with pytest.raises(ValueError, match="not an image"):
        load_image(text)
    with pytest.raises(ValueError, match=r"the given data \(\d+ bytes\) is not an image"):
        load_image(b"\x00\x01 nothing")
    truncated = _png_bytes(_bands())[:60]
    with pytest.raises(ValueError, match="not an image"):
        load_image(truncated)
    with pytest.raises(FileNotFoundError):
        load_image(tmp_path / "missing.jpg")
    with pytest.raises(ValueError, match="positive"):
        load_image(_bands(), size=0)


def test_content_image_is_grace_hopper_or_the_given_file(tmp_path):
    image, about = content_image(size=32)
    assert image.shape == (1, 3, 32, 32) and "Grace Hopper" in about
    assert 0 <= image.min() and image.max() <= 1 and image.std() > 0.1
    path = tmp_path / "mine.png"
    _bands().save(path)
    image, about = content_image(size=16, source=path)
    assert image.shape == (1, 3, 16, 16) and "mine.png" in about


def _painting(seed=0):
    """JPEG bytes of a random 40x30 "painting"."""
    pixels = np.random.default_rng(seed).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


@pytest.fixture
def official(monkeypatch, tmp_path):
    """A generated painting registered as the official NAME (its md5); returns its bytes."""
    blob = _painting()
    path = tmp_path / "official.jpg"
    path.write_bytes(blob)
    monkeypatch.setitem(STYLE_MD5, NAME, md5sum(path))
    return blob


def _place(folder, blob):
    (folder / "style").mkdir(parents=True, exist_ok=True)
    path = folder / "style" / f"{NAME}.jpg"
    path.write_bytes(blob)
    return path


def _dead(monkeypatch):
    monkeypatch.setattr(images, "STYLE_URL", f"http://127.0.0.1:{free_port()}/{{name}}.jpg")


def test_a_verified_data_dir_copy_comes_first(official, course_dirs, monkeypatch):
    _dead(monkeypatch)
    path = _place(course_dirs[0], official)
    _place(course_dirs[1], _painting(seed=5))     # a cache copy that must not even be read
    image, about = style_image(NAME, size=16)
    assert about == f"{STYLE_TITLES[NAME]}: full-resolution copy from COURSE_DATA_DIR"
    assert torch.equal(image, load_image(path, size=16))


def test_a_bad_data_dir_copy_is_reported_kept_and_skipped(official, course_dirs, capsys):
    path = _place(course_dirs[0], _painting(seed=1))
    with pytest.warns(UserWarning, match="not the official painting.*left in place"):
        image, about = style_image(NAME, size=16, download=False)
    assert about.endswith("course asset (256 px, downscaled)")
    assert torch.equal(image, load_image(ASSET_DIR / f"{NAME}.jpg", size=16))
    assert path.read_bytes() == _painting(seed=1)
    assert capsys.readouterr().out == ""          # download=False: nothing tried, no note


def test_the_cache_copy_is_used_and_a_bad_one_deleted(official, course_dirs, monkeypatch):
    _dead(monkeypatch)
    path = _place(course_dirs[1], official)
    assert "full-resolution copy from COURSE_CACHE_DIR" in style_image(NAME, size=8)[1]
    path.write_bytes(_painting(seed=2))
    with pytest.warns(UserWarning, match="deleted"):
        assert "course asset" in style_image(NAME, size=8, download=False)[1]
    assert not path.exists()


def test_download_checks_the_md5_and_caches_the_painting(official, course_dirs, monkeypatch,
                                                          tmp_path):
    server = tmp_path / "server"
    server.mkdir()
    (server / f"{NAME}.jpg").write_bytes(official)
    with serve_directory(server) as base_url:
        monkeypatch.setattr(images, "STYLE_URL", base_url + "{name}.jpg")
        image, about = style_image(NAME, size=16)
    assert about == f"{STYLE_TITLES[NAME]}: downloaded from {base_url}{NAME}.jpg (md5 checked)"
    cached = course_dirs[1] / "style" / f"{NAME}.jpg"
    assert cached.read_bytes() == official
    assert torch.equal(image, load_image(cached, size=16))
    _dead(monkeypatch)                               # a second call makes no request
    assert "COURSE_CACHE_DIR" in style_image(NAME, size=16)[1]


def test_a_wrong_download_falls_back_to_the_asset(official, course_dirs, monkeypatch,
                                                  tmp_path, capsys):
    server = tmp_path / "server"
    server.mkdir()
    (server / f"{NAME}.jpg").write_bytes(_painting(seed=3))    # not the official bytes
    with serve_directory(server) as base_url:
        monkeypatch.setattr(images, "STYLE_URL", base_url + "{name}.jpg")
        _, about = style_image(NAME, size=8)
    assert about.endswith("course asset (256 px, downscaled)")
    assert list((course_dirs[1] / "style").glob("*")) == []     # nothing saved, no .part
    assert "Checksum mismatch" in capsys.readouterr().out


def test_offline_falls_back_fast_and_says_so_once(monkeypatch, capsys):
    _dead(monkeypatch)
    abouts = [style_image(name, size=8)[1] for name in STYLE_NAMES]
    assert all(about.endswith("course asset (256 px, downscaled)") for about in abouts)
    out = capsys.readouterr().out
    assert out.count("Could not download") == 1 and "downscaled copies" in out
    assert "127.0.0.1" in out
    monkeypatch.setattr(images, "_download", lambda *args: pytest.fail("tried again"))
    style_image(NAME, size=8)                        # None: no second attempt this session


def test_download_true_tries_again_after_a_failure(official, monkeypatch, tmp_path):
    _dead(monkeypatch)
    style_image(NAME, size=8)
    server = tmp_path / "server"
    server.mkdir()
    (server / f"{NAME}.jpg").write_bytes(official)
    with serve_directory(server) as base_url:
        monkeypatch.setattr(images, "STYLE_URL", base_url + "{name}.jpg")
        assert "course asset" in style_image(NAME, size=8)[1]          # None: not again
        assert "downloaded from" in style_image(NAME, size=8, download=True)[1]


def test_an_unknown_painting_lists_the_names():
    with pytest.raises(ValueError) as info:
        style_image("mona_lisa")
    assert all(name in str(info.value) for name in STYLE_NAMES)


def test_the_assets_are_small_rgb_jpegs_with_their_provenance():
    readme = (ASSET_DIR / "README.md").read_text()
    assert sorted(p.name for p in ASSET_DIR.glob("*.jpg")) == sorted(f"{n}.jpg" for n in STYLE_NAMES)
    for name in STYLE_NAMES:
        path = ASSET_DIR / f"{name}.jpg"
        assert path.stat().st_size <= 100 * 1024
        with Image.open(path) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
            assert max(image.size) == 256
        assert f"`{name}.jpg`" in readme and STYLE_MD5[name] in readme
        title = re.sub(r" \(\d{4}\)$", "", STYLE_TITLES[name])
        assert title in readme
    assert "public domain" in readme.lower() and "raw.githubusercontent.com/jcjohnson" in readme


def test_to_numpy_image_for_imshow():
    tensor = torch.linspace(-1, 2, 3 * 4 * 5).reshape(1, 3, 4, 5)
    array = to_numpy_image(tensor)
    assert array.shape == (4, 5, 3) and array.min() == 0 and array.max() == 1
    assert np.array_equal(to_numpy_image(tensor[0]), array)
    assert np.array_equal(to_numpy_image(array), array)
    with pytest.raises(ValueError, match="one image"):
        to_numpy_image(torch.rand(2, 3, 4, 4))
    with pytest.raises(ValueError, match="3, H, W"):
        to_numpy_image(torch.rand(1, 4, 4))
