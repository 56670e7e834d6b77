"""Fixtures shared by every test folder."""

import os

import pytest
import torch

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers share the cores with the notebook kernels and graders they start: one
    # torch thread each (inherited by those processes). Two threads waiting for a core
    # held by another process made pretraining the course backbone 7x slower.
    os.environ["COURSE_MAX_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)


@pytest.fixture
def one_thread():
    """torch on one thread for the test: tiny models gain nothing from threads, and thread
    spinning is slow on a busy 2-core machine (tests run two at a time)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Make ``--dist loadgroup`` group again under pytest >= 9.2.

    pytest-xdist 3.8 groups tests by appending "@<group>" to each item's ``_nodeid`` on the
    worker; pytest 9.2 keeps node ids in ``_id`` instead, so the suffix is lost and every
    ``xdist_group`` is ignored (pytest-dev/pytest-xdist#1386): each process then grades the
    expensive shared classes again. This runs after xdist's hook and adds the suffix where
    xdist's could not; it does nothing where xdist's worked or without loadgroup."""
    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if names and "@" not in item.nodeid.rpartition("]")[2]:
            _set_node_id(item, f"{item.nodeid}@{'_'.join(names)}")


def _set_node_id(item, node_id):
    try:
        from _pytest.nodeid import NodeId
    except ImportError:         # pytest < 9.2 keeps the string itself
        item._nodeid = node_id
        return
    item._id = NodeId.parse(node_id)
