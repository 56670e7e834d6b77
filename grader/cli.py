"""Command line: ``python -m grader COMMAND``; ``--help`` lists the commands."""

import argparse
import json
import sys
from pathlib import Path


def _release(args):
    from grader.authoring.release import release
    from grader.course.generate import ReleaseError
    try:
        written = release(args.assignments or None)
    except (ReleaseError, ValueError) as error:
        print(f"release failed: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"released {path}")
    return 0


def _student_bundle(args):
    from grader.authoring.student_bundle import build_bundle
    from grader.course.generate import ReleaseError
    try:
        written = build_bundle(args.directory)
    except ReleaseError as error:
        print(f"student-bundle failed: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    print(f"scanned every file (inside the wheel and zips too): no solution, hidden check, "
          f"reference or checkpoint. Give students {args.directory}, never the repository.")
    return 0


def _grade_notebook(args):
    from grader.batch.report import notebook_table
    from grader.grading.harness import grade_notebook
    from grader.sandbox.bubblewrap import SandboxUnavailable
    path = Path(args.path)
    if not path.is_file():
        print(f"no notebook at {path}", file=sys.stderr)
        return 2
    try:
        # one notebook: a plain sandboxed worker starts faster than the pre-importing
        # fork server, which pays off only over many notebooks (grader.batch.slot)
        result = grade_notebook(path, args.assignment, require_sandbox=args.require_sandbox,
                                fork_server=False)
    except (ValueError, SandboxUnavailable) as error:
        print(error, file=sys.stderr)
        return 2
    if result["sandbox"]["warning"]:
        print(f"WARNING: {result['sandbox']['warning']}", file=sys.stderr)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(notebook_table(result))
    return 0


def _autograde(args):
    if args.jobs is not None and args.jobs < 1:
        print("autograde: --jobs must be at least 1", file=sys.stderr)
        return 2
    from grader.batch.autograde import autograde_batch
    from grader.batch.dask_backend import SchedulerUnavailable
    from grader.batch.local import BatchBusy
    from grader.batch.report import class_table
    from grader.sandbox.bubblewrap import SandboxUnavailable
    from grader.batch.nbgrader_course import autograde_course, is_course_dir
    options = dict(only=args.assignment or None, output_dir=args.output, jobs=args.jobs,
                   scheduler=args.scheduler, require_sandbox=args.require_sandbox,
                   regrade_failed=args.regrade_failed)
    course = is_course_dir(args.submissions)
    if not course and (args.roster or args.duedate or args.late_penalty):
        print("autograde: --roster, --duedate and --late-penalty need an nbgrader course "
              "folder (one with submitted/<student>/<assignment>/)", file=sys.stderr)
        return 2
    try:
        outcome = (autograde_course(args.submissions, roster=args.roster, duedates=args.duedate,
                                    late_penalty=args.late_penalty, **options) if course
                   else autograde_batch(args.submissions, **options))
    except (FileNotFoundError, ValueError, SchedulerUnavailable, SandboxUnavailable,
            BatchBusy) as error:
        print(f"autograde: {error}", file=sys.stderr)
        return 2
    output_dir = outcome.output_dir
    gradebook = Path(args.submissions) if course else output_dir / "nbgrader"
    print(class_table(outcome.rows))
    print(f"\ngraded now: {outcome.graded}, up to date: {outcome.up_to_date}"
          f"\ngrades: {output_dir / 'grades.csv'}\nfeedback: {output_dir / 'feedback'}"
          f"\ngradebook: {gradebook / 'gradebook.db'}")
    if not outcome.nbgrader_ok:
        print("\nnbgrader's autograde step reported problems (above)", file=sys.stderr)
        return 1
    if outcome.ungraded:
        print(f"\nNOT GRADED ({len(outcome.ungraded)}), run again to grade them:", file=sys.stderr)
        for submission, reason in outcome.ungraded:
            print(f"  {submission.student}/{submission.assignment}: {reason}", file=sys.stderr)
        return 1
    return 0


def _diagrams(args):
    from grader.authoring.diagrams import regenerate
    try:
        stale = regenerate(args.assignment, check_only=args.check)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    for path in stale:
        print(f"{'stale' if args.check else 'updated'} {path}")
    if not stale:
        print(f"the diagrams of {args.assignment} are up to date")
    return 1 if (args.check and stale) else 0


def _demo(args):
    from grader.demo import run_demo
    return run_demo(Path(args.output), jobs=args.jobs, all_samples=args.all_samples)


def _new_assignment(args):
    from grader.authoring.scaffold import ScaffoldError, new_assignment
    try:
        written = new_assignment(args.assignment, title=args.title)
    except ScaffoldError as error:
        print(error, file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    print(f"next: replace the example `relu` by your notebook's functions, then "
          f"`python -m grader release {args.assignment}` and `python -m grader demo`")
    return 0


def _hub(args):
    from grader.classroom import hub_demo
    from grader.classroom.accounts import NotRoot
    from grader.classroom.hub import HubUnavailable
    try:
        if args.action == "stop":
            hub_demo.stop(args.base)
            return 0
        data = hub_demo.start(args.base, args.assignment, args.students)
    except (HubUnavailable, NotRoot) as error:
        print(f"hub {args.action}: {error}", file=sys.stderr)
        return 2
    print(hub_demo.summary(data))
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="python -m grader", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="regenerate course/notebooks from course/solutions")
    release.add_argument("assignments", nargs="*", help="default: every assignment")
    release.set_defaults(run=_release)
    bundle = commands.add_parser("student-bundle", help="write what students get (library "
                                 "wheel, notebook zips, requirements) into DIRECTORY")
    bundle.add_argument("directory", help="a new or empty folder")
    bundle.set_defaults(run=_student_bundle)
    grade = commands.add_parser("grade-notebook", help="grade one notebook file")
    grade.add_argument("path")
    grade.add_argument("--assignment", required=True)
    grade.add_argument("--json", action="store_true", help="print the result as JSON")
    grade.add_argument("--require-sandbox", action="store_true",
                       help="fail instead of grading outside the bubblewrap sandbox")
    grade.set_defaults(run=_grade_notebook)
    auto = commands.add_parser("autograde", help="grade SUBMISSIONS/<student>/<assignment>/"
                               "*.ipynb, or an nbgrader course folder (COURSE/submitted/...)")
    auto.add_argument("submissions")
    auto.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    auto.add_argument("--output", help="default: <SUBMISSIONS>-graded")
    auto.add_argument("--jobs", type=int, help="notebooks graded at once (default: cores)")
    auto.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                      help="grade on this Dask distributed cluster instead of this machine")
    auto.add_argument("--require-sandbox", action="store_true",
                      help="fail instead of grading outside the bubblewrap sandbox")
    auto.add_argument("--regrade-failed", action="store_true",
                      help="grade again the submissions that could not be graded last time")
    auto.add_argument("--roster", metavar="CSV", help="nbgrader course folder: student names "
                      "(id,first_name,last_name,email, as `nbgrader db student import` reads)")
    auto.add_argument("--duedate", action="append", metavar="ASSIGNMENT=DATE",
                      help="nbgrader course folder: the assignment's due date (repeatable), "
                      "e.g. '03_padding_stride_pooling=2025-03-01 17:00 Europe/Zurich'")
    auto.add_argument("--late-penalty", choices=("none", "zero"),
                      help="nbgrader course folder: nbgrader's LateSubmissionPlugin method "
                      "for late submissions (kept in its nbgrader_config.py; default none)")
    auto.set_defaults(run=_autograde)
    diagrams = commands.add_parser("diagrams", help="re-render an assignment's diagram "
                                   "questions into its solution notebook")
    diagrams.add_argument("assignment")
    diagrams.add_argument("--check", action="store_true",
                          help="only report (exit 1) if the notebook's pictures are stale")
    diagrams.set_defaults(run=_diagrams)
    scaffold = commands.add_parser("new-assignment", help="start a new notebook: solution "
                                   "notebook + hidden checks folder, ready to grade")
    scaffold.add_argument("assignment", help="e.g. 08_transfer")
    scaffold.add_argument("--title", default="A new notebook")
    scaffold.set_defaults(run=_new_assignment)
    demo = commands.add_parser("demo", help="release, grade sample submissions, print the table")
    demo.add_argument("--output", default="demo_output")
    demo.add_argument("--jobs", type=int)
    demo.add_argument("--all-samples", action="store_true",
                      help="grade every sample mistake, not only the demo's selection")
    demo.set_defaults(run=_demo)
    hub = commands.add_parser("hub", help="start (or stop) a class on a JupyterHub on this "
                              "machine to try by hand: Unix users, course, formgrader (root)")
    hub.add_argument("action", choices=("start", "stop"))
    hub.add_argument("--base", default="/srv/cnn-course-hub",
                     help="the class's folder: course, exchange, the hub's state")
    hub.add_argument("--assignment", default="03_padding_stride_pooling",
                     help="the assignment released to the students")
    hub.add_argument("--students", type=int, default=3)
    hub.set_defaults(run=_hub)
    from grader.classroom.down import add_commands
    add_commands(commands)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.run(args)
