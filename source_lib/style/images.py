"""Content and style images for notebook 09 (neural style transfer), as tensors.

    from source_lib.style.images import content_image, style_image, to_numpy_image
    content, about = content_image(size=128)            # Grace Hopper, (1, 3, 128, 128)
    style, about = style_image("starry_night", size=128)
    plt.imshow(to_numpy_image(style)); plt.title(about)

A style image is looked for, in this order:

1. ``COURSE_DATA_DIR/style/<name>.jpg``: the full-resolution photograph, md5-checked (a
   damaged or different file is reported with a warning and skipped);
2. ``COURSE_CACHE_DIR/style/<name>.jpg``: an earlier download, md5-checked;
3. a download from the public source (jcjohnson/neural-style, ``examples/inputs``),
   md5-checked, into ``COURSE_CACHE_DIR/style/`` (unless ``download=False``);
4. the course's own downscaled copy (at most 256 px, shipped in ``source_lib/style/assets``,
   provenance in its README), so the notebook also works on an offline laptop.

The description returned with each image says which copy was used.
"""

import io
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from source_lib import config
from source_lib.data.errors import ChecksumError, DataUnavailableError
from source_lib.data.locate import is_writable, verify_file
from source_lib.data.remote import download as download_file
from source_lib.images import SAMPLE_IMAGES, sample_data_dir

__all__ = ["STYLE_NAMES", "STYLE_TITLES", "content_image", "load_image", "style_file",
           "style_image", "to_numpy_image"]

STYLE_NAMES = ("starry_night", "the_scream", "shipwreck", "woman-with-hat-matisse")
STYLE_TITLES = {
    "starry_night": "Vincent van Gogh, The Starry Night (1889)",
    "the_scream": "Edvard Munch, The Scream (1893)",
    "shipwreck": "J. M. W. Turner, The Shipwreck (1805)",
    "woman-with-hat-matisse": "Henri Matisse, Woman with a Hat (1905)",
}
# md5 of the full-resolution files as distributed with jcjohnson/neural-style
STYLE_MD5 = {
    "starry_night": "ff217acb6db32785b8651a0e316aeab3",
    "the_scream": "619b4f42c84d2b62d3518fb20fa619c2",
    "shipwreck": "a43d815f29ea01ba10a1f9d7293c6218",
    "woman-with-hat-matisse": "8897a19069a9305f60d71d3564828c66",
}
STYLE_URL = ("https://raw.githubusercontent.com/jcjohnson/neural-style/master/examples/"
             "inputs/{name}.jpg")
ASSET_DIR = Path(__file__).parent / "assets"
DOWNLOAD_TIMEOUT = 10       # seconds: an offline laptop must not wait long for each painting
CONTENT_TITLE = "Grace Hopper (matplotlib's sample photograph, public domain)"

# The first failed download in this process: later calls (other paintings) do not try
# again unless download=True, and the fallback is announced once, not once per painting.
_offline = {"reason": None}


def load_image(source, size=128):
    """An image as a float tensor (1, 3, size, size) in [0, 1].

    ``source``: a path (str or Path), the bytes of an image file (an upload) or a
    PIL.Image. The largest centred square is cut out, then resized (antialiased) to
    ``size`` x ``size``; grey, palette and RGBA images become RGB (transparency over white).
    Raises ValueError when ``source`` is not an image.
    """
    size = int(size)
    if size < 1:
        raise ValueError(f"size must be a positive number of pixels, got {size}")
    image = _open(source, size)
    image = ImageOps.exif_transpose(image)      # phone photos: upright as they were taken
    image = _to_rgb(image)
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    square = image.crop((left, top, left + side, top + side))
    # Lanczos resampling averages over the whole footprint when shrinking (antialiased)
    square = square.resize((size, size), Image.Resampling.LANCZOS)
    pixels = np.asarray(square, dtype=np.float32) / 255.0          # (size, size, 3)
    return torch.from_numpy(pixels).permute(2, 0, 1).unsqueeze(0).contiguous()


def _open(source, size):
    """A loaded PIL.Image from a path, bytes or an Image; ValueError if it is no image."""
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        stream, label = io.BytesIO(bytes(source)), f"the given data ({len(source)} bytes)"
    elif isinstance(source, (str, Path)):
        stream, label = Path(source).expanduser(), str(source)
        if not stream.is_file():
            raise FileNotFoundError(f"no image file at {stream}")
    else:
        raise TypeError(f"source must be a path, bytes or a PIL.Image, not {type(source).__name__}")
    try:
        with Image.open(stream) as image:
            # a JPEG decodes at 1/2, 1/4 or 1/8 scale when still >= 2 * size (a 12-megapixel
            # phone photo in a fraction of the time); other formats ignore this
            image.draft("RGB", (2 * size, 2 * size))
            image.load()            # decode now, while the file is open
            return image
    except (UnidentifiedImageError, OSError, SyntaxError) as error:   # truncated: OSError
        raise ValueError(f"{label} is not an image that PIL can read (JPEG, PNG, ...): "
                         f"{error}") from None


