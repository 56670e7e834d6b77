"""Plain-text tables for the terminal: one notebook, or a whole class; parts in the
released notebook's order."""

from grader.course.parts import ordered


def _fmt(value):
    return f"{value:g}"


def notebook_table(result):
    """Per-part scores of one graded notebook, with the failed tests' messages."""
    lines = [f"{result['assignment']}: {_fmt(result['score'])} / {_fmt(result['max_score'])}"]
    width = max([len(g) for g in result["parts"]] + [8])
    for grade_id in ordered(result["assignment"], result["parts"]):
        part = result["parts"][grade_id]
        lines.append(f"  {grade_id:<{width}}  {_fmt(part['score']):>5} / {_fmt(part['max_score'])}")
        for test in part["tests"]:
            if not test["passed"]:
                lines.append(f"      \u2718 {test['name']}: {test['message']}")
            elif test["message"] != "passed":
                lines.append(f"      \u2714 {test['name']}: {test['message']}")
    for note in result.get("notes", []):
        lines.append(f"  note: {note}")
    return "\n".join(lines)


def _total(row):
    """"40/41", or "0/41 (40 - late 40)" after nbgrader's late penalty."""
    penalty = row.get("late_penalty", 0.0)
    total = f"{_fmt(row['score'] - penalty)}/{_fmt(row['max_score'])}"
    return f"{total} ({_fmt(row['score'])} - late {_fmt(penalty)})" if penalty else total


def _assignment_table(assignment, rows):
    """Student, total, then each part of this assignment (in the notebook's order)."""
    part_ids = ordered(assignment, {g for row in rows for g in row["parts"]})
    max_by_part = {g: row["parts"][g]["max_score"] for row in rows for g in row["parts"]}
    header = ["student", "score"] + [f"{g.removeprefix('test_')} /{_fmt(max_by_part[g])}"
                                     for g in part_ids]
    table = [header]
    for row in sorted(rows, key=lambda r: r["student"]):
        cells = [row["student"], _total(row)]
        cells += [_fmt(row["parts"][g]["score"]) if g in row["parts"] else "-" for g in part_ids]
        table.append(cells)
    widths = [max(len(str(r[i])) for r in table) for i in range(len(header))]
    rendered = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    rendered.insert(1, "  ".join("-" * w for w in widths))
    return f"{assignment}\n" + "\n".join(rendered)


def _sandbox_banner(rows):
    outside = sum(1 for row in rows if row.get("sandbox", {}).get("active") is False)
    return (f"!!! NOT SANDBOXED: {outside} of {len(rows)} submissions were graded with the "
            "student's code outside the sandbox !!!\n\n") if outside else ""


def class_table(rows):
    """One table per assignment: a line per submission with its total and part scores,
    under a banner if any submission was graded outside the sandbox."""
    assignments = sorted({row["assignment"] for row in rows})
    return _sandbox_banner(rows) + "\n\n".join(
        _assignment_table(a, [r for r in rows if r["assignment"] == a]) for a in assignments)
