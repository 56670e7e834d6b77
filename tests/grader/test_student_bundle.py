"""The student bundle: only the library and the released notebooks, nothing that answers.

Built once with the command line (`python -m grader student-bundle DIR`); the scan must pass
on it and fail on copies with a secret planted in them; and the wheel, installed into a fresh
virtual environment, must run a released notebook while the grader stays out of reach.
"""

import ast
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement

from test_course_release import _solution_line as _first_solution_line

from grader.authoring.bundle_leaks import scan_bundle
from grader.authoring.implementations import solution_source
from grader.authoring.samples import replace_cells
from grader.authoring import student_bundle
from grader.cli import main
from grader.course.generate import ReleaseError
from grader.course.layout import CHECKS_ROOT, NOTEBOOKS_DIR, REPO_ROOT, assignments

pytestmark = pytest.mark.xdist_group("student-bundle")
NOTEBOOK = "01_conv1d"   # a light notebook that reads a dataset through the library


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bundle") / "dist"
    assert main(["student-bundle", str(folder)]) == 0
    return folder


def _wheel(folder):
    (wheel,) = Path(folder).glob("*.whl")
    return wheel


def test_the_wheel_holds_the_library_and_nothing_else(bundle):
    with zipfile.ZipFile(_wheel(bundle)) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
    tops = {name.split("/")[0] for name in names}
    assert tops == {"source_lib", "cnn_course_student-0.1.0.dist-info"}, tops
    library = {p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "source_lib").rglob("*.py")}
    data = {p.relative_to(REPO_ROOT).as_posix() for pattern in student_bundle.library_data()
            for p in (REPO_ROOT / "source_lib").glob(pattern)}
    assert any(name.endswith(".jpg") for name in data)     # 09's paintings, the offline copies
    assert {n for n in names if n.startswith("source_lib/")} == library | data
    requires = [line.split(": ", 1)[1] for line in metadata.decode().splitlines()
                if line.startswith("Requires-Dist:")]
    assert [Requirement(r) for r in requires] == [
        Requirement(r) for r in student_bundle._pyproject()["project"]["dependencies"]]


def test_one_zip_per_assignment_holds_its_released_folder(bundle):
    zips = sorted(p.stem for p in (bundle / "notebooks").glob("*.zip"))
    assert zips == assignments()
    for assignment in assignments():
        with zipfile.ZipFile(bundle / "notebooks" / f"{assignment}.zip") as archive:
            released = {p.name: p.read_bytes() for p in (NOTEBOOKS_DIR / assignment).iterdir()}
            assert {n: archive.read(n) for n in archive.namelist()} == {
                f"{assignment}/{name}": data for name, data in released.items()}


def test_requirements_pin_torch_first_and_leave_out_the_grading_tools(bundle):
    packages = [line for line in (bundle / "requirements.txt").read_text().splitlines()
                if line and not line.startswith(("#", "-"))]
    assert packages[0] == "torch==2.13.0"
    names = {student_bundle._name(p) for p in packages}
    assert {"numpy", "matplotlib", "ipywidgets", "mnist1d", "jupyterlab", "ipykernel"} <= names
    assert not names & {"nbgrader", "nbclient", "pytest", "distributed", "cnn-course"}
    environment = (bundle / "environment.yml").read_text()
    assert "torch==2.13.0" in environment and _wheel(bundle).name in environment
    assert "nbgrader" not in environment
    assert _wheel(bundle).name in (bundle / "README.txt").read_text()


def test_the_scan_passes_on_the_bundle(bundle):
    assert scan_bundle(bundle) == []