def _to_rgb(image):
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return image.convert("RGB")


def content_image(size=128, source=None):
    """``(image (1, 3, size, size), description)``: matplotlib's photograph of Grace Hopper
    (installed with matplotlib, so always there), or ``load_image(source, size)``."""
    if source is None:
        return load_image(sample_data_dir() / SAMPLE_IMAGES["grace_hopper"], size), CONTENT_TITLE
    name = Path(source).name if isinstance(source, (str, Path)) else "your image"
    return load_image(source, size), f"content: {name}"


def style_image(name, size=128, download=None):
    """``(image (1, 3, size, size), description)`` of painting ``name`` (one of
    STYLE_NAMES); the description names the painting and the copy used (see the module
    docstring for the lookup order). ``download``: None or True try the public source when
    no verified copy is on disk (None only until one download failed in this process),
    False never does."""
    path, where = style_file(name, download=download)
    return load_image(path, size), f"{STYLE_TITLES[name]}: {where}"


def style_file(name, download=None):
    """``(path, which copy)`` of painting ``name``, by the lookup order of this module."""
    if name not in STYLE_NAMES:
        raise ValueError(f"unknown style image {name!r}; choose from {', '.join(STYLE_NAMES)}")
    filename, md5 = f"{name}.jpg", STYLE_MD5[name]
    data_copy = config.data_dir() / "style" / filename
    if data_copy.is_file() and _verified(data_copy, md5, ours=False):
        return data_copy, "full-resolution copy from COURSE_DATA_DIR"
    cached = config.cache_dir() / "style" / filename
    if cached.is_file() and _verified(cached, md5, ours=True):
        return cached, "full-resolution copy from COURSE_CACHE_DIR (downloaded earlier)"
    if download or (download is None and _offline["reason"] is None):
        url = STYLE_URL.format(name=name)
        try:
            return _download(url, cached, md5), f"downloaded from {url} (md5 checked)"
        except (DataUnavailableError, ChecksumError) as error:
            _note_offline(error)
    return ASSET_DIR / filename, "course asset (256 px, downscaled)"


def _verified(path, md5, ours):
    """True when ``path`` has the official md5; else warn (and delete it, if ``ours``)."""
    try:
        verify_file(path, md5)
        return True
    except ChecksumError as error:
        action = ("deleted (it is our cache)" if ours else
                  "skipped and left in place (a read-only location, not ours to delete)")
        warnings.warn(f"{error.path} is not the official painting (md5 {error.actual}, "
                      f"expected {md5}): {action}.", stacklevel=4)
        if ours:
            path.unlink(missing_ok=True)
        return False


def _download(url, dest, md5):
    if not is_writable(dest.parent):
        raise DataUnavailableError(f"{dest.parent} is not writable (set COURSE_CACHE_DIR)")
    return download_file(url, dest, md5=md5, progress=False, timeout=DOWNLOAD_TIMEOUT)


def _note_offline(error):
    """Say once per process why the course assets are used instead of the full images."""
    first = _offline["reason"] is None
    _offline["reason"] = str(error).splitlines()[0]
    if first:
        print(f"Could not download the full-resolution paintings ({_offline['reason']}); "
              "using the course's downscaled copies (256 px) instead.")


def to_numpy_image(tensor):
    """(H, W, 3) float numpy array in [0, 1] for ``plt.imshow``, from a (1, 3, H, W) or
    (3, H, W) tensor (detached, clamped; an (H, W, 3) array is only clipped)."""
    if isinstance(tensor, np.ndarray):
        return np.clip(tensor.astype(np.float64, copy=False), 0.0, 1.0)
    image = tensor.detach().cpu().float()
    if image.dim() == 4:
        if image.shape[0] != 1:
            raise ValueError(f"expected one image (1, 3, H, W), got shape {tuple(image.shape)}")
        image = image[0]
    if image.dim() != 3 or image.shape[0] != 3:
        raise ValueError(f"expected (1, 3, H, W) or (3, H, W), got shape {tuple(image.shape)}")
    return image.clamp(0, 1).permute(1, 2, 0).numpy()
