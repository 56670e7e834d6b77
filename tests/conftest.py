"""Fixtures shared by every test folder."""

import pytest
import torch


@pytest.fixture
def one_thread():
    """torch on one thread for the test: tiny models gain nothing from threads, and thread
    spinning is slow on a busy 2-core machine (tests run two at a time)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
