"""Per-student feedback pages: score per part, pass/fail per test, the message.

Only student-safe text is used (test names from docstrings, CheckFailed and
StudentFault messages); internal errors and check source never appear.
"""

import html
from datetime import datetime, timezone

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;color:#222}
h1{font-size:1.5rem} h2{font-size:1.15rem;margin-top:1.6rem}
table{border-collapse:collapse;width:100%;table-layout:fixed} td,th{padding:.35rem .6rem;border-bottom:1px solid #ddd;
text-align:left;vertical-align:top} .pass{color:#1a7f37} .fail{color:#c62828}
.score{font-weight:600} col.name{width:38%} col.res{width:11%} col.pts{width:7%}
td.pass,td.fail{white-space:nowrap} .bar{height:.6rem;background:#eee;border-radius:.3rem}
.bar>div{height:100%;background:#1a7f37;border-radius:.3rem} .note{color:#8a6d00}
"""


def _fmt(value):
    return f"{value:g}"


def _part_section(grade_id, part):
    rows = []
    for test in part["tests"]:
        mark, css = ("\u2714 passed", "pass") if test["passed"] else ("\u2718 failed", "fail")
        # A pass may carry a note: the function to fix after a re-check, or cases that
        # could not be checked because another part's function failed on them.
        message = "" if test["passed"] and test["message"] == "passed" else \
            html.escape(test["message"])
        rows.append(f"<tr><td>{html.escape(test['name'])}</td><td class='{css}'>{mark}</td>"
                    f"<td>{_fmt(test.get('points', 0))}</td><td>{message}</td></tr>")
    if not rows:   # nothing ran (an unreadable or ungraded notebook): say so, not an empty table
        rows.append("<tr><td colspan='4'>No check of this part could run; see the note at "
                    "the top of this page.</td></tr>")
    share = 100 * part["score"] / part["max_score"] if part["max_score"] else 0
    return (f"<h2>{html.escape(grade_id)} \u2014 <span class='score'>{_fmt(part['score'])}"
            f" / {_fmt(part['max_score'])}</span></h2>"
            f"<div class='bar'><div style='width:{share:.0f}%'></div></div>"
            "<table><colgroup><col class='name'><col class='res'><col class='pts'><col></colgroup>"
            "<tr><th>check</th><th>result</th><th>points</th><th>what to look at</th></tr>"
            + "".join(rows) + "</table>")


def render(student, result):
    """Return the feedback page (HTML text) for one graded notebook."""
    title = f"Feedback: {result['assignment']} \u2014 {student}"
    notes = "".join(f"<p class='note'>{html.escape(n)}</p>" for n in result.get("notes", []))
    parts = "".join(_part_section(g, p) for g, p in result["parts"].items())
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p class='score'>Total: {_fmt(result['score'])} / {_fmt(result['max_score'])}</p>"
            f"{notes}{parts}<p><small>Generated {stamp}. Hidden checks use random inputs; "
            "the messages name likely mistakes without giving away answers.</small></p>"
            "</body></html>")
