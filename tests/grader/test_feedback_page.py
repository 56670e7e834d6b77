"""The feedback page as a student reads it, and the terminal tables: parts in the released
notebook's order under the notebook's own titles, a summary naming (and linking) the parts
that lost points, points as "earned / worth" (0 / n on a failed check), notes on passes,
everything escaped; on a synthetic result and on a real class batch of 05."""

import json
import re

import pytest

from grader.authoring.samples import write_samples
from grader.batch import feedback, report
from grader.batch.autograde import autograde
from grader.course import parts
from grader.course.layout import assignments, released_notebook

ASSIGNMENT = "05_conv_backprop"
WRONG = "slips_with_dict_cache"   # loses points in several parts; a pass carries a note


def _grade_cells_in_notebook(assignment):
    """The grade cells' ids in the released notebook, read here independently."""
    cells = json.loads(released_notebook(assignment).read_text())["cells"]
    return [c["metadata"]["nbgrader"]["grade_id"] for c in cells
            if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def _section_ids(page):
    return re.findall(r"<section class='part[^']*' id='part-([^']+)'", page)


@pytest.mark.parametrize("assignment", assignments())
def test_every_part_has_a_title_of_its_own_from_the_notebook(assignment):
    found = parts.notebook_parts(assignment)
    assert [p.grade_id for p in found] == _grade_cells_in_notebook(assignment)
    titles = [p.title for p in found]
    assert len(set(titles)) == len(titles), titles
    for part in found:
        assert part.grade_id not in part.title and part.section, part
        # the title names what the part grades (a function, or the checkpoint file)
        assert "`" in part.title, part


def test_titles_read_like_the_notebook():
    by_id = {p.grade_id: p for p in parts.notebook_parts(ASSIGNMENT)}
    assert by_id["test_maxpool_backward_naive"].title == \
        "Exercise 5 \u2014 `maxpool_backward_naive(dout, cache)` \u2192 `dx`"
    assert by_id["test_maxpool_forward_naive"].title.startswith("Exercise 4 \u2014 `maxpool_")
    assert by_id["test_maxpool_backward_naive"].section == "3. Max pooling: forward and backward"
    # one heading for two exercises' grade cells: each narrowed to its own function
    pooling = {p.grade_id: p.title for p in parts.notebook_parts("03_padding_stride_pooling")}
    assert pooling["test_avgpool2d_forward"] == \
        "Exercise 6 \u2014 `avgpool2d_forward(x, kernel_size, stride=None)`"
    checkpoints = {p.grade_id: p.title for p in parts.notebook_parts("06_fc_vs_cnn_fashionmnist")}
    assert checkpoints["test_mlp_checkpoint"] == "Saving the checkpoints \u2014 `mlp.pt`"


def test_titles_fall_back_to_what_the_check_file_grades(tmp_path):
    assert parts.graded_names("01_conv1d", "test_mnist1d_models") == ("CNN1D", "MLP1D")
    (tmp_path / "toy").mkdir()
    (tmp_path / "toy" / "test_pair.py").write_text('GRADES = ("first", "second")\n')
    assert parts.graded_names("toy", "test_pair", tmp_path) == ("first", "second")
    assert parts.graded_names("toy", "test_other", tmp_path) == ("other",)
    # no released notebook for this assignment, or a part the release does not have
    assert parts.part("no_such_assignment", "test_double").title == "`double`"
    assert parts.part(ASSIGNMENT, "test_newer").title == "`newer`"
    assert parts.ordered(ASSIGNMENT, ["test_newer", "test_numerical_gradient",
                                      "test_conv1d_backward"]) == \
        ["test_conv1d_backward", "test_numerical_gradient", "test_newer"]


def _synthetic_result():
    """A result as grading stores it: parts in name order (backward before forward)."""
    def part(*tests):
        return {"score": sum(p for passed, p, _ in tests if passed),
                "max_score": sum(p for _, p, _ in tests),
                "tests": [{"name": f"check {i} <b>", "passed": passed, "points": p,
                           "message": message} for i, (passed, p, message) in enumerate(tests)]}
    found = {g: part((True, 1, "passed")) for g in sorted(_grade_cells_in_notebook(ASSIGNMENT))}
    raised = "`maxpool_backward_naive` raised <script>alert(1)</script>"
    found["test_maxpool_backward_naive"] = part((True, 1, "passed"), (False, 2, raised))
    found["test_conv2d_function"] = part((True, 2, "Passed when re-checked: fix `x`."))
    return {"assignment": ASSIGNMENT, "parts": found, "notes": ["Cell 3 <i>could</i> not run."],
            "score": sum(p["score"] for p in found.values()),
            "max_score": sum(p["max_score"] for p in found.values())}


def test_page_orders_titles_summarises_and_escapes():
    page = feedback.render("<img src=x>", _synthetic_result())
    assert _section_ids(page) == _grade_cells_in_notebook(ASSIGNMENT)
    assert page.index("conv2d_forward_naive(") < page.index("conv2d_backward_naive(")
    # the summary: the one part that lost points, linked to its section, marked red
    summary = page[page.index("class='summary'"):page.index("<section")]
    assert f"Points lost in 1 of {len(_grade_cells_in_notebook(ASSIGNMENT))} parts" in summary
    assert "<a href='#part-test_maxpool_backward_naive'>Exercise 5</a>" in summary
    assert "<tr class='failed'><td><a href='#part-test_maxpool_backward_naive'>" in summary
    assert summary.count("class='failed'") == 1 and "lost 2" in summary
    assert "<section class='part lost' id='part-test_maxpool_backward_naive'>" in page
    # points: what was earned of what the check is worth; a failed check earned 0
    assert "<th class='pts'>earned / worth</th>" in page
    assert "\u2718 failed</td><td class='pts'>0 / 2</td>" in page
    assert "\u2714 passed</td><td class='pts'>1 / 1</td>" in page
    assert "Note: Passed when re-checked: fix <code>x</code>." in page   # a pass's note
    # escaped, and `code` marked up only after escaping
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>maxpool_backward_naive</code> raised" in page
    assert "<img src=x>" not in page and "check 0 &lt;b&gt;" in page
    assert "<p class='banner'>Cell 3 &lt;i&gt;could&lt;/i&gt; not run.</p>" in page


def test_terminal_tables_follow_the_notebook():
    result = _synthetic_result()
    lines = report.notebook_table(result).splitlines()
    listed = [line.split()[0] for line in lines if line.startswith("  test_")]
    assert listed == _grade_cells_in_notebook(ASSIGNMENT)
    table = report.class_table([dict(result, student="ann")])
    header = table.splitlines()[1].split()
    assert header.index("conv2d_forward_naive") < header.index("conv2d_backward_naive")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback_05")
    write_samples(ASSIGNMENT, root / "submissions", only=[WRONG])
    rows, output = autograde(root / "submissions", output_dir=root / "graded", jobs=1,
                             progress=False)
    pages = {r["student"]: (output / "feedback" / r["student"] / ASSIGNMENT / "feedback.html")
             .read_text() for r in rows}
    return {r["student"]: r for r in rows}, pages


def test_real_pages_of_a_class_batch(graded):
    rows, pages = graded
    order = _grade_cells_in_notebook(ASSIGNMENT)
    assert "Full marks on every part." in pages["reference"]
    assert "class='failed'" not in pages["reference"]
    wrong, page = rows[WRONG], pages[WRONG]
    assert _section_ids(page) == order
    lost = [g for g in order if wrong["parts"][g]["score"] < wrong["parts"][g]["max_score"]]
    assert len(lost) >= 2
    summary = page[page.index("class='summary'"):page.index("<section")]
    assert f"Points lost in {len(lost)} of {len(order)} parts" in summary
    assert re.findall(r"<a href='#part-(test_\w+)'>Exercise \d</a>", summary) == lost
    for grade_id in order:
        title = parts.part(ASSIGNMENT, grade_id).title
        assert re.sub(r"`([^`]+)`", r"<code>\1</code>", title) in page
    failed = [t for g in lost for t in wrong["parts"][g]["tests"] if not t["passed"]]
    assert page.count("\u2718 failed</td><td class='pts'>0 / ") == len(failed)
    noted = [t for p in wrong["parts"].values() for t in p["tests"]
             if t["passed"] and t["message"] != "passed"]
    assert noted and all(f"Note: {t['message'].split('`')[0]}" in page for t in noted)
    for text in ("def test_", "load_reference", "expect_close", "check_cases", "import "):
        assert text not in page
    listed = [line.split()[0] for line in report.notebook_table(wrong).splitlines()
              if line.startswith("  test_")]
    assert listed == order
