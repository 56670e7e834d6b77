"""One result file per submission: OUTPUT/results/<student>/<assignment>.json.

A file is written whole or not at all (temp file, fsync, rename, fsync of the folder), so
a grader killed at any moment leaves either the previous result or the new one. Each
record carries the submission's content key: a result is reused only for the same files
graded by the same grader. Everything else (gradebook, grades.csv, feedback pages) is
rebuilt from these records.
"""

import json
import os
import secrets
import sys
from datetime import datetime, timezone
from pathlib import Path

RECORD_FORMAT = "cnn-course-result/1"
TEMP_PREFIX = ".tmp-"


def _fsync_folder(folder):
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def atomic_write(path, data):
    """Replace ``path`` by ``data`` (bytes or str) in one step that survives a crash."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    temp = path.parent / f"{TEMP_PREFIX}{path.name}.{os.getpid()}.{secrets.token_hex(4)}"
    # os.open applies the umask (mkstemp would make every output private to the grader)
    descriptor = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_folder(path.parent)


def write_if_changed(path, text):
    """Atomically write ``text`` unless the file already holds it (a no-op re-run leaves
    the file, its time stamp included, untouched)."""
    path, data = Path(path), text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


class ResultsStore:
    def __init__(self, output_dir):
        self.root = Path(output_dir) / "results"

    def path(self, student, assignment):
        return self.root / student / f"{assignment}.json"

    def load(self, student, assignment):
        """The stored record, or None when there is none or it cannot be read."""
        path = self.path(student, assignment)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            print(f"ignoring unreadable result {path}: {error}", file=sys.stderr)
            return None
        if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT \
                or not isinstance(record.get("result"), dict):
            print(f"ignoring result {path}: not a {RECORD_FORMAT} record", file=sys.stderr)
            return None
        return record

    def current(self, submission):
        """The stored record if it was made from exactly this submission and grader."""
        record = self.load(submission.student, submission.assignment)
        return record if record is not None and record.get("key") == submission.key else None

    def save(self, submission, result, graded_by, failed=False):
        """Store a result atomically; returns the record."""
        record = {"format": RECORD_FORMAT, "student": submission.student,
                  "assignment": submission.assignment, "key": submission.key,
                  "graded_at": datetime.now(timezone.utc).isoformat(timespec="microseconds"),
                  "graded_by": graded_by, "failed": failed, "result": result}
        atomic_write(self.path(submission.student, submission.assignment),
                     json.dumps(record, indent=1, sort_keys=True))
        return record

    def remove_leftovers(self):
        """Delete temp files of a killed run (only call while holding the batch lock)."""
        if not self.root.is_dir():
            return []
        leftovers = [p for p in self.root.rglob(f"{TEMP_PREFIX}*") if p.is_file()]
        for path in leftovers:
            path.unlink(missing_ok=True)
        return leftovers
