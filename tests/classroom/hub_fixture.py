"""The class's hub, shared by the hub's API test and its browser test (each module starts
its own: ``make test`` runs one, ``make test-browser`` the other)."""

import pytest

from grader.classroom.hub import stop_hub, unavailable_reason
from grader.classroom.hub_class import release, start_class_hub

COURSE = "cnn-hub"
A = "03_padding_stride_pooling"


@pytest.fixture(scope="module")
def hub(classroom, request):
    """The class's hub with 03 released by the TA; stopped (servers, proxy, repository
    lock) at the end of the module, also when a test fails."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no JupyterHub here: {reason}")
    base = classroom.root / "hub-class"
    request.addfinalizer(lambda: stop_hub(base / "hub"))
    running, course = start_class_hub(classroom.prefix, classroom.accounts, base, COURSE,
                                      [A], log=lambda line: None)
    release(running.url, classroom.ta, COURSE, A)
    return running, course
