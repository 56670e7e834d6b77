"""Real photographs for the 2-D notebooks, from files that installed packages ship.

    from source_lib.images import sample_image, to_chw
    img = sample_image("grace_hopper", size=(128, 112))   # (H, W, 3) float64 in [0, 1]
    gray = sample_image("grace_hopper", gray=True)         # (H, W)
    x = to_chw(img)                                        # (3, H, W), PyTorch's layout

The photographs come with matplotlib (``mpl-data/sample_data``), so they are on
every machine that can run the course, offline:

* ``grace_hopper`` — Rear Admiral Grace Hopper (a public-domain photograph), 600x512 RGB;
* ``present`` — a wrapped present on a table (matplotlib's sample photo), RGB;
* ``mri`` — an MRI slice of a head (matplotlib's ``s1045.ima``), 256x256 grey.
"""

import gzip
from pathlib import Path

import numpy as np

SAMPLE_IMAGES = {
    "grace_hopper": "grace_hopper.jpg",
    "present": "Minduka_Present_Blue_Pack.png",
    "mri": "s1045.ima.gz",
}
_MRI_SHAPE = (256, 256)  # s1045.ima: raw big-endian uint16 pixels


def sample_data_dir():
    """Folder of matplotlib's sample data files."""
    import matplotlib
    return Path(matplotlib.get_data_path()) / "sample_data"


def _read_raw(name):
    path = sample_data_dir() / SAMPLE_IMAGES[name]
    if not path.exists():
        raise FileNotFoundError(f"the sample image {name!r} is missing: {path} "
                                "(reinstall matplotlib)")
    if name == "mri":
        with gzip.open(path, "rb") as handle:
            pixels = np.frombuffer(handle.read(), dtype=">u2").reshape(_MRI_SHAPE)
        return pixels.astype(np.float64) / pixels.max()
    from PIL import Image
    with Image.open(path) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.float64)
    return rgb / 255.0


def _resize(image, size):
    """Resize an (H, W[, C]) float image in [0, 1] to size = (height, width)."""
    from PIL import Image
    height, width = (int(s) for s in size)
    if height < 1 or width < 1:
        raise ValueError(f"size must be positive (height, width), got {size}")
    channels = [image] if image.ndim == 2 else [image[..., c] for c in range(image.shape[2])]
    resized = [np.asarray(Image.fromarray(c.astype(np.float32), mode="F")
                          .resize((width, height), Image.Resampling.BILINEAR), dtype=np.float64)
               for c in channels]
    out = resized[0] if image.ndim == 2 else np.stack(resized, axis=-1)
    return np.clip(out, 0.0, 1.0)


def rgb_to_gray(image):
    """ITU-R 601 luma of an (H, W, 3) image -> (H, W)."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"expected an (H, W, 3) image, got shape {image.shape}")
    return image @ np.array([0.299, 0.587, 0.114])


def sample_image(name="grace_hopper", gray=False, size=None):
    """A real photograph as float64 in [0, 1]: (H, W, 3), or (H, W) with ``gray=True``.

    ``size=(height, width)`` resizes it (bilinear). Names: see ``SAMPLE_IMAGES``.
    """
    if name not in SAMPLE_IMAGES:
        raise ValueError(f"unknown sample image {name!r}; choose from {sorted(SAMPLE_IMAGES)}")
    image = _read_raw(name)
    if gray and image.ndim == 3:
        image = rgb_to_gray(image)
    elif not gray and image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if size is not None:
        image = _resize(image, size)
    return image


def to_chw(image):
    """(H, W, C) -> (C, H, W) and (H, W) -> (1, H, W), the layout convolutions expect."""
    image = np.asarray(image)
    if image.ndim == 2:
        return image[None]
    if image.ndim != 3:
        raise ValueError(f"expected an (H, W) or (H, W, C) image, got shape {image.shape}")
    return np.ascontiguousarray(np.moveaxis(image, -1, 0))


def to_hwc(image):
    """(C, H, W) -> (H, W, C) for plotting; (1, H, W) -> (H, W)."""
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"expected a (C, H, W) image, got shape {image.shape}")
    return image[0] if image.shape[0] == 1 else np.moveaxis(image, 0, -1)
