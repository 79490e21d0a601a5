"""The export step's own rules, on a small DuckDB file: atomic version swap, the fingerprint that lets
an unchanged warehouse skip the export, and partitioned facts readable without the warehouse."""

from __future__ import annotations

import duckdb

from dagster_project.exports import (
    FINGERPRINT_FILE,
    current_export_fingerprint,
    export_parquet,
    marts_fingerprint,
    write_snapshot,
)


def make_marts(path):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.dim_x as select range as id, 'x' || range as name from range(3)")
    con.execute("create table marts.fct_y as select range % 3 as id, 2019 + range % 2 as report_year, range as value "
                "from range(10)")
    return con


def test_fingerprint_changes_with_any_row_and_only_then(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    first = marts_fingerprint(con)
    assert marts_fingerprint(con) == first
    con.execute("update marts.fct_y set value = value + 100 where value = 7")
    changed = marts_fingerprint(con)
    assert changed != first
    con.execute("update marts.fct_y set value = value - 100 where value = 107")
    assert marts_fingerprint(con) == first


def test_export_swaps_versions_and_records_the_fingerprint(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    out = tmp_path / "parquet"
    fp = marts_fingerprint(con)
    first = export_parquet(con, out, fp)
    assert out.is_symlink() and out.resolve() == first.version_dir.resolve()
    assert current_export_fingerprint(out) == fp
    assert sorted(p.name for p in (out / "fct_y").iterdir()) == ["report_year=2019", "report_year=2020"]
    rows = duckdb.sql(f"select sum(value), count(*) from read_parquet('{out}/fct_y/**/*.parquet')").fetchall()
    assert rows == [(45, 10)]

    con.execute("insert into marts.dim_x values (3, 'x3')")
    second = export_parquet(con, out, marts_fingerprint(con))
    assert out.resolve() == second.version_dir.resolve() != first.version_dir.resolve()
    assert (second.version_dir / FINGERPRINT_FILE).read_text().strip() == marts_fingerprint(con)
    assert duckdb.sql(f"select count(*) from '{out}/dim_x/*.parquet'").fetchall() == [(4,)]


def test_snapshot_is_a_standalone_file_of_the_marts(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    snap = tmp_path / "snap.duckdb"
    assert write_snapshot(con, snap) == {"dim_x": 3, "fct_y": 10}
    con.close()
    other = duckdb.connect(str(snap), read_only=True)
    assert other.execute("select count(*) from marts.fct_y").fetchone() == (10,)
    assert not (tmp_path / ".snap.duckdb.tmp").exists()
