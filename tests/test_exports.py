"""The export step's own rules, on a small DuckDB file: atomic version swap, the fingerprint that lets
an unchanged warehouse skip the export, facts one file per year readable without the warehouse, the
BI shape (no DuckDB-only type leaves the warehouse), byte-identical re-exports, dictionary-encoded
codes, row groups, _schema.json from the dbt docs, and the snapshot's storage version and views."""

from __future__ import annotations

import hashlib
import json
import struct

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dagster_project import dbt_state, exports
from dagster_project.exports import (
    BUILT_FILE,
    DEFAULT_SNAPSHOT_STORAGE_VERSION,
    ENV_SNAPSHOT_STORAGE_VERSION,
    FINGERPRINT_FILE,
    JSON_ENCODING,
    PARQUET_ROW_GROUP_ROWS,
    PARTS_FILE,
    SCHEMA_FILE,
    built_fingerprint,
    current_export_fingerprint,
    export_all,
    export_fingerprint,
    export_parquet,
    load_dbt_docs,
    marts_fingerprint,
    snapshot_storage_version,
    write_snapshot,
)

DOCS = {
    "dim_x": {"description": "One x.", "columns": {"id": "The x.", "name": "Its name.", "tags": "Its tags."}},
    "fct_y": {"description": "Facts of x.", "columns": {"id": "The x.", "report_year": "Year.", "value": "A value."}},
}


def make_marts(path):
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute("create table marts.dim_x as select range as id, 'x' || range as name, "
                "case when range = 0 then ['洪泽', 'a\"b'] when range = 1 then []::varchar[] end as tags from range(3)")
    con.execute("create table marts.fct_y as select range % 3 as id, (2019 + range % 2)::int as report_year, range as value "
                "from range(10)")
    # A view whose sums are HUGEINT (DuckDB-only) and one that uses a list column (cannot stay a view).
    con.execute("create view marts.v_sum as select report_year, sum(value::int) as total from marts.fct_y group by all")
    con.execute("create view marts.v_tags as select id, len(tags) as n_tags from marts.dim_x")
    return con


def storage_format(path) -> int:
    """The on-disk format number in a DuckDB file's main header (what 1.x readers check)."""
    head = path.read_bytes()[:64]
    at = head.index(b"DUCK")
    return struct.unpack("<Q", head[at + 4:at + 12])[0]


