"""Hidden checks for diagram_answers(): the layer parameters read off diagrams A-E.

The answers live in diagram_params.py (trusted, never released); the pictures
in the notebook are rendered from it by grader.authoring.diagrams. One test per diagram,
so every diagram read correctly earns its point. Feedback names the wrong
quantity and how to read it off the picture, never the value.
"""

from grader.checking import expect, fail, load_reference, points

GRADES = ("diagram_answers",)
TRUSTED_CALLEES = ()

params = load_reference(__file__, "diagram_params")

HOW_TO_READ = {
    "kernel_size": "count the lines leaving ONE output cell: one line per kernel tap.",
    "stride": ("compare two neighbouring outputs: by how many input cells (padding cells "
               "included) does the first tap move from one output to the next?"),
    "padding": ("count the hatched, dashed zero-padding cells on ONE side; padding p means p "
                "cells on each side."),
    "dilation": ("look at two neighbouring taps of one output: dilation is the distance between "
                 "them in cells (adjacent cells = dilation 1, not 0: PyTorch's dilation is the "
                 "slides' rate + 1)."),
    "output_size": ("only the first outputs are drawn: compute the output size from the "
                    "formula with the values you read off (floor division, padding on both "
                    "sides); counting the drawn outputs is not enough."),
}
SPECIFIC = {  # (quantity, wrong value as a function of the right one) -> hint
    ("padding", lambda p: 2 * p): "you counted the padding cells of both sides; give one side.",
    ("dilation", lambda d: d - 1): ("you counted the cells skipped between taps; dilation is "
                                    "the distance between taps (skipped cells + 1)."),
    ("stride", lambda s: s - 1): ("you counted the cells between the windows' first taps; "
                                  "stride is the distance from one first tap to the next."),
}


def _answers(student):
    answers = student.call("diagram_answers")
    expect(isinstance(answers, dict), "diagram_answers() must return a dict "
                                      "{\"A\": {\"kernel_size\": ..., ...}, ...}.")
    return answers


def _hint(quantity, got, right):
    for (name, wrong), text in SPECIFIC.items():
        if name == quantity and got == wrong(right) and got != right:
            return text
    return HOW_TO_READ[quantity]


def _check_diagram(student, letter):
    answers = _answers(student)
    expected = params.answers()[letter]
    given = answers.get(letter)
    if not isinstance(given, dict):
        fail(f"diagram_answers() has no dict for diagram {letter!r} (expected keys: "
             f"{', '.join(expected)}).")
    problems = []
    for quantity, right in expected.items():
        value = given.get(quantity)
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"'{quantity}' is missing or not an int")
        elif value != right:
            problems.append(f"'{quantity}' is wrong: {_hint(quantity, value, right)}")
    if problems:
        fail(f"Diagram {letter}: " + " ".join(f"({i + 1}) {p}" for i, p in enumerate(problems)))


@points(1)
def test_diagram_A(student):
    "Diagram A: kernel size, stride, padding and dilation."
    _check_diagram(student, "A")


@points(1)
def test_diagram_B(student):
    "Diagram B: kernel size, stride, padding and dilation."
    _check_diagram(student, "B")


@points(1)
def test_diagram_C(student):
    "Diagram C: kernel size, stride, padding and dilation."
    _check_diagram(student, "C")


@points(1)
def test_diagram_D(student):
    "Diagram D: kernel size, stride, padding and dilation."
    _check_diagram(student, "D")


@points(1)
def test_diagram_E(student):
    "Diagram E: kernel size, stride, padding, dilation and the output size (only two outputs are drawn)."
    _check_diagram(student, "E")
