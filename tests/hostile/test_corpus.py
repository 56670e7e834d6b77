"""The hostile and broken submission corpus, graded once as one class batch.

The whole corpus goes through ``grader.batch.autograde.autograde`` (two jobs) in one module
fixture, so "the batch always finishes" is tested with every case in it; then one test
per case checks its expected outcome (see ``corpus_model``), and a few tests check the
batch as a whole: every submission has a row, the gradebook agrees with the rows, no
submission file was changed, nothing is left running.
"""

import hashlib
import os
import socket
import threading
import uuid
from pathlib import Path

import cases_files
import cases_models
import cases_processes
import cases_secrets
import pytest
from corpus_model import (AT_MOST_BASE, FULL, SAME_AS_BASE, ZERO, Host, as_submission,
                          base_notebook, write_submission)
from nbgrader.api import Gradebook

from grader.authoring.implementations import implementation
from grader.authoring.samples import hand_in_files
from grader.batch.autograde import autograde
from grader.course.layout import REPO_ROOT
from grader.course.points import part_points
from grader.sandbox import bubblewrap

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hostile_corpus")]

CASES = cases_secrets.CASES + cases_processes.CASES + cases_files.CASES + cases_models.CASES
BASELINE_PREFIX = "baseline-"


class _CountingServer:
    """A TCP server on 127.0.0.1: every connection a submission makes is counted."""

    def __init__(self, seen):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port, self.seen = self.socket.getsockname()[1], seen
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, address = self.socket.accept()
            except OSError:
                return
            self.seen.append(address)
            connection.close()


def _fingerprints(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


def _baselines(submissions):
    """Sample mistakes that cases are measured against, graded in the same batch."""
    for assignment, base in sorted({(c.assignment, c.base) for c in CASES
                                    if c.base not in ("reference", "blank")}):
        folder = submissions / f"{BASELINE_PREFIX}{base}" / assignment
        write_submission(folder, as_submission(assignment, base_notebook(assignment, base)))
        hand_in_files(assignment, folder, implementation(assignment, base))   # its checkpoints, if it has any


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    problem = bubblewrap.probe()
    if problem is not None or os.environ.get("GRADER_SANDBOX") == "off":
        pytest.fail(f"the hostile corpus runs only inside the sandbox: {problem or 'off'}")
    root = tmp_path_factory.mktemp("hostile")
    connections = []
    server = _CountingServer(connections)
    host = Host(repo=REPO_ROOT, submissions=root / "submissions", output=root / "graded",
                token=uuid.uuid4().hex[:12], port=server.port, connections=connections,
                data=Path(os.environ.get("COURSE_DATA_DIR", "/nonexistent")))
    host.marker("secret").write_text("a file on the host that no submission may read")
    for case in CASES:
        write_submission(host.submissions / case.student / case.assignment, case.build(host))
    _baselines(host.submissions)
    before = _fingerprints(host.submissions)
    try:
        rows, output = autograde(host.submissions, output_dir=host.output, jobs=2,
                                 progress=False)
        by_student = {(row["student"], row["assignment"]): row for row in rows}
        yield host, by_student, output, before
    finally:
        server.socket.close()
        for path in Path("/tmp").glob(f"hostile-corpus-{host.token}-*"):
            path.unlink()


def _expected(kind, base, maximum):
    if kind == FULL:
        return maximum, maximum
    if kind == ZERO:
        return 0, 0
    if kind == SAME_AS_BASE:
        return base, base
    if kind == AT_MOST_BASE:
        return 0, base
    return kind, kind


def _base_scores(case, rows, maxima):
    if case.base == "reference":
        return dict(maxima)
    if case.base == "blank":
        return {grade_id: 0 for grade_id in maxima}
    row = rows[f"{BASELINE_PREFIX}{case.base}", case.assignment]
    return {grade_id: part["score"] for grade_id, part in row["parts"].items()}


def _student_text(row, output, case):
    page = output / "feedback" / case.student / case.assignment / "feedback.html"
    messages = [t["message"] for p in row["parts"].values() for t in p["tests"]]
    return "\n".join([page.read_text() if page.exists() else ""]
                     + row.get("notes", []) + messages)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_case(corpus, case):
    host, rows, output, _ = corpus
    row = rows.get((case.student, case.assignment))
    assert row is not None, f"no grade at all for {case.student} ({case.description})"
    maxima = part_points(case.assignment)
    base = _base_scores(case, rows, maxima)
    wrong = {}
    for grade_id, maximum in maxima.items():
        low, high = _expected(case.parts.get(grade_id, case.others), base[grade_id], maximum)
        got = row["parts"].get(grade_id, {}).get("score")
        if got is None or not low <= got <= high:
            wrong[grade_id] = (got, (low, high))
    assert not wrong, f"{case.description}: part scores (got, expected range) {wrong}"
    assert row["max_score"] == sum(maxima.values())
    text = _student_text(row, output, case)
    missing = [phrase for phrase in case.phrases      # a tuple: any one of its phrases
               if not any(p in text for p in ((phrase,) if isinstance(phrase, str) else phrase))]
    assert not missing, f"the report does not say {missing}:\n{text[-3000:]}"
    assert bool(row.get("internal_errors")) == case.for_the_ta, row.get("internal_errors")
    problems = [p for p in (check(host) for check in case.host_checks) if p]
    assert not problems, problems


def test_every_submission_has_a_grade_in_the_gradebook(corpus):
    host, rows, output, _ = corpus
    assert {c.student for c in CASES} <= {student for student, _ in rows}
    with Gradebook(f"sqlite:///{output / 'nbgrader' / 'gradebook.db'}") as gradebook:
        for (student, assignment), row in rows.items():
            notebook = gradebook.find_submission_notebook(assignment, assignment, student)
            assert notebook.score == pytest.approx(row["score"]), student
            assert notebook.max_score == pytest.approx(row["max_score"]), student


def test_every_submission_was_sandboxed(corpus):
    _, rows, _, _ = corpus
    never_run = {case.student for case in CASES if case.for_the_ta}
    assert [s for (s, _), row in rows.items()
            if s not in never_run and not row.get("sandbox", {}).get("active")] == []


def test_no_submission_file_was_changed(corpus):
    host, _, _, before = corpus
    assert _fingerprints(host.submissions) == before


def test_nothing_is_left_running_and_nothing_reached_the_host(corpus):
    host, _, _, _ = corpus
    from corpus_model import no_process_left
    assert no_process_left(host) is None
    assert host.connections == []
    assert sorted(p.name for p in Path("/tmp").glob(f"hostile-corpus-{host.token}-*")) == \
        [f"hostile-corpus-{host.token}-secret"]


def test_the_checkpoint_loader_refuses_the_pickle_with_code(corpus):
    """No grader code loads checkpoints; the course's loader refuses this one too."""
    from torch import nn

    from source_lib.checkpoint import CheckpointError, load_checkpoint
    host, _, _, _ = corpus
    folder = host.submissions / "pickle_checkpoint_with_code" / "04_param_counting"
    for name in ("model.pt", "legacy.pt"):
        with pytest.raises(CheckpointError, match="refused|not a readable"):
            load_checkpoint(nn.Linear(2, 2), folder / name)
    assert not host.marker("checkpoint").exists()
