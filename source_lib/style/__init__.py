"""Notebook 09 (neural style transfer): images, feature extractors and frames.

    from source_lib.style import content_image, style_image, available_extractors, layer_list
    from source_lib.style.plots import (show_images, frames_strip, loss_curves, side_by_side,
                                        layer_grid)          # figures (import matplotlib)
    from source_lib.widgets.style_explorer import frames_slider, StyleExplorer, upload_content

``images``: the content photograph and the four public-domain paintings (full resolution
when available, else the course's 256 px copies in ``assets/``); ``extractors``: VGG-16/19
(ImageNet or random He weights) and notebook 08's course backbone, with default layers;
``frames``: ``FrameRecorder``, snapshots of the image during an optimisation; ``remember``:
``remembered``, the widgets' precomputed pictures kept on disk until your code changes. The
VGGs pool by averaging, as Gatys et al. do. The costs and
the optimisation itself are the notebook's exercises: nothing here computes them.
"""

from source_lib.style.extractors import (
    COURSE_NAME,
    IMAGENET_NAME,
    RANDOM_NAME,
    VGG16_LAYER_NAMES,
    VGG19_LAYER_NAMES,
    CourseFeatures,
    ExtractorChoice,
    VGGFeatures,
    available_extractors,
    course_features,
    layer_list,
    vgg_features,
)
from source_lib.style.frames import FrameRecorder
from source_lib.style.images import (
    STYLE_NAMES,
    STYLE_TITLES,
    content_image,
    load_image,
    style_image,
    to_numpy_image,
)

__all__ = [
    "COURSE_NAME",
    "IMAGENET_NAME",
    "RANDOM_NAME",
    "STYLE_NAMES",
    "STYLE_TITLES",
    "VGG16_LAYER_NAMES",
    "VGG19_LAYER_NAMES",
    "CourseFeatures",
    "ExtractorChoice",
    "FrameRecorder",
    "VGGFeatures",
    "available_extractors",
    "content_image",
    "course_features",
    "layer_list",
    "load_image",
    "style_image",
    "to_numpy_image",
    "vgg_features",
]
