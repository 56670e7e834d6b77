"""Neural style transfer (notebook 09): images, feature extractors, frames, figures.

    from source_lib.style.plots import (show_images, frames_strip, loss_curves,
                                        side_by_side, layer_grid)
    from source_lib.widgets.style_explorer import frames_slider, StyleExplorer, upload_content
"""
