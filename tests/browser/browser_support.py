"""Where Chromium is, how it is started here, and whether a screenshot shows anything."""

import os
import shutil

from PIL import Image

# Headless in a container as root: no sandbox (Chromium refuses root with one), no GPU,
# and nothing that would reach for the network (no network here, and none in CI).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path():
    """Debian's Chromium (no browser download is possible offline), or COURSE_CHROMIUM."""
    for candidate in (os.environ.get("COURSE_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def rendered_colours(path, limit=4096):
    """How many distinct colours a screenshot has (a blank page: one or two)."""
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=limit)
    return limit if colours is None else len(colours)
