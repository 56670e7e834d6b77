"""Per-student feedback pages: a summary of the parts (the ones that lost points first to
the eye, linked), then each part in the notebook's order under the notebook's own title,
with every check, its points as "earned / worth" and its message.

Only student-safe text is used (test names from docstrings, CheckFailed and StudentFault
messages, the released notebook's headings); internal errors and check source never
appear. Everything from a result is HTML-escaped before `code` spans are marked up.
"""

import html
import re
from datetime import UTC, datetime

from grader.course import parts as course_parts

STYLE = """
body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.1rem;margin:0 0 .2rem}
code{font-size:.92em;background:#f3f3f3;padding:0 .2rem;border-radius:.2rem}
table{border-collapse:collapse;width:100%;table-layout:fixed}
td,th{padding:.35rem .6rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
th{font-weight:600;color:#555} .pass{color:#1a7f37} .fail{color:#c62828}
.total{font-size:1.2rem;font-weight:600} .where{color:#666;margin:0 0 .5rem;font-size:.9rem}
col.name{width:33%} col.res{width:10%} col.pts{width:14%} td.res,td.pts{white-space:nowrap}
.summary col.res{width:14%}
tr.failed td{background:#fff3f3} .note{color:#7a5c00}
.banner{background:#fff8e1;border:1px solid #e0c060;padding:.5rem .8rem;border-radius:.3rem}
.summary{border:1px solid #ccc;border-radius:.4rem;padding:.6rem 1rem;margin:1rem 0}
.summary p{margin:.2rem 0 .6rem} .summary a{color:inherit}
section.part{border-left:.35rem solid #1a7f37;padding:.6rem 0 .6rem .9rem;margin-top:1.6rem}
section.part.lost{border-left-color:#c62828;background:#fffafa}
.badge{font-size:.85rem;padding:.05rem .45rem;border-radius:.8rem;margin-left:.4rem;
color:#fff;background:#1a7f37;white-space:nowrap} .lost .badge,.badge.lost{background:#c62828}
.bar{height:.5rem;background:#eee;border-radius:.3rem;margin-bottom:.6rem}
.bar>div{height:100%;background:#1a7f37;border-radius:.3rem} .lost .bar>div{background:#d9822b}
"""

CODE_SPAN = re.compile(r"`([^`]+)`")


def _fmt(value):
    return f"{value:g}"


def _text(value):
    """Escaped text with `code` spans shown as code (after escaping: nothing of the value
    can become markup)."""
    return CODE_SPAN.sub(r"<code>\1</code>", html.escape(str(value)))


def _anchor(grade_id):
    return html.escape(f"part-{grade_id}", quote=True)


def _lost(part):
    return part["max_score"] - part["score"]


def _status(part):
    lost = _lost(part)
    if lost > 0:
        return f"<span class='badge lost'>lost {_fmt(lost)}</span>"
    if part["max_score"] == 0 and not part["tests"]:
        return "<span class='badge lost'>not graded</span>"
    return "<span class='badge'>full marks</span>"


def _short_title(assignment, grade_id):
    """"Exercise 5" for "Exercise 5 — `maxpool_backward_naive(dout, cache)` → `dx`", unless
    another part of the notebook starts the same way."""
    prefix = course_parts.part(assignment, grade_id).title.partition(" \u2014 ")[0]
    same = [p for p in course_parts.notebook_parts(assignment)
            if p.title.partition(" \u2014 ")[0] == prefix]
    return prefix if len(same) == 1 else course_parts.part(assignment, grade_id).title


