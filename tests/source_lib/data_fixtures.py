"""Fixtures shared by the data tests (imported by their modules, not autouse globally)."""

import pytest


@pytest.fixture(autouse=True)
def course_dirs(tmp_path, monkeypatch):
    """Empty COURSE_DATA_DIR and COURSE_CACHE_DIR in tmp (never the real ones), for every test."""
    data_dir, cache_dir = tmp_path / "data", tmp_path / "cache"
    monkeypatch.setenv("COURSE_DATA_DIR", str(data_dir))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache_dir))
    return data_dir, cache_dir
