"""A student's first runs of a released (blank) notebook, in a real kernel.

Run All stops at the first exercise's check cell with the check's own lines and one error
line (no traceback through source_lib); demo cells that need an exercise say so in one line
and let the notebook run on; nbgrader's Validate lists the exercises still to do, one error
line each. (nbgrader 0.9.6 also prints each failing cell's source: its Validator has no
setting to leave it out.)"""

import io
import os
import re
import shutil

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.validator import Validator
from notebook_run import execute
from traitlets.config.loader import PyFileConfigLoader

from grader.course.layout import REPO_ROOT, assignments, released_notebook
from grader.course.nbgrader_config import course_config, write_config_file

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# the exercises of 02 in order, with the number of visible checks of each
EXERCISES_02 = [("corr2d", 4), ("corr2d_multi_in", 4), ("corr2d_multi_in_out", 4),
                ("conv2d_im2col", 4), ("conv1x1", 3), ("learn_kernel", 1)]


@pytest.fixture
def kernel_env(monkeypatch, tmp_path):
    """Kernels import this checkout's source_lib, in quick mode, without a display."""
    monkeypatch.setenv("COURSE_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("COURSE_CACHE_DIR",
                       os.environ.get("COURSE_CACHE_DIR", str(tmp_path / "cache")))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(REPO_ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))


def errors(cell):
    return [o for o in cell.get("outputs", []) if o.output_type == "error"]


def stdout(cell):
    return "".join(o.text for o in cell.get("outputs", [])
                   if o.output_type == "stream" and o.name == "stdout")


def error_lines(output):
    return [ANSI.sub("", line) for line in "\n".join(output.traceback).splitlines()]


def is_check_cell(cell):
    """Grade cells, and 07's ungraded check of the copied training loops."""
    return cell.cell_type == "code" and "SelfCheck(" in cell.source


def assert_one_line_self_check_failure(cell):
    (error,) = errors(cell)
    assert error.output_type == "error" and error.ename == "SelfCheckFailed"
    lines = error_lines(error)
    assert len(lines) == 1 and lines[0].startswith("SelfCheckFailed: ")
    assert "still to do" in lines[0]
    return lines[0]


def test_run_all_stops_at_the_first_exercise_with_one_error_line(kernel_env, tmp_path):
    notebook = nbformat.read(released_notebook("02_conv2d"), as_version=4)
    with pytest.raises(CellExecutionError):
        execute(notebook, tmp_path)
    ran = [i for i, cell in enumerate(notebook.cells) if cell.get("execution_count")]
    first = notebook.cells[ran[-1]]            # where Run All stopped
    assert first.metadata["nbgrader"]["grade_id"] == "test_corr2d"
    assert [i for i, cell in enumerate(notebook.cells) if errors(cell)] == [ran[-1]]
    line = assert_one_line_self_check_failure(first)
    assert line == "SelfCheckFailed: corr2d: still to do (0/4 visible checks passed)."
    assert "source_lib" not in "\n".join(errors(first)[0].traceback)
    text = stdout(first)
    assert "corr2d: lecture example \u2014 not implemented yet" in text
    assert "corr2d: 0/4 visible checks passed." in text
    assert "hint:" not in text and "flipped the kernel" not in text   # hints: wrong values only


def test_demo_cells_need_an_exercise_in_one_line_and_the_notebook_runs_on(kernel_env, tmp_path):
    notebook, _ = execute(released_notebook("02_conv2d"), tmp_path, allow_errors=True)
    cells = notebook.cells
    code = [cell for cell in cells if cell.cell_type == "code"]
    assert all(cell.get("execution_count") for cell in code)
    failing = [cell for cell in code if errors(cell)]
    assert failing == [cell for cell in code if is_check_cell(cell)]
    for cell, (name, total) in zip(failing, EXERCISES_02, strict=True):
        assert assert_one_line_self_check_failure(cell) == (
            f"SelfCheckFailed: {name}: still to do (0/{total} visible checks passed).")
    demos = [cell for cell in code if "with needs(" in cell.source]
    assert len(demos) == 5
    edges = next(cell for cell in demos if "Sobel x: vertical edges" in cell.source)
    assert stdout(edges).startswith("\u270f\ufe0f This cell needs your corr2d, which is not "
                                    "implemented yet: skipped for now")
    assert all("This cell needs your" in stdout(cell) for cell in demos)
    assert not any(o.output_type == "display_data" for o in edges.outputs)   # no empty figure
    explorer = next(cell for cell in code if "convolution_explorer(" in cell.source)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in explorer.outputs)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", assignments())
def test_only_check_cells_fail_in_a_blank_notebook(assignment, kernel_env, tmp_path):
    """Every demo cell that calls an exercise is guarded: in a blank notebook run with
    allow_errors, the check cells fail (one line each) and nothing else does."""
    notebook, _ = execute(released_notebook(assignment), tmp_path, allow_errors=True)
    failing = [cell for cell in notebook.cells if errors(cell)]
    unexpected = [cell.source[:200] for cell in failing if not is_check_cell(cell)]
    assert not unexpected
    for cell in failing:
        assert_one_line_self_check_failure(cell)


def test_validate_lists_the_exercises_still_to_do(kernel_env, tmp_path):
    notebook = tmp_path / "02_conv2d.ipynb"
    shutil.copy(released_notebook("02_conv2d"), notebook)
    validator = Validator(config=course_config(tmp_path / "course"))
    validator.stream = io.StringIO()
    validator.validate_and_print(str(notebook))
    out = validator.stream.getvalue()
    assert f"VALIDATION FAILED ON {len(EXERCISES_02)} CELL(S)!" in out
    reported = re.findall(r"The error was:\n\n(.*?)\n\n", out, flags=re.S)
    assert [line.strip() for line in reported] == [
        f"SelfCheckFailed: {name}: still to do (0/{total} visible checks passed)."
        for name, total in EXERCISES_02]
    assert "Traceback" not in out and "source_lib" not in out and "File " not in out
    # short: besides each failing check cell's source, a few fixed lines per cell
    sources = sum(len(cell.source.strip().splitlines())
                  for cell in nbformat.read(notebook, as_version=4).cells if is_check_cell(cell))
    assert len(out.splitlines()) <= sources + 9 * len(EXERCISES_02) + 2


def test_validate_shows_any_other_error_in_one_line(kernel_env, tmp_path):
    """The course's configuration runs Validate's kernel with short tracebacks."""
    grade = {"grade": True, "solution": False, "locked": False, "task": False, "points": 1,
             "grade_id": "test_helper", "schema_version": 3}
    notebook = new_notebook(cells=[
        new_code_cell("def helper():\n    return {}['missing']"),
        new_code_cell("helper()", metadata={"nbgrader": grade})])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = tmp_path / "bug.ipynb"
    nbformat.write(notebook, path)
    validator = Validator(config=course_config(tmp_path / "course"))
    (failed,) = validator.validate(str(path))["failed"]
    assert [ANSI.sub("", line) for line in failed["raw_error"].splitlines()] == [
        "KeyError: 'missing'"]


def test_the_written_course_config_has_the_validate_setting(tmp_path):
    write_config_file(tmp_path)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert config.Execute.extra_arguments == list(course_config(tmp_path).Execute.extra_arguments)
    assert "--InteractiveShell.xmode=Minimal" in config.Execute.extra_arguments
