"""What a sample mistake is: a solution notebook with some solution cells replaced, and
perhaps other files handed in beside it (trained checkpoints)."""

from dataclasses import dataclass, field


@dataclass
class Mistake:
    """A sample submission: the solution with ``replacements`` (solution-cell grade_id ->
    new source). ``expect`` says which grade parts must lose points and a phrase each
    part's feedback must contain; every other part must keep full marks (a caller of a
    broken function is re-checked with a trusted copy of it, so it is not charged)."""
    student: str
    description: str
    replacements: dict
    expect: dict = field(default_factory=dict)
    # Parts allowed to lose points too (rare: e.g. a caller whose own check cannot
    # substitute the broken callee). Listed explicitly so the tests stay strict.
    cascades: tuple = ()
    # Files beside the notebook, instead of the reference's (grader.samples): file name ->
    # None (not handed in) or a function of the reference file's path returning bytes.
    files: dict = field(default_factory=dict)
