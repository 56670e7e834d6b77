"""A course on this machine for the browser: an instructor's JupyterLab serving the
nbgrader course folder (formgrader, Create Assignment) and a student's JupyterLab serving
the student's home folder (the Assignments tab), sharing nbgrader's exchange.

Both servers run as the user running the tests (nbgrader's student id is that user's
name); each has a configuration folder of its own, so nothing of the user's own Jupyter
set-up is read. The course folder's ``nbgrader_config.py`` is the one ``python -m grader``
writes for a class (our sandboxed grader behind the formgrader's Autograde button).
"""

import getpass
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from lab_server import start_lab, stop_lab

from grader.classroom.exchange import make_exchange, user_config_text
from grader.course.generate import prepare_source
from grader.course.nbgrader_config import COURSE_ID, config_text

STUDENT_NAME = ("Ada", "Lovelace")


@dataclass
class ClassLab:
    course: Path
    home: Path
    exchange: Path
    instructor: object = None       # LabServer
    student: object = None          # LabServer
    student_id: str = getpass.getuser()

    def stop(self):
        for server in (self.student, self.instructor):
            if server is not None:
                stop_lab(server)


def nbgrader(course, *args):
    """An nbgrader command in the course folder (set-up only: what the test clicks is
    done in the browser)."""
    env = {**os.environ,
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"nbgrader {' '.join(args)}:\n{done.stdout}{done.stderr}"
    return done


def start_class(base, assignment, kernel_env):
    """The course folder with ``assignment``'s source, the exchange, the student's home and
    both servers; the student is in the gradebook with a name."""
    base = Path(base)
    lab = ClassLab(course=base / "course", home=base / "home",
                   exchange=make_exchange(base / "exchange"))
    lab.course.mkdir()
    lab.home.mkdir()
    prepare_source(assignment, lab.course)
    (lab.course / "nbgrader_config.py").write_text(
        config_text(lab.course, course_id=COURSE_ID, exchange=lab.exchange))
    nbgrader(lab.course, "db", "student", "add", lab.student_id,
             f"--first-name={STUDENT_NAME[0]}", f"--last-name={STUDENT_NAME[1]}")
    try:
        for role, root in (("instructor", lab.course), ("student", lab.home)):
            config = base / f"{role}_jupyter_config"
            config.mkdir()
            if role == "student":       # where a student's ~/.jupyter/nbgrader_config.py is
                (config / "nbgrader_config.py").write_text(
                    user_config_text([COURSE_ID], lab.exchange))
            server = start_lab(root, base / f"{role}_lab",
                               {**kernel_env, "JUPYTER_CONFIG_DIR": str(config)})
            setattr(lab, role, server)
    except Exception:
        lab.stop()
        raise
    return lab
