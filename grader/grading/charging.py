"""Each mistake charged once: re-check a failed part with trusted copies of wrong callees.

A check file may declare, at module level (read with ``ast``, never imported here):

    GRADES = ("conv2d_forward",)                    # graded names this part checks
                                                    # (default: the part id without "test_")
    TRUSTED_CALLEES = ("pad2d", "conv_output_size")  # graded functions this part's code may
                                                    # legitimately call
    TRUSTED_TOGETHER = (("conv2d_forward_naive",    # callees that share private state (a
                         "conv2d_backward_naive"),) # forward's cache read by its backward):
                                                    # one wrong -> all are answered by the
                                                    # reference, the message names the wrong one

After the first run, parts are visited callees first. A part that lost points
and whose listed callees include graded functions that are themselves wrong is
re-run (its failed tests only) with those callees answered by the reference
implementation in the trusted process (``grader.grading.trusted_calls``). A test that
passes then, and really used a trusted callee, earns its points, and its
feedback says which function to fix. A test that still fails keeps its first
message: nothing from the second run (exception texts included) is shown.
"""

from dataclasses import dataclass

from grader.checking import load_reference
from grader.course.layout import part_files
from grader.course.parts import string_constants
from grader.grading.check_run import run_checks


@dataclass(frozen=True)
class PartDeclaration:
    grades: tuple
    trusted_callees: tuple
    together: tuple = ()

    def stubbed_with(self, wrong):
        """The callees to answer by the reference when those in ``wrong`` are wrong."""
        chosen = {c for c in self.trusted_callees if c in wrong}
        for group in self.together:
            if chosen & set(group):
                chosen.update(c for c in group if c in self.trusted_callees)
        return [c for c in self.trusted_callees if c in chosen]


def _string_tuple(value):
    if isinstance(value, str):
        value = (value,)
    if not all(isinstance(item, str) for item in value):
        raise ValueError("expected a tuple of names")
    return tuple(value)


def read_declaration(grade_id, path):
    """GRADES, TRUSTED_CALLEES and TRUSTED_TOGETHER of one check file."""
    found = string_constants(path, {"GRADES", "TRUSTED_CALLEES", "TRUSTED_TOGETHER"})
    for name, value in found.items():
        found[name] = tuple(_string_tuple(group) for group in value) \
            if name == "TRUSTED_TOGETHER" else _string_tuple(value)
    grades = found.get("GRADES", (grade_id.removeprefix("test_"),))
    callees = tuple(c for c in found.get("TRUSTED_CALLEES", ()) if c not in grades)
    return PartDeclaration(grades, callees, found.get("TRUSTED_TOGETHER", ()))


def declarations(assignment, checks_root):
    return {grade_id: read_declaration(grade_id, path)
            for grade_id, path in part_files(assignment, checks_root).items()}


def callees_first(decls):
    """Part ids ordered so that the parts owning a part's callees come before it."""
    owner = {name: part for part, decl in decls.items() for name in decl.grades}
    ordered, visiting = [], set()

    def visit(part):
        if part in ordered or part in visiting:
            return  # done, or a cycle: keep the declared order
        visiting.add(part)
        for callee in decls[part].trusted_callees:
            if callee in owner:
                visit(owner[callee])
        visiting.discard(part)
        ordered.append(part)

    for part in decls:
        visit(part)
    return ordered


def recheck_message(grades, callees):
    caller = " / ".join(grades)
    yours = ", ".join(callees)
    return (f"Passed when re-checked with a correct {yours}: {caller} is right, but it calls "
            f"your {yours}, which is wrong: fix {yours} (this part keeps its points).")


def recheck_failed_parts(proxy, assignment, parts, internal_errors, checks_root):
    """Give back the points a part lost only because of a wrong callee (mutates ``parts``)."""
    decls = declarations(assignment, checks_root)
    if not any(decl.trusted_callees for decl in decls.values()):
        return
    owner = {name: part for part, decl in decls.items() for name in decl.grades}
    reference = None
    wrong = set()
    for part_id in callees_first(decls):
        result = parts.get(part_id)
        if result is None or result.score >= result.max_score:
            continue
        callees = decls[part_id].stubbed_with(wrong)
        if callees:
            reference = reference or load_reference(
                part_files(assignment, checks_root)[part_id])
            _recheck(proxy, assignment, result, callees, decls[part_id].grades, reference,
                     internal_errors, checks_root, wrong)
        if result.score < result.max_score:
            wrong.update(name for name in decls[part_id].grades if owner.get(name) == part_id)


def _recheck(proxy, assignment, result, callees, grades, reference, internal_errors,
             checks_root, wrong):
    failed = {test.node: test for test in result.tests if not test.passed and test.node}
    implementations = {name: getattr(reference, name) for name in callees
                       if callable(getattr(reference, name, None))}
    if not failed or not implementations:
        return
    proxy.trusted = implementations
    try:
        rerun, errors = run_checks(proxy, assignment, node_ids=list(failed),
                                   checks_root=checks_root)
    finally:
        proxy.trusted = {}
    internal_errors.extend(f"(re-check) {message}" for message in errors)
    for part in rerun.values():
        for test in part.tests:
            original = failed.get(test.node)
            used_wrong = tuple(name for name in test.rechecked_with if name in wrong)
            if original is not None and test.passed and used_wrong:
                original.passed = True
                original.rechecked_with = used_wrong
                original.message = recheck_message(grades, used_wrong)
