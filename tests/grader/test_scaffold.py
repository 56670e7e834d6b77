"""`python -m grader new-assignment NN_topic` in a temporary copy of the repository: the
scaffold releases and grades as it is (the reference gets full marks, the blank release 0,
its right implementation full marks, its wrong one loses its part with the mistake named),
and it refuses a bad name or an assignment that exists."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from grader.course.layout import REPO_ROOT

NEW = "99_scaffolded"
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("scaffold")]

GRADE_SAMPLES = f"""
import json, sys
from pathlib import Path
from grader.authoring.samples import write_samples
from grader.batch.autograde import autograde
root = Path(sys.argv[1])
write_samples("{NEW}", root / "submissions")
rows, _ = autograde(root / "submissions", output_dir=root / "graded", jobs=1, progress=False)
print(json.dumps({{row["student"]: row for row in rows}}))
"""


def _run(copy, *args):
    env = dict(os.environ, PYTHONPATH=str(copy))
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def copy(tmp_path_factory):
    copy = tmp_path_factory.mktemp("repo") / "course-repo"
    ignore = shutil.ignore_patterns(".git", ".venv", "demo_output", "__pycache__", "*.pt")
    for name in ("grader", "gradeworker", "source_lib", "course"):
        shutil.copytree(REPO_ROOT / name, copy / name, ignore=ignore)
    return copy


def test_a_scaffolded_assignment_releases_and_grades(copy, tmp_path):
    done = _run(copy, "-m", "grader", "new-assignment", NEW, "--title", "Scaffolded")
    assert done.returncode == 0, done.stderr
    assert (copy / "grader" / "checks" / NEW / "implementations.py").is_file()
    done = _run(copy, "-m", "grader", "release", NEW)
    assert done.returncode == 0, done.stderr
    released = (copy / "course" / "notebooks" / NEW / f"{NEW}.ipynb").read_text()
    assert "np.maximum" not in released and "NotImplementedError" in released
    done = _run(copy, "-c", GRADE_SAMPLES, str(tmp_path))
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout.strip().splitlines()[-1])
    scores = {student: (row["score"], row["max_score"]) for student, row in rows.items()}
    assert scores == {"reference": (2, 2), "blank": (0, 2), "relu_by_mask": (2, 2),
                      "relu_absolute": (0, 2)}
    messages = [t["message"] for t in rows["relu_absolute"]["parts"]["test_relu"]["tests"]]
    assert any("does not flip their sign" in m for m in messages), messages


@pytest.mark.parametrize("name", ["8_transfer", "08-transfer", "08_Transfer", "01_conv1d"])
def test_a_bad_or_existing_name_is_refused_and_nothing_is_written(copy, name):
    before = sorted(p.name for p in (copy / "grader" / "checks").iterdir())
    done = _run(copy, "-m", "grader", "new-assignment", name)
    assert done.returncode == 2 and name in done.stderr
    assert sorted(p.name for p in (copy / "grader" / "checks").iterdir()) == before
