"""The working copy a build writes (dagster_project/working_copy.py), on real DuckDB files, in seconds."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project import working_copy


def _count(path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select count(*) from t").fetchone()[0]
    finally:
        con.close()


@pytest.fixture()
def live(tmp_path):
    path = tmp_path / "ogi.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table t as select * from range(3)")
    con.close()
    return path


def test_a_second_build_is_refused_while_one_holds_the_lock(live):
    fd = working_copy.acquire_lock(live)
    try:
        with pytest.raises(working_copy.BuildLocked, match="another build of .*ogi.duckdb is running"):
            working_copy.acquire_lock(live)
    finally:
        working_copy.release_lock(fd)
    working_copy.release_lock(working_copy.acquire_lock(live))  # free again


def test_writes_go_to_the_copy_until_publish(live):
    work = working_copy.begin(live)
    con = duckdb.connect(str(work))
    con.execute("insert into t select * from range(10)")
    con.close()
    assert (_count(live), _count(work)) == (3, 13)
    reader = duckdb.connect(str(live), read_only=True)  # a notebook on the live file
    working_copy.publish(live)
    assert reader.execute("select count(*) from t").fetchone() == (3,)  # keeps its view
    reader.close()
    assert _count(live) == 13 and not work.exists()


def test_a_failed_or_killed_run_leaves_the_live_file_and_the_next_run_starts_fresh(live):
    work = working_copy.begin(live)
    con = duckdb.connect(str(work))
    con.execute("insert into t select * from range(10)")
    con.close()
    # killed here: nothing published; the next run's copy starts from the live file again
    work = working_copy.begin(live)
    assert (_count(live), _count(work)) == (3, 3)
    working_copy.discard(live)
    assert not work.exists() and _count(live) == 3


def test_the_first_build_starts_from_no_file(tmp_path):
    live = tmp_path / "new" / "ogi.duckdb"
    live.parent.mkdir()
    work = working_copy.begin(live)
    assert not work.exists()  # DuckDB creates it on first connect
    con = duckdb.connect(str(work))
    con.execute("create table t as select 1")
    con.close()
    working_copy.publish(live)
    assert _count(live) == 1
