"""What a batch does before its first notebook: slots started and warmed up ahead, and
nbgrader's migration head remembered instead of asked of a subprocess per gradebook."""

import json

from grader.batch.slot import SlotUnit
from grader.course import nbgrader_config


def test_the_migration_head_is_asked_once_then_read_from_the_cache(tmp_path, monkeypatch):
    from nbgrader import api
    calls = []

    def slow_head():
        calls.append(1)
        return "e43177bfe90b"

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(api, "get_alembic_version", slow_head)
    nbgrader_config.remember_alembic_head()
    nbgrader_config.remember_alembic_head()          # installing twice wraps once
    assert [api.get_alembic_version() for _ in range(3)] == ["e43177bfe90b"] * 3
    assert calls == [1]
    assert [p.read_text() for p in (tmp_path / "grader").glob("alembic-head-*.txt")] == \
        ["e43177bfe90b\n"]


def test_the_real_head_matches_nbgrader_s_own_answer(tmp_path, monkeypatch):
    """The cached value is what nbgrader's alembic reports (no stale constant)."""
    from alembic.script import ScriptDirectory
    from nbgrader import api
    from nbgrader.dbutil import ALEMBIC_DIR
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(api, "get_alembic_version", lambda: ScriptDirectory(ALEMBIC_DIR).get_current_head())
    nbgrader_config.remember_alembic_head()
    assert api.get_alembic_version() == ScriptDirectory(ALEMBIC_DIR).get_current_head()


def test_a_warmed_slot_is_running_before_its_first_notebook(tmp_path):
    unit = SlotUnit()
    try:
        unit.warm_up()
        process = unit.process
        assert process is not None and process.poll() is None
        unit.warm_up()                                  # a running slot is kept
        assert unit.process is process
        result = unit.grade(tmp_path / "missing" / "01_conv1d.ipynb", "01_conv1d")
        assert unit.process is process
        assert result["score"] == 0 and json.dumps(result)
    finally:
        unit.close()
