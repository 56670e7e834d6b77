"""Hidden checks for receptive_field(layers): pure arithmetic on (kernel, stride, dilation) tuples.

The notebook's receptive-field viewer (source_lib) measures fields with
autograd, so a solution must not: the function and every notebook definition
it uses are scanned for torch / autograd / source_lib, and some cases have
fields far too large to measure on any real input.
"""

import ast

import numpy as np

from grader.checking import (Case, attempt, check_cases, expect_value_error, fail, load_reference,
                             points)

GRADES = ("receptive_field",)
TRUSTED_CALLEES = ()
FORBIDDEN_WORDS = ("torch", "source_lib", "layer_geometry", "autograd", "backward",
                   "requires_grad", "importlib", "__import__")

ref = load_reference(__file__)
mis = load_reference(__file__, "misconceptions")


def _identifiers(tree):
    """Names, attributes and imported modules used in a parsed source (comments ignored)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.Import):
            yield from (part for alias in node.names for part in alias.name.split("."))
        elif isinstance(node, ast.ImportFrom):
            yield from (node.module or "").split(".")
            yield from (alias.name for alias in node.names)


def _used_identifiers(student, name):
    """Identifiers of ``name`` and of every notebook definition it mentions, transitively."""
    seen, todo, found = set(), [name], set()
    while todo:
        current = todo.pop()
        source = student.source_of(current)
        if current in seen or source is None:
            continue
        seen.add(current)
        try:
            names = set(_identifiers(ast.parse(source)))
        except SyntaxError:
            continue
        found |= names
        todo += sorted(names)
    return found


def _scan(student):
    used = sorted(set(FORBIDDEN_WORDS) & _used_identifiers(student, "receptive_field"))
    if used:
        fail("receptive_field must be pure arithmetic on the (kernel, stride, dilation) "
             f"tuples; it (or a helper it calls) uses {', '.join(used)}. Measuring the field "
             "with a model and gradients is what the viewer does; the exercise is the formula.")


def _case(student, layers, context=None):
    got = attempt(lambda: student.call("receptive_field", layers))
    return Case(got, ref.receptive_field(layers), context or f"layers={layers!r}",
                mis.receptive_field_candidates(layers))


@points(1)
def test_lecture_examples(student):
    "Stacks of 3x3 stride-1 convolutions: one -> 3, two -> 5, three -> 7; no layers -> 1."
    _scan(student)
    check_cases([_case(student, [(3, 1, 1)]), _case(student, [(3, 1, 1)] * 2),
                 _case(student, [(3, 1, 1)] * 3), _case(student, [(5, 1, 1), (3, 1, 1)]),
                 _case(student, [], "an empty list of layers")], exact=True)


@points(1)
def test_strides(student):
    "Strided layers and pooling layers (kernel = stride): later kernels are multiplied by the product of earlier strides."
    _scan(student)
    check_cases([_case(student, [(3, 2, 1), (3, 1, 1)]),
                 _case(student, [(2, 2, 1), (3, 1, 1), (2, 2, 1), (3, 1, 1)]),
                 _case(student, [(7, 2, 1), (3, 2, 1), (3, 1, 1), (3, 1, 1)]),
                 _case(student, [(3, 1, 1), (3, 3, 1), (5, 1, 1)]),
                 _case(student, [(3, 2, 1), (3, 2, 1), (1, 1, 1)])], exact=True)


@points(1)
def test_dilation(student):
    "Dilated layers (alone and with strides), as in dilated-convolution stacks."
    _scan(student)
    check_cases([_case(student, [(3, 1, 2)]), _case(student, [(3, 1, 1), (3, 1, 2), (3, 1, 4)]),
                 _case(student, [(2, 1, 3), (3, 2, 1), (3, 1, 2)]),
                 _case(student, [(5, 2, 2), (3, 1, 3)])], exact=True)


@points(1)
def test_random_deep_stacks(student):
    "Random deep stacks whose fields are far too large to measure on an image: arithmetic only."
    _scan(student)
    rng = np.random.default_rng(351)
    cases = []
    for depth in (6, 12, 20):
        layers = [(int(rng.integers(1, 8)), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                  for _ in range(depth)]
        cases.append(_case(student, layers, f"a random stack of {depth} layers"))
    huge = [(3, 4, 1)] * 14 + [(5, 2, 3)] * 4
    cases.append(_case(student, huge, "a stack of 18 strided layers (a field of billions of pixels)"))
    cases.append(_case(student, tuple(tuple(layer) for layer in huge[:5]),
                       "layers given as a tuple of tuples"))
    check_cases(cases, exact=True)


@points(1)
def test_errors(student):
    "A kernel, stride or dilation below 1 raises ValueError."
    _scan(student)
    for layers in ([(0, 1, 1)], [(3, 0, 1)], [(3, 1, 1), (3, 1, 0)], [(3, 1, 1), (-3, 2, 1)]):
        expect_value_error(lambda: student.call("receptive_field", layers), f"layers={layers!r}")
