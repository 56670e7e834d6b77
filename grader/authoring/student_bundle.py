"""The student distribution: what a class can be given without giving away the answers.

    python -m grader student-bundle DIR

writes into DIR
    cnn_course_student-<version>-py3-none-any.whl   source_lib only (what notebooks import)
    notebooks/NN_topic.zip                           the released notebooks, one zip each
    requirements.txt, environment.yml                the student dependencies
    README.txt                                       how to install it

The repository itself holds the solutions, the hidden checks and their references, so it
must never be what students get. The wheel is built from a generated project that contains
nothing but a copy of ``source_lib``; its dependencies are read from the main
pyproject.toml (one source of truth). The bundle is assembled in a staging folder and scanned
for leaks (``grader.authoring.bundle_leaks``) file by file, inside the wheel and zips too;
DIR is written only when the scan is clean.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from grader.authoring.bundle_leaks import scan_bundle
from grader.course.generate import ReleaseError
from grader.course.layout import NOTEBOOKS_DIR, REPO_ROOT, assignments

DISTRIBUTION = "cnn-course-student"
STUDENT_PACKAGE = "source_lib"
# From the instructor's `course` extra, students need only a notebook front end and its
# kernel. nbgrader is left out: its Assignment List only works against a course exchange,
# which lives on the course JupyterHub image, and a laptop install hands notebooks in by
# upload; nbclient/nbformat are the grader's tools.
STUDENT_TOOLS = ("jupyterlab", "ipykernel")
TORCH_INDEX = "https://download.pytorch.org/whl/cpu"
# Zip entries get one fixed time, so the same release gives byte-identical zips.
ZIP_TIME = (2024, 1, 1, 0, 0, 0)
SKIPPED = ("__pycache__", ".ipynb_checkpoints", ".DS_Store")


def _pyproject():
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def _name(requirement):
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower()


def student_requirements():
    """The student's packages: torch first (its pinned CPU build must come before anything
    that depends on torch), then the course library's dependencies, then the notebook tools."""
    project = _pyproject()["project"]
    library = list(project["dependencies"])
    tools = [r for r in project["optional-dependencies"]["course"] if _name(r) in STUDENT_TOOLS]
    missing = set(STUDENT_TOOLS) - {_name(r) for r in tools}
    if missing:
        raise ReleaseError(f"pyproject.toml's `course` extra no longer lists {sorted(missing)}")
    return sorted(library, key=lambda r: _name(r) != "torch") + tools


def library_data():
    """The library's data files (glob patterns under source_lib/), as the main
    pyproject.toml's package-data lists them: the students' wheel must carry them too."""
    package_data = _pyproject().get("tool", {}).get("setuptools", {}).get("package-data", {})
    return list(package_data.get(STUDENT_PACKAGE, []))


def _wheel_pyproject():
    project = _pyproject()["project"]
    dependencies = "".join(f'    "{r}",\n' for r in project["dependencies"])
    data = ", ".join(json.dumps(pattern) for pattern in library_data())   # a TOML array
    return (f'[build-system]\nrequires = ["setuptools>=68"]\n'
            f'build-backend = "setuptools.build_meta"\n\n'
            f'[project]\nname = "{DISTRIBUTION}"\nversion = "{project["version"]}"\n'
            f'description = "The library the CNN course notebooks import (students\' edition)."\n'
            f'requires-python = "{project["requires-python"]}"\n'
            f'dependencies = [\n{dependencies}]\n\n'
            f'[tool.setuptools.packages.find]\ninclude = ["{STUDENT_PACKAGE}*"]\n\n'
            f'[tool.setuptools.package-data]\n{STUDENT_PACKAGE} = [{data}]\n')


def build_wheel(destination):
    """Build the students' wheel into ``destination`` offline; returns its path."""
    with tempfile.TemporaryDirectory(prefix="student-wheel-") as project:
        project = Path(project)
        shutil.copytree(REPO_ROOT / STUDENT_PACKAGE, project / STUDENT_PACKAGE,
                        ignore=shutil.ignore_patterns(*SKIPPED, "*.pyc"))
        (project / "pyproject.toml").write_text(_wheel_pyproject())
        # --no-build-isolation --no-index: the venv's setuptools builds it, nothing is
        # downloaded; SOURCE_DATE_EPOCH fixes the wheel's file times
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                   "--no-index", "--disable-pip-version-check", "-q",
                   "-w", str(destination), str(project)]
        env = dict(os.environ, SOURCE_DATE_EPOCH="1704067200", PIP_NO_INPUT="1")
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=project)
        if done.returncode != 0:
            raise ReleaseError(f"building the student wheel failed:\n{done.stderr[-2000:]}")
    wheels = sorted(Path(destination).glob("*.whl"))
    if len(wheels) != 1:
        raise ReleaseError(f"expected one wheel in {destination}, found {wheels}")
    return wheels[0]


