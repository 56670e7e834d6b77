"""A class batch on disk: SUBMISSIONS_DIR/<student>/<assignment>/<notebook>.ipynb.

A submission is the graded notebook plus the checkpoint files beside it (later notebooks
load trained weights). Its *content key* is a hash of those files and of the grader that
grades it (the assignment's hidden checks and the grading code), so a stored result is
reused exactly when grading again could not change it.
"""

import functools
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.layout import CHECKPOINT_SUFFIXES, REPO_ROOT, assignments, solution_notebooks

MAX_SUBMISSION_BYTES = 256 << 20   # notebook + checkpoints; larger ones are not graded
# Code whose change can change a grade. Other assignments' checks are left out so that
# editing one notebook's checks does not regrade the whole class.
GRADING_CODE = ("grader", "gradeworker", "source_lib")
_CHUNK = 1 << 20


def notebook_id(assignment):
    """nbgrader's notebook id: the solution notebook's file name without .ipynb."""
    return solution_notebooks(assignment)[0].stem


@dataclass
class Submission:
    student: str
    assignment: str
    path: Path                                   # the graded notebook
    notebook_id: str
    checkpoints: list = field(default_factory=list)
    problem: str = ""                            # why it cannot be graded at all, if so
    key: str = ""                                # content key, set by ``with_keys``

    @property
    def files(self):
        """Every file the grading may read: the notebook first, then the checkpoints."""
        present = self.path.is_file() or self.path.is_symlink()
        return ([self.path] if present else []) + list(self.checkpoints)

    def file_bytes(self):
        """{file name: bytes}: what is shipped to a grading machine that has no shared disk."""
        return {p.name: p.read_bytes() for p in self.files}


def _regular_files(folder, suffixes):
    # A symbolic link could point at a classmate's work or the solutions: the grader
    # (which can read them) must never follow one on the student's behalf.
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in suffixes and p.is_file() and not p.is_symlink())


def submission_in(student, assignment_dir):
    """The submission in one student's assignment folder (see the module docstring)."""
    assignment = assignment_dir.name
    expected = assignment_dir / f"{notebook_id(assignment)}.ipynb"
    notebooks = _regular_files(assignment_dir, (".ipynb",))
    chosen = expected if expected in notebooks else (notebooks[0] if notebooks else None)
    problem = ""
    if chosen is None:
        links = [p for p in assignment_dir.glob("*.ipynb") if p.is_symlink()]
        if not links:   # graded all the same: 0 everywhere, with a note saying why
            return Submission(student, assignment, expected, notebook_id(assignment),
                              _regular_files(assignment_dir, CHECKPOINT_SUFFIXES))
        chosen, problem = links[0], "The notebook is a symbolic link, not a file."
    submission = Submission(student, assignment, chosen, notebook_id(assignment),
                            _regular_files(assignment_dir, CHECKPOINT_SUFFIXES), problem)
    if not problem and sum(p.stat().st_size for p in submission.files) > MAX_SUBMISSION_BYTES:
        submission.problem = (f"The submission is larger than "
                              f"{MAX_SUBMISSION_BYTES >> 20} MB (notebook and checkpoints).")
    return submission


def discover(submissions_dir, only=None):
    """Find one notebook per student and assignment, in a stable order."""
    known = set(assignments())
    found = []
    for student_dir in sorted(p for p in Path(submissions_dir).iterdir() if p.is_dir()):
        for assignment_dir in sorted(p for p in student_dir.iterdir() if p.is_dir()):
            name = assignment_dir.name
            if name not in known:
                print(f"skipping {assignment_dir}: no assignment called {name!r}", file=sys.stderr)
                continue
            if only and name not in only:
                continue
            submission = submission_in(student_dir.name, assignment_dir)
            if submission is not None:
                found.append(submission)
    return found


def _hash_file(digest, path):
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)


def _hash_tree(digest, root, files):
    for path in files:
        digest.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
        _hash_file(digest, path)


@functools.lru_cache(maxsize=None)
def grader_fingerprint(assignment, repo_root=REPO_ROOT):
    """sha256 of the assignment's hidden checks and of the grading code (.py files)."""
    repo_root = Path(repo_root)
    checks_root = repo_root / "grader" / "checks"
    digest = hashlib.sha256(assignment.encode())
    checks = sorted(p for p in (checks_root / assignment).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts)
    _hash_tree(digest, repo_root, checks)
    for package in GRADING_CODE:
        code = sorted(p for p in (repo_root / package).rglob("*.py")
                      if checks_root not in p.parents and "__pycache__" not in p.parts)
        _hash_tree(digest, repo_root, code)
    return digest.hexdigest()


def content_key(submission, fingerprint=None):
    """sha256 of the submission's files (names and bytes) and of the grader's fingerprint."""
    digest = hashlib.sha256()
    digest.update(f"{submission.assignment}\0{submission.problem}\0".encode())
    digest.update((fingerprint or grader_fingerprint(submission.assignment)).encode())
    for path in submission.files:
        digest.update(f"\0{path.name}\0".encode())
        if not submission.problem:   # a link is never followed, a huge file never read
            _hash_file(digest, path)
    return digest.hexdigest()


def with_keys(submissions):
    """Set every submission's content key (the files are read once, here)."""
    for submission in submissions:
        submission.key = content_key(submission)
    return submissions
