"""Hidden checks for receptive_field(layers): pure arithmetic on (kernel, stride, dilation) tuples.

The notebook's receptive-field viewer (source_lib) measures fields with
autograd, so a solution must not: the function and every notebook definition
it uses are scanned for torch / autograd / source_lib, and some cases have
fields far too large to measure on any real input.

Strides are charged by test_strides, dilation by test_dilation: when the student's function gets
a small case with one of them wrong (the basic stack being right), the other tests check their
stacks with that component set to 1 (and leave out the error about it), and say so.
"""

import ast

import numpy as np

from grader.checking import (Case, Raised, attempt, check_cases, expect_value_error, fail,
                             load_reference, note, points)

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


def _gets_right(student, layers):
    got = attempt(lambda: student.call("receptive_field", layers))
    if isinstance(got, (Raised, bool)):
        return False
    try:
        return bool(got == ref.receptive_field(layers))
    except (TypeError, ValueError):
        return False


# component -> (its index in a layer, a stack needing it, the test that grades it)
PROBES = {"strides": (1, [(3, 2, 1), (3, 1, 1)], "test_strides"),
          "dilation": (2, [(3, 1, 2)], "test_dilation")}


def _lacking(student, components):
    """The components whose probe the student's function gets wrong while it gets the basic
    stack right (a function wrong on the basic stack too lacks nothing)."""
    if not _gets_right(student, [(3, 1, 1), (3, 1, 1)]):
        return []
    return [c for c in components if not _gets_right(student, PROBES[c][1])]


def _without(layers, lacking):
    """The stack with the lacking components set to 1 (same container types)."""
    indexes = [PROBES[c][0] for c in lacking]
    changed = [type(layer)(1 if i in indexes else v for i, v in enumerate(layer))
               for layer in layers]
    return type(layers)(changed)


def _say(lacking, how="Checked with the {} set to 1 in every layer"):
    if lacking:
        where = " and ".join(PROBES[c][2] for c in lacking)
        note(how.format(" and ".join(lacking)) + ", as your receptive_field gets a small stack "
             f"with them wrong ({where} grades that).")


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
    lacking = _lacking(student, ["strides"])
    check_cases([_case(student, _without(layers, lacking)) for layers in
                 [[(3, 1, 2)], [(3, 1, 1), (3, 1, 2), (3, 1, 4)], [(2, 1, 3), (3, 2, 1), (3, 1, 2)],
                  [(5, 2, 2), (3, 1, 3)]]], exact=True)
    _say(lacking)


@points(1)
def test_random_deep_stacks(student):
    "Random deep stacks whose fields are far too large to measure on an image: arithmetic only."
    _scan(student)
    rng = np.random.default_rng(351)
    lacking = _lacking(student, ["strides", "dilation"])
    cases = []
    for depth in (6, 12, 20):
        layers = [(int(rng.integers(1, 8)), int(rng.integers(1, 4)), int(rng.integers(1, 4)))
                  for _ in range(depth)]
        cases.append(_case(student, _without(layers, lacking), f"a random stack of {depth} layers"))
    huge = [(3, 4, 1)] * 14 + [(5, 2, 3)] * 4
    cases.append(_case(student, _without(huge, lacking),
                       "a stack of 18 strided layers (a field of billions of pixels)"))
    cases.append(_case(student, _without(tuple(tuple(layer) for layer in huge[:5]), lacking),
                       "layers given as a tuple of tuples"))
    check_cases(cases, exact=True)
    _say(lacking)


@points(1)
def test_errors(student):
    "A kernel, stride or dilation below 1 raises ValueError (and a valid stack does not)."
    _scan(student)
    valid = attempt(lambda: student.call("receptive_field", [(3, 1, 1)]))
    if isinstance(valid, Raised):
        fail(f"For layers=[(3, 1, 1)] (a valid layer), your receptive_field raised "
             f"{valid.error.exc_type}: only a kernel, stride or dilation below 1 raises.")
    lacking = _lacking(student, ["strides", "dilation"])
    for layers, about in [([(0, 1, 1)], None), ([(3, 0, 1)], "strides"),
                          ([(3, 1, 1), (3, 1, 0)], "dilation"), ([(3, 1, 1), (-3, 2, 1)], None)]:
        if about not in lacking:
            expect_value_error(lambda: student.call("receptive_field", layers),
                               f"layers={layers!r}")
    _say(lacking, "Not checked here: the {} below 1")
