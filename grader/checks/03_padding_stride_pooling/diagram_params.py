"""Parameters (= answers) of the diagram questions of 03_padding_stride_pooling.

Trusted: the single source of truth. ``grader.authoring.diagrams`` renders each entry as
an SVG, embedded as a data-URL image in the solution notebook's Markdown
(``python -m grader diagrams 03_padding_stride_pooling``), and
test_diagram_answers.py grades against it.
Never import this from the notebook or from source_lib.

Each diagram is a 1D layer: ``n`` input cells, ``padding`` zero cells on each
side, and one output per window. ``shown_outputs`` (optional) draws only the
first few outputs, so the output size must be computed, not counted.
``asked`` lists the quantities the student answers for that diagram.
"""

QUANTITIES = ("kernel_size", "stride", "padding", "dilation")

DIAGRAMS = {
    # stride > 1
    "A": {"n": 9, "kernel_size": 3, "stride": 2, "padding": 0, "dilation": 1,
          "asked": QUANTITIES},
    # padding > 0
    "B": {"n": 6, "kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1,
          "asked": QUANTITIES},
    # dilation > 1
    "C": {"n": 10, "kernel_size": 3, "stride": 1, "padding": 0, "dilation": 3,
          "asked": QUANTITIES},
    # all together
    "D": {"n": 8, "kernel_size": 2, "stride": 2, "padding": 2, "dilation": 3,
          "asked": QUANTITIES},
    # only the first two outputs are drawn: the output size must come from the formula
    "E": {"n": 13, "kernel_size": 3, "stride": 3, "padding": 1, "dilation": 2,
          "shown_outputs": 2, "asked": QUANTITIES + ("output_size",)},
}


def output_size(params):
    """Number of outputs of a diagram's layer (floor formula)."""
    span = params["dilation"] * (params["kernel_size"] - 1) + 1
    return (params["n"] + 2 * params["padding"] - span) // params["stride"] + 1


def answers():
    """{letter: {quantity: value}} for every asked quantity."""
    table = {}
    for letter, params in DIAGRAMS.items():
        values = dict(params, output_size=output_size(params))
        table[letter] = {q: values[q] for q in params["asked"]}
    return table