def _summary(assignment, ordered):
    """Every part, linked, with its score; the lost ones named in the sentence above."""
    lost = [(g, p) for g, p in ordered if _lost(p) > 0 or not p["tests"]]
    if lost:
        links = ", ".join(f"<a href='#{_anchor(g)}'>{_text(_short_title(assignment, g))}</a>"
                          for g, _ in lost)
        sentence = (f"<strong class='fail'>Points lost in {len(lost)} of {len(ordered)} "
                    f"parts:</strong> {links}. They are marked red here and below.")
    else:
        sentence = "<strong class='pass'>Full marks on every part.</strong>"
    rows = "".join(
        f"<tr class='{'failed' if (g, p) in lost else ''}'><td><a href='#{_anchor(g)}'>"
        f"{_text(course_parts.part(assignment, g).title)}</a></td>"
        f"<td class='pts'>{_fmt(p['score'])} / {_fmt(p['max_score'])}</td>"
        f"<td>{_status(p)}</td></tr>" for g, p in ordered)
    return (f"<div class='summary'><p>{sentence}</p><table><colgroup><col>"
            "<col class='pts'><col class='res'></colgroup>"
            "<tr><th>part (in the notebook's order)</th><th class='pts'>earned / worth</th>"
            "<th></th></tr>"
            f"{rows}</table></div>")


def _test_row(test):
    worth = _fmt(test.get("points", 0))
    if test["passed"]:
        # A pass may carry a note: the function to fix after a re-check, or cases that
        # could not be checked because another part's function failed on them.
        message = "" if test["message"] == "passed" else \
            f"<span class='note'>Note: {_text(test['message'])}</span>"
        return (f"<tr><td>{_text(test['name'])}</td><td class='res pass'>\u2714 passed</td>"
                f"<td class='pts'>{worth} / {worth}</td><td>{message}</td></tr>")
    return (f"<tr class='failed'><td>{_text(test['name'])}</td><td class='res fail'>"
            f"\u2718 failed</td><td class='pts'>0 / {worth}</td>"
            f"<td>{_text(test['message'])}</td></tr>")


def _part_section(assignment, grade_id, part):
    info = course_parts.part(assignment, grade_id)
    rows = [_test_row(test) for test in part["tests"]]
    if not rows:   # nothing ran (an unreadable or ungraded notebook): say so, not an empty table
        rows.append("<tr><td colspan='4'>No check of this part could run; see the note at "
                    "the top of this page.</td></tr>")
    share = 100 * part["score"] / part["max_score"] if part["max_score"] else 0
    where = f"in {_text(info.section)} \u00b7 " if info.section else ""
    lost = " lost" if _lost(part) > 0 or not part["tests"] else ""
    return (f"<section class='part{lost}' id='{_anchor(grade_id)}'><h2>{_text(info.title)} "
            f"\u2014 {_fmt(part['score'])} / {_fmt(part['max_score'])}{_status(part)}</h2>"
            f"<p class='where'>{where}grade cell <code>{html.escape(grade_id)}</code> \u00b7 "
            "<a href='#summary'>back to the summary</a></p>"
            f"<div class='bar'><div style='width:{share:.0f}%'></div></div>"
            "<table><colgroup><col class='name'><col class='res'><col class='pts'><col>"
            "</colgroup><tr><th>check</th><th>result</th><th class='pts'>earned / worth</th>"
            "<th>what to look at</th></tr>" + "".join(rows) + "</table></section>")


def render(student, result):
    """Return the feedback page (HTML text) for one graded notebook."""
    assignment = result["assignment"]
    order = course_parts.ordered(assignment, result["parts"])
    ordered = [(g, result["parts"][g]) for g in order]
    title = f"Feedback: {course_parts.notebook_title(assignment)}"
    notes = "".join(f"<p class='banner'>{_text(n)}</p>" for n in result.get("notes", []))
    sections = "".join(_part_section(assignment, g, p) for g, p in ordered)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)} \u2014 {html.escape(student)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p class='where'>Student: {html.escape(student)} \u00b7 assignment "
            f"<code>{html.escape(assignment)}</code></p>"
            f"<p class='total' id='summary'>Total: {_fmt(result['score'])} / "
            f"{_fmt(result['max_score'])}</p>{notes}{_summary(assignment, ordered)}{sections}"
            f"<p><small>Generated {stamp}. Hidden checks use random inputs; the messages name "
            "likely mistakes without giving away answers.</small></p></body></html>")