def zip_assignment(assignment, destination):
    """Zip every file of the assignment's release folder (the student version)."""
    folder = NOTEBOOKS_DIR / assignment
    files = sorted(p for p in folder.rglob("*") if p.is_file()
                   and not any(part in SKIPPED for part in p.relative_to(folder).parts))
    if not any(p.suffix == ".ipynb" for p in files):
        raise ReleaseError(f"{assignment} has no released notebook: run `python -m grader release`")
    target = Path(destination) / f"{assignment}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            entry = zipfile.ZipInfo(f"{assignment}/{path.relative_to(folder).as_posix()}", ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, path.read_bytes())
    return target


def write_requirements(destination, wheel_name):
    lines = ["# The CNN course, students' packages: pip install -r requirements.txt",
             f"# (torch first, the CPU build from PyTorch's index), then `pip install {wheel_name}`",
             f"--extra-index-url {TORCH_INDEX}", *student_requirements()]
    (Path(destination) / "requirements.txt").write_text("\n".join(lines) + "\n")


def write_environment(destination, wheel_name):
    pip_lines = "".join(f"      - {r}\n" for r in [f"--extra-index-url {TORCH_INDEX}",
                                                    *student_requirements(), f"./{wheel_name}"])
    python = _pyproject()["project"]["requires-python"].split(",")[0].lstrip(">=")
    (Path(destination) / "environment.yml").write_text(
        "# The CNN course, students' environment (run from the bundle's folder):\n"
        "#   conda env create -f environment.yml && conda activate cnn-course-student\n"
        f"name: cnn-course-student\nchannels:\n  - conda-forge\ndependencies:\n"
        f"  - python={python}\n  - pip\n  - pip:\n{pip_lines}")


README = """\
The CNN course: what you need to work on the notebooks
======================================================

This folder holds
  {wheel}   the course library the notebooks import (source_lib)
  notebooks/NN_topic.zip  one zip per notebook: unzip it where you want to work
  requirements.txt        the packages, for pip
  environment.yml         the same, for conda

On the course JupyterHub everything is installed already: open the notebook there.

On your own computer (Python {python}):
  python -m venv cnn-course && source cnn-course/bin/activate   (Windows: cnn-course\\Scripts\\activate)
  pip install -r requirements.txt
  pip install {wheel}
or with conda:
  conda env create -f environment.yml && conda activate cnn-course-student

Then unzip a notebook and open it:
  unzip notebooks/01_conv1d.zip && jupyter lab 01_conv1d/01_conv1d.ipynb

Write your code where it says `# YOUR CODE HERE` and run the self-check cell under each
exercise. Keep graded code inside the functions and classes. Set COURSE_QUICK=1 to run the
training sections on a short budget. Datasets are downloaded on first use (checksums are
verified); set COURSE_DATA_DIR to a folder that already holds them to work offline.
Hand in the notebook (and, from notebook 06 on, the checkpoint files it tells you to save).
"""


def write_readme(destination, wheel_name):
    python = _pyproject()["project"]["requires-python"].split(",")[0].lstrip(">=")
    (Path(destination) / "README.txt").write_text(README.format(wheel=wheel_name, python=python))


def _assemble(staging):
    wheel = build_wheel(staging)
    (staging / "notebooks").mkdir()
    for assignment in assignments():
        zip_assignment(assignment, staging / "notebooks")
    write_requirements(staging, wheel.name)
    write_environment(staging, wheel.name)
    write_readme(staging, wheel.name)


def build_bundle(destination):
    """Build, scan and write the student bundle into ``destination`` (absent or empty);
    returns the written paths. Raises ReleaseError, and writes nothing, if a secret leaks."""
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise ReleaseError(f"{destination} is not empty: give a new or empty folder")
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".student-bundle-", dir=destination.parent) as staging:
        staging = Path(staging) / "bundle"
        staging.mkdir()
        _assemble(staging)
        problems = scan_bundle(staging)
        if problems:
            raise ReleaseError("the student bundle would leak:\n  " + "\n  ".join(problems))
        destination.mkdir(exist_ok=True)
        for path in sorted(staging.iterdir()):
            shutil.move(str(path), destination / path.name)
    return sorted(p for p in destination.rglob("*") if p.is_file())
