"""All or nothing: a writer that fails half-way leaves the warehouse as it was."""

from __future__ import annotations

import duckdb
import pytest

from dagster_project.transactions import transaction


def test_an_exception_inside_the_block_rolls_everything_back():
    con = duckdb.connect()
    con.execute("create table t (x integer)")
    con.execute("insert into t values (1)")
    with pytest.raises(KeyboardInterrupt):
        with transaction(con):
            con.execute("delete from t")
            con.execute("insert into t values (2), (3)")
            raise KeyboardInterrupt  # a crash or Ctrl-C mid-write
    assert con.execute("select x from t").fetchall() == [(1,)]
    with transaction(con):
        con.execute("insert into t values (4)")
    assert con.execute("select x from t order by x").fetchall() == [(1,), (4,)]