def test_fingerprint_changes_with_any_row_and_only_then(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    first = marts_fingerprint(con)
    assert marts_fingerprint(con) == first
    con.execute("update marts.fct_y set value = value + 100 where value = 7")
    changed = marts_fingerprint(con)
    assert changed != first
    con.execute("update marts.fct_y set value = value - 100 where value = 107")
    assert marts_fingerprint(con) == first


def test_export_fingerprint_follows_docs_and_storage_version(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    base = export_fingerprint(con, DOCS, "v0.10.0")
    assert export_fingerprint(con, DOCS, "v0.10.0") == base
    assert export_fingerprint(con, DOCS, "v1.2.0") != base
    other_docs = {**DOCS, "dim_x": {**DOCS["dim_x"], "description": "Changed."}}
    assert export_fingerprint(con, other_docs, "v0.10.0") != base


def test_export_swaps_versions_and_records_the_fingerprint(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    out = tmp_path / "parquet"
    fp = marts_fingerprint(con)
    first = export_parquet(con, out, fp, DOCS)
    assert out.is_symlink() and out.resolve() == first.version_dir.resolve()
    assert current_export_fingerprint(out) == fp
    assert sorted(p.name for p in (out / "fct_y").iterdir()) == ["2019.parquet", "2020.parquet"]
    rows = duckdb.sql(f"select sum(value), count(*) from read_parquet('{out}/fct_y/*.parquet')").fetchall()
    assert rows == [(45, 10)]
    # report_year is inside every file: one file alone says which year it holds.
    assert duckdb.sql(f"select distinct report_year from '{out}/fct_y/2020.parquet'").fetchall() == [(2020,)]

    con.execute("insert into marts.dim_x values (3, 'x3', null)")
    second = export_parquet(con, out, marts_fingerprint(con), DOCS)
    assert out.resolve() == second.version_dir.resolve() != first.version_dir.resolve()
    assert (second.version_dir / FINGERPRINT_FILE).read_text().strip() == marts_fingerprint(con)
    assert duckdb.sql(f"select count(*) from '{out}/dim_x/*.parquet'").fetchall() == [(4,)]


def test_the_export_step_writes_nothing_when_the_marts_are_unchanged(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    models = tmp_path / "models"  # no dbt docs: descriptions stay empty
    models.mkdir()
    out, snapshot = tmp_path / "parquet", tmp_path / "snapshot.duckdb"
    first = export_all(con, out, snapshot, models)
    assert not first.reused and first.snapshot.path == snapshot and out.resolve() == first.version_dir.resolve()
    snapshot_bytes = snapshot.read_bytes()
    again = export_all(con, out, snapshot, models)
    assert again.reused and again.version_dir is None and again.fingerprint == first.fingerprint
    assert out.resolve() == first.version_dir.resolve() and snapshot.read_bytes() == snapshot_bytes
    con.execute("insert into marts.dim_x values (3, 'x3', null)")  # one row more: exported again
    third = export_all(con, out, snapshot, models)
    assert not third.reused and third.relations["dim_x"] == 4 and out.resolve() == third.version_dir.resolve()
    snapshot.unlink()  # a missing snapshot is written again even when the marts did not change
    assert not export_all(con, out, snapshot, models).reused and snapshot.is_file()


def test_marts_vouched_for_by_their_dbt_builds_are_not_read_again(tmp_path, monkeypatch):
    """With a dbt build record for every mart (dbt_state.py), an idle export reads no mart row; a new
    build makes it compare the rows again, and a mart without a record is always compared."""
    con = make_marts(tmp_path / "w.duckdb")
    models = tmp_path / "models"
    models.mkdir()
    out, snapshot = tmp_path / "parquet", tmp_path / "snapshot.duckdb"
    every_mart = "marts/dim_x,marts/fct_y,marts/v_sum,marts/v_tags"
    dbt_state.record(con, every_mart, "build 1")
    first = export_all(con, out, snapshot, models)
    built = built_fingerprint(con, {}, DEFAULT_SNAPSHOT_STORAGE_VERSION)
    assert not first.reused and built is not None and current_export_fingerprint(out, BUILT_FILE) == built

    def rows_read(con):
        raise AssertionError("the marts' rows were read")

    monkeypatch.setattr(exports, "all_part_fingerprints", rows_read)
    assert export_all(con, out, snapshot, models).reused
    monkeypatch.undo()
    dbt_state.record(con, every_mart, "build 2")  # rebuilt, the same rows: compared, kept, noted
    again = export_all(con, out, snapshot, models)
    assert again.reused and again.fingerprint == first.fingerprint
    assert current_export_fingerprint(out, BUILT_FILE) == built_fingerprint(con, {}, DEFAULT_SNAPSHOT_STORAGE_VERSION) != built
    dbt_state.forget(con, "marts/dim_x")  # a build started and failed: no record vouches for dim_x
    assert built_fingerprint(con, {}, DEFAULT_SNAPSHOT_STORAGE_VERSION) is None
    con.execute("insert into marts.dim_x values (3, 'x3', null)")
    third = export_all(con, out, snapshot, models)
    assert not third.reused and third.relations["dim_x"] == 4 and not (out / BUILT_FILE).exists()


def _digests(version_dir) -> dict[str, str]:
    return {str(p.relative_to(version_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(version_dir.rglob("*.parquet"))}


def test_a_changed_year_rewrites_that_years_file_and_links_the_rest(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    out = tmp_path / "parquet"
    first = export_parquet(con, out, "fp1", DOCS)
    assert (first.files_written, first.files_reused) == (5, 0)
    con.execute("update marts.fct_y set value = value + 100 where report_year = 2020 and id = 1")
    second = export_parquet(con, out, "fp2", DOCS)
    # fct_y/2020 and the view summing it are rewritten; dim_x, fct_y/2019 and v_tags are the same files
    assert (second.files_written, second.files_reused) == (2, 3)
    linked = {f for f in _digests(second.version_dir)
              if (second.version_dir / f).stat().st_ino == (first.version_dir / f).stat().st_ino}
    assert linked == {"dim_x/data.parquet", "fct_y/2019.parquet", "v_tags/data.parquet"}
    # what an export from scratch of the same marts writes, byte for byte
    fresh = export_parquet(con, tmp_path / "fresh", "fp2", DOCS)
    assert _digests(second.version_dir) == _digests(fresh.version_dir)
    assert duckdb.sql(f"select sum(value) from read_parquet('{out}/fct_y/*.parquet')").fetchall() == [(245,)]


def test_parquet_holds_no_duckdb_only_type(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    out = tmp_path / "parquet"
    export_parquet(con, out, None, DOCS)
    assert pq.read_schema(out / "dim_x" / "data.parquet").field("tags").type == pa.string()
    assert pq.read_schema(out / "v_sum" / "data.parquet").field("total").type == pa.int64()  # HUGEINT in DuckDB
    assert duckdb.sql(f"select id, tags from '{out}/dim_x/data.parquet' order by id").fetchall() == [
        (0, '["洪泽","a\\"b"]'), (1, "[]"), (2, None)]
    assert duckdb.sql(f"select * from '{out}/v_sum/data.parquet' order by 1").fetchall() == [(2019, 20), (2020, 25)]
    # The JSON text parses back to the list.
    assert duckdb.sql(f"select from_json(tags, '[\"varchar\"]') from '{out}/dim_x/data.parquet' where id = 0"
                      ).fetchall() == [(["洪泽", 'a"b'],)]


def test_reexport_is_byte_identical(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    digests = []
    for _ in range(2):
        summary = export_parquet(con, tmp_path / "parquet", "fp", DOCS)
        digests.append({str(p.relative_to(summary.version_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
                        for p in sorted(summary.version_dir.rglob("*")) if p.is_file()})
    assert digests[0] == digests[1]
    assert sorted(digests[0]) == [
        FINGERPRINT_FILE, PARTS_FILE, SCHEMA_FILE, "dim_x/data.parquet", "fct_y/2019.parquet", "fct_y/2020.parquet",
        "v_sum/data.parquet", "v_tags/data.parquet"]


def test_row_groups_and_dictionary_encoded_codes(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(f"create table marts.dim_big as select range as id, 'code_' || (range % 7) as code "
                f"from range({PARQUET_ROW_GROUP_ROWS + 5})")
    out = tmp_path / "parquet"
    export_parquet(con, out, None, {})
    meta = pq.ParquetFile(out / "dim_big" / "data.parquet").metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [PARQUET_ROW_GROUP_ROWS, 5]
    assert meta.row_group(0).column(1).path_in_schema == "code"
    assert meta.row_group(0).column(1).has_dictionary_page is True
    assert meta.row_group(0).column(1).compression == "SNAPPY"


def test_schema_file_lists_every_file_and_column_with_its_description(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    snap = write_snapshot(con, tmp_path / "snap.duckdb", "v0.10.0")
    out = tmp_path / "parquet"
    export_parquet(con, out, None, DOCS, snap)
    schema = json.loads((out / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert schema["snapshot_storage_version"] == "v0.10.0"
    by_name = {r["name"]: r for r in schema["relations"]}
    assert sorted(by_name) == ["dim_x", "fct_y", "v_sum", "v_tags"]
    assert by_name["fct_y"]["files"] == ["fct_y/2019.parquet", "fct_y/2020.parquet"]
    assert by_name["fct_y"]["one_file_per"] == "report_year"
    assert by_name["dim_x"]["description"] == "One x."
    assert by_name["dim_x"]["columns"] == [
        {"name": "id", "type": "BIGINT", "warehouse_type": "BIGINT", "description": "The x."},
        {"name": "name", "type": "VARCHAR", "warehouse_type": "VARCHAR", "description": "Its name."},
        {"name": "tags", "type": "VARCHAR", "warehouse_type": "VARCHAR[]", "description": "Its tags.",
         "encoding": JSON_ENCODING},
    ]
    assert [(r["kind_in_warehouse"], r["kind_in_snapshot"]) for r in schema["relations"]] == [
        ("table", "table"), ("table", "table"), ("view", "view"), ("view", "table")]
    for relation in schema["relations"]:
        for file in relation["files"]:
            assert (out / file).is_file()


def test_load_dbt_docs_reads_the_model_yml(tmp_path):
    (tmp_path / "marts").mkdir()
    (tmp_path / "marts" / "m.yml").write_text(
        "version: 2\nmodels:\n  - name: m\n    description: The m.\n    columns:\n"
        "      - name: a\n        description: Column a.\n      - name: b\n", encoding="utf-8")
    assert load_dbt_docs(tmp_path) == {"m": {"description": "The m.", "columns": {"a": "Column a.", "b": ""}}}


def test_snapshot_is_a_standalone_file_in_the_old_storage_format(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    snap = tmp_path / "snap.duckdb"
    summary = write_snapshot(con, snap)
    assert summary.storage_version == DEFAULT_SNAPSHOT_STORAGE_VERSION == "v0.10.0"
    assert summary.counts == {"dim_x": 3, "fct_y": 10, "v_sum": 2, "v_tags": 3}
    assert summary.kinds == {"dim_x": "table", "fct_y": "table", "v_sum": "view", "v_tags": "table"}
    con.close()
    assert storage_format(snap) == 64  # the format DuckDB 1.0 reads (1.1-1.5 read 64-68, 2.0 writes 69)
    other = duckdb.connect(str(snap), read_only=True)
    try:
        assert other.execute("select count(*) from marts.fct_y").fetchone() == (10,)
        assert other.execute("select table_name, table_type from information_schema.tables order by 1").fetchall() == [
            ("dim_x", "BASE TABLE"), ("fct_y", "BASE TABLE"), ("v_sum", "VIEW"), ("v_tags", "BASE TABLE")]
        # The view is a view over the snapshot's own tables, in the BI shape (BIGINT, not HUGEINT).
        assert other.execute("select data_type from information_schema.columns where table_name = 'v_sum' "
                             "and column_name = 'total'").fetchone() == ("BIGINT",)
        assert other.execute("select * from marts.v_sum order by 1").fetchall() == [(2019, 20), (2020, 25)]
        # The list view was copied with the warehouse's values (a view over the JSON text would count characters).
        assert other.execute("select * from marts.v_tags order by 1").fetchall() == [(0, 2), (1, 0), (2, None)]
        assert other.execute("select tags from marts.dim_x where id = 0").fetchone() == ('["洪泽","a\\"b"]',)
    finally:
        other.close()
    assert not (tmp_path / ".snap.duckdb.tmp").exists()


def _snapshot_rows(path) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [n for (n,) in con.execute("select table_name from information_schema.tables order by 1").fetchall()]
        return {n: con.execute(f"select * from marts.{n} order by all").fetchall() for n in names}
    finally:
        con.close()


def test_a_snapshot_is_updated_where_rows_changed_and_equals_a_fresh_one(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    # facts keyed by report: a changed year replaces only the reports whose rows differ
    con.execute("create table marts.fct_z as select 'r' || (range % 4) as report_id, (2019 + range % 2)::int as report_year, "
                "range as value from range(12) union all select null, 2020, -1")
    snap = tmp_path / "snap.duckdb"
    assert not write_snapshot(con, snap).updated
    con.execute("update marts.fct_z set value = value + 1000 where report_id = 'r1'")
    con.execute("insert into marts.fct_z values ('r9', 2019, 5)")
    con.execute("update marts.fct_y set value = value + 100 where report_year = 2020 and id = 1")
    con.execute("delete from marts.fct_y where report_year = 2019 and id = 0")
    con.execute("insert into marts.fct_y values (2, 2021, 7)")  # a new year
    con.execute("insert into marts.dim_x values (3, 'x3', null)")
    second = write_snapshot(con, snap)
    assert second.updated and second.counts["fct_y"] == 9 and second.kinds["v_sum"] == "view"
    assert second.counts["fct_z"] == 14
    assert storage_format(snap) == 64
    fresh = write_snapshot(con, tmp_path / "fresh.duckdb")
    assert not fresh.updated
    assert _snapshot_rows(snap) == _snapshot_rows(tmp_path / "fresh.duckdb")
    assert _snapshot_rows(snap)["v_sum"] == [(2019, 14), (2020, 225), (2021, 7)]
    # a snapshot changed behind the sidecar's back is written whole again
    snap.write_bytes(snap.read_bytes())
    assert not write_snapshot(con, snap).updated
    assert _snapshot_rows(snap) == _snapshot_rows(tmp_path / "fresh.duckdb")


def test_snapshot_storage_version_is_a_setting(tmp_path, monkeypatch):
    con = make_marts(tmp_path / "w.duckdb")
    monkeypatch.setenv(ENV_SNAPSHOT_STORAGE_VERSION, "v1.2.0")
    assert snapshot_storage_version() == "v1.2.0"
    write_snapshot(con, tmp_path / "snap.duckdb")
    assert storage_format(tmp_path / "snap.duckdb") == 65
    monkeypatch.setenv(ENV_SNAPSHOT_STORAGE_VERSION, "1.2; drop table x")
    with pytest.raises(ValueError, match="OGI_SNAPSHOT_STORAGE_VERSION"):
        snapshot_storage_version()


def test_a_view_that_cannot_be_recreated_in_the_snapshot_is_copied_as_a_table(tmp_path):
    con = make_marts(tmp_path / "w.duckdb")
    con.execute("create table main.helper as select 42 as answer")
    con.execute("create view marts.v_outside as select answer from main.helper")  # main.helper stays behind
    summary = write_snapshot(con, tmp_path / "snap.duckdb", "v0.10.0")
    assert summary.kinds["v_outside"] == "table" and summary.kinds["v_sum"] == "view"
    con.close()
    assert storage_format(tmp_path / "snap.duckdb") == 64  # the second pass kept the file's format
    other = duckdb.connect(str(tmp_path / "snap.duckdb"), read_only=True)
    try:
        assert other.execute("select * from marts.v_outside").fetchall() == [(42,)]
        assert other.execute("select table_type from information_schema.tables where table_name = 'v_outside'"
                             ).fetchall() == [("BASE TABLE",)]
    finally:
        other.close()
