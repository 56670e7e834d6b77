"""Interactive pictures for the notebooks, one module per widget family.

    from source_lib.widgets import sliding_kernel    # 01: a kernel sliding over a 1-D signal
    from source_lib.widgets import conv2d_explorer   # 02: a 3x3 kernel on a photograph
    from source_lib.widgets import layer_geometry    # 03: padding, stride, receptive fields
    from source_lib.widgets import architecture      # 04: edit a small CNN, watch its costs
    from source_lib.widgets import prediction_explorer  # 06: shift/scramble an image, see predictions
    from source_lib.widgets import feature_map_browser  # 07: a trained CNN's channels, layer by layer
    from source_lib.widgets import transfer_explorer    # 08: accuracy by frozen stages and labels
    from source_lib.widgets import style_explorer       # 09: G's frames, precomputed results, upload
    from source_lib.widgets.layout import slider, wide  # controls that keep a draggable track

``frame`` holds the redraw the widgets with an Output area share. Each widget falls back
to a static figure (with a RuntimeWarning) without ipywidgets.
"""
