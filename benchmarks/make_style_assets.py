"""Make the course's downscaled copies of the four style paintings (notebook 09).

    COURSE_DATA_DIR=/path/to/data python benchmarks/make_style_assets.py [--check]

Reads the full-resolution photographs ``COURSE_DATA_DIR/style/<name>.jpg`` (md5-checked
against ``source_lib.style.images.STYLE_MD5``), shrinks each so its longer side is
``LONGER_SIDE`` px (Lanczos, aspect ratio kept), and saves them as baseline JPEG (quality
``QUALITY``, 4:2:0 chroma, no metadata) into ``source_lib/style/assets/``; prints each
file's size and md5. ``--check`` writes nothing and only compares the committed assets
with what this script would make (same pixel size, at most ``MAX_BYTES`` bytes).
The provenance of the paintings is in ``source_lib/style/assets/README.md``.
"""

import argparse
import io
import sys

from PIL import Image

from source_lib import config
from source_lib.data.locate import md5sum, verify_file
from source_lib.style.images import ASSET_DIR, STYLE_MD5, STYLE_NAMES

LONGER_SIDE = 256
QUALITY = 90
MAX_BYTES = 100 * 1024


def downscaled_jpeg(path):
    """(JPEG bytes, (width, height)) of the image at ``path`` shrunk to LONGER_SIDE px."""
    with Image.open(path) as image:
        image = image.convert("RGB")
        scale = LONGER_SIDE / max(image.size)
        size = tuple(max(1, round(side * scale)) for side in image.size)
        small = image.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=QUALITY, optimize=True, subsampling="4:2:0")
    return buffer.getvalue(), size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    args = parser.parse_args(argv)
    problems = []
    for name in STYLE_NAMES:
        source = config.data_dir() / "style" / f"{name}.jpg"
        verify_file(source, STYLE_MD5[name])          # only the official photographs
        blob, size = downscaled_jpeg(source)
        target = ASSET_DIR / f"{name}.jpg"
        if len(blob) > MAX_BYTES:
            problems.append(f"{name}: {len(blob)} bytes > {MAX_BYTES}")
        if args.check:
            with Image.open(target) as committed:
                if committed.size != size:
                    problems.append(f"{target}: {committed.size}, expected {size}")
        else:
            target.write_bytes(blob)
        print(f"{name}: {size[0]}x{size[1]} px, {len(blob) / 1024:.1f} KB, "
              f"md5 {md5sum(target) if target.is_file() else '-'}")
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