def _rewrite_member(archive_path, member, change):
    """Replace one member of a zip by change(its bytes) (a new member if it is missing)."""
    with zipfile.ZipFile(archive_path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[member] = change(members.get(member, b""))
    with zipfile.ZipFile(archive_path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _solution_line():
    return _first_solution_line("05_conv_backprop")


def _reference_function_disguised():
    """A reference.py function renamed, without its docstring, laid out anew."""
    tree = ast.parse((CHECKS_ROOT / "02_conv2d" / "reference.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "corr2d")
    node.name = "my_helper"
    node.body = [s for s in node.body
                 if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return "\n\n" + ast.unparse(node) + "\n"


def _plant_in_notebook(folder, line):
    def change(data):
        notebook = json.loads(data)
        notebook["cells"][-1]["source"] = "".join(notebook["cells"][-1]["source"]) + "\n" + line
        return json.dumps(notebook).encode()
    _rewrite_member(folder / "notebooks/05_conv_backprop.zip",
                    "05_conv_backprop/05_conv_backprop.ipynb", change)


def _reference_line():
    return next(line.strip() for line in (CHECKS_ROOT / "03_padding_stride_pooling"
                                          / "reference.py").read_text().splitlines()
                if len(line.strip()) > 40 and line.strip().startswith("return "))


def _output_in_notebook(folder, line):
    def change(data):
        notebook = json.loads(data)
        cell = next(c for c in notebook["cells"] if c["cell_type"] == "code")
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": [line + "\n"]}]
        return json.dumps(notebook).encode()
    _rewrite_member(folder / "notebooks/03_padding_stride_pooling.zip",
                    "03_padding_stride_pooling/03_padding_stride_pooling.ipynb", change)


PLANTS = {
    "a solution line in a notebook": (
        lambda folder: _plant_in_notebook(folder, _solution_line()), "solution line"),
    "a reference function in the library": (
        lambda folder: _rewrite_member(_wheel(folder), "source_lib/images.py",
                                       lambda d: d + _reference_function_disguised().encode()),
        "the same code as 02_conv2d reference.py corr2d"),
    "a hidden-check line in the README": (
        lambda folder: (folder / "README.txt").write_text(
            (folder / "README.txt").read_text() + next(
                line for line in (CHECKS_ROOT / "04_param_counting/test_layer_table.py")
                .read_text().splitlines() if len(line.strip()) > 40 and "def " not in line)),
        "grader/checks/04_param_counting"),
    "a reference line in a notebook's output": (
        lambda folder: _output_in_notebook(folder, _reference_line()),
        "a line of grader/checks/03_padding_stride_pooling"),
    "a reference checkpoint under another name": (
        lambda folder: _rewrite_member(folder / "notebooks/06_fc_vs_cnn_fashionmnist.zip",
                                       "06_fc_vs_cnn_fashionmnist/starter.bin",
                                       lambda _: (CHECKS_ROOT / "06_fc_vs_cnn_fashionmnist"
                                                  / "checkpoints/smallcnn.pt").read_bytes()),
        "the reference checkpoint 06_fc_vs_cnn_fashionmnist/checkpoints/smallcnn.pt"),
    "the grader's package in the wheel": (
        lambda folder: _rewrite_member(_wheel(folder), "grader/__init__.py", lambda _: b""),
        "a file of the instructors' side (grader/)"),
}


@pytest.mark.parametrize("plant", sorted(PLANTS))
def test_the_scan_fails_on_a_planted_secret(bundle, tmp_path, plant):
    copy = tmp_path / "dist"
    shutil.copytree(bundle, copy)
    planter, expected = PLANTS[plant]
    planter(copy)
    problems = scan_bundle(copy)
    assert any(expected in p for p in problems), problems


def test_a_leaking_bundle_is_refused_and_nothing_is_written(tmp_path, monkeypatch, capsys):
    assemble = student_bundle._assemble

    def leaky(staging):
        assemble(staging)
        _plant_in_notebook(staging, _solution_line())
    monkeypatch.setattr(student_bundle, "_assemble", leaky)
    assert main(["student-bundle", str(tmp_path / "dist")]) == 1
    assert "solution line of 05_conv_backprop.ipynb" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())
    assert not list(tmp_path.glob(".student-bundle-*"))
    with pytest.raises(ReleaseError, match="not empty"):
        (tmp_path / "full").mkdir()
        (tmp_path / "full" / "x").write_text("")
        student_bundle.build_bundle(tmp_path / "full")


# Run by the fresh environment's Python: executes a notebook with the test suite's kernel
# runner (nbclient, reached through the .pth below) and saves the executed copy.
RUNNER = """
import sys
import nbformat
sys.path.insert(0, sys.argv[1])
from notebook_run import execute
notebook, _ = execute(sys.argv[2], sys.argv[3])
nbformat.write(notebook, sys.argv[4])
"""
PROBE = ("import sys, importlib.util, source_lib\n"
         "print(sys.executable, source_lib.__file__,\n"
         "      importlib.util.find_spec('grader'), importlib.util.find_spec('gradeworker'))")


def _fresh_environment(root, wheel):
    """A new virtual environment with only the student wheel installed; the big
    dependencies (torch, numpy, jupyter) come from this venv's site-packages through a .pth
    file holding a plain path line, so the editable install's import hooks there (which
    would put the whole repository on the path) are not run."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True)
    python = root / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "course-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--disable-pip-version-check", str(wheel)], check=True)
    return python


def _clean_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    (tmp_path / "home").mkdir(exist_ok=True)
    env.update(COURSE_QUICK="1", MPLBACKEND="Agg", HOME=str(tmp_path / "home"),
               COURSE_CACHE_DIR=str(tmp_path / "cache"))   # COURSE_DATA_DIR is kept
    return env


def _solved_release(bundle, workdir):
    """The released notebook from the bundle's zip, its solution cells filled from the
    solution notebook (what a student who solved everything has), a probe cell first."""
    with zipfile.ZipFile(bundle / "notebooks" / f"{NOTEBOOK}.zip") as archive:
        archive.extractall(workdir)
    path = workdir / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    notebook = nbformat.read(str(path), as_version=4)
    solved = {c.metadata["nbgrader"]["grade_id"]: None for c in notebook.cells
              if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    replace_cells(notebook, {g: solution_source(NOTEBOOK, g) for g in solved})
    assert solved and "raise NotImplementedError()" not in "".join(
        c.source for c in notebook.cells if c.cell_type == "code")
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PROBE))
    nbformat.write(notebook, str(path))
    return path


@pytest.mark.slow
def test_the_wheel_alone_runs_a_released_notebook_without_the_grader(bundle, tmp_path):
    python = _fresh_environment(tmp_path / "venv", _wheel(bundle))
    workdir = tmp_path / "student"
    workdir.mkdir()
    env = _clean_env(tmp_path)
    for module in ("grader", "gradeworker"):
        done = subprocess.run([str(python), "-c", f"import {module}"], cwd=workdir, env=env,
                              capture_output=True, text=True)
        assert done.returncode != 0 and "ModuleNotFoundError" in done.stderr, done.stderr
    done = subprocess.run([str(python), "-c", "import source_lib; print(source_lib.__file__)"],
                          cwd=workdir, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.startswith(str(tmp_path / "venv")), done.stdout

    path = _solved_release(bundle, workdir)
    executed = tmp_path / "executed.ipynb"
    subprocess.run([str(python), "-c", RUNNER, str(REPO_ROOT / "tests" / "grader"), str(path),
                    str(path.parent), str(executed)], cwd=workdir, env=env, check=True,
                   timeout=600)
    notebook = nbformat.read(str(executed), as_version=4)
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors, errors[0]
    probe = notebook.cells[0].outputs[0]["text"].split()
    assert probe[0] == str(python) and probe[1].startswith(str(tmp_path / "venv"))
    assert probe[2:] == ["None", "None"], probe   # the kernel cannot find grader, gradeworker
    assert sum(bool(c.get("outputs")) for c in notebook.cells) > 5
