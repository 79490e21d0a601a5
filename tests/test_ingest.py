"""Ingestion (the `raw_reports` asset, raw_store.py): every file with its path, hash and size, one report
per distinct content, undecodable files kept, idempotent re-runs, changed, touched, removed and
unreadable files. On the session warehouse, and on a fresh ingest-only warehouse per test."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.helpers import NOT_TEXT, SEED_FILES, SEEDS_DIR, restore_env, set_env, table_snapshot, warehouse_digest


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def ingest_metadata(result) -> dict:
    """The run-level counts the ingest step attaches to the raw/reports materialization."""
    import dagster as dg

    (mat,) = [m for m in result.asset_materializations_for_node("raw_reports") if m.asset_key == dg.AssetKey(["raw", "reports"])]
    return mat.metadata


def expected_files(corpus: Path) -> list[tuple[str, str, int]]:
    return sorted(
        (p.relative_to(corpus).as_posix(), sha(p.read_bytes()), p.stat().st_size)
        for p in corpus.rglob("*")
        if p.is_file()
    )


def test_every_file_is_ingested_with_path_hash_and_size(warehouse):
    rows = warehouse.rows("select source_file, report_id, byte_size, read_error from raw.report_files order by 1")
    assert [(r[0], r[1], r[2]) for r in rows] == expected_files(warehouse.raw_dir)
    assert len(rows) == 10
    assert all(r[3] is None for r in rows)


def test_each_seed_is_one_report_with_its_decoded_text(warehouse):
    for name in SEED_FILES:
        data = (SEEDS_DIR / name).read_bytes()
        (encoding, status, text, stored_bytes) = warehouse.rows(
            "select encoding, decode_status, text, raw_bytes from raw.reports where report_id = ?", [sha(data)]
        )[0]
        assert (encoding, status) == ("utf-8", "ok")
        assert text == data.decode("utf-8")
        assert stored_bytes is None  # decodable reports keep their text, not a second copy of the bytes


def test_same_bytes_under_two_names_are_one_report_with_both_names(warehouse):
    report_id = sha((SEEDS_DIR / SEED_FILES[4]).read_bytes())
    names = warehouse.rows("select source_file from raw.report_files where report_id = ? order by 1", [report_id])
    assert [n[0] for n in names] == [SEED_FILES[4], "copies/same_bytes_as_004.txt"]
    assert warehouse.rows("select count(*) from raw.reports")[0][0] == 9  # 5 seeds + non-text + 3 real
    dim = warehouse.rows("select source_file, source_files from marts.dim_report where report_id = ?", [report_id])
    assert dim == [(SEED_FILES[4], [SEED_FILES[4], "copies/same_bytes_as_004.txt"])]


def test_undecodable_file_is_kept_with_its_reason_and_bytes(warehouse):
    status, error, stored = warehouse.rows(
        "select decode_status, decode_error, raw_bytes from raw.reports where report_id = ?", [sha(NOT_TEXT)]
    )[0]
    assert status == "failed"
    assert error  # a human-readable reason
    assert stored == NOT_TEXT


def test_dim_report_lists_every_report_once(warehouse):
    rows = warehouse.rows("select report_id, source_file from marts.dim_report order by source_file")
    expected = sorted({(h, n) for n, h, _ in expected_files(warehouse.raw_dir) if n != "copies/same_bytes_as_004.txt"},
                      key=lambda r: r[1])
    assert rows == expected


def test_rerun_on_unchanged_corpus_writes_no_row_anywhere(warehouse):
    """Ingest, parse, the three dbt invocations, the checks and the exports all find nothing to do."""
    digest = warehouse_digest(warehouse.warehouse)
    assert digest == warehouse.digest_after_first
    assert {"meta.dbt_builds", "raw.reports", "parsed.cells", "checks.results", "marts.fct_report_metric"} <= set(digest)
    dbt_steps = [m for node in ("ogi_dbt_models", "ogi_dbt_models_2", "ogi_dbt_models_3")
                 for m in warehouse.second_run.asset_materializations_for_node(node)]
    assert dbt_steps and all(m.metadata["dbt"].value == "skipped: inputs unchanged since the last build" for m in dbt_steps)
    exports = warehouse.second_run.asset_materializations_for_node("exports__bi")[0].metadata
    assert exports["reused_unchanged_marts"].value is True


def test_rerun_on_unchanged_corpus_copies_and_touches_nothing(warehouse):
    """Every step decided on the live file opened read-only: no working copy, the file byte for byte
    and mtime for mtime as the first build left it (so a no-op costs no copy at any corpus size)."""
    assert warehouse.second_run.success
    assert not warehouse.working_copy_during_second
    assert warehouse.file_after_second == warehouse.file_after_first


def test_rerun_on_unchanged_corpus_writes_nothing(warehouse):
    assert warehouse.second_run.success
    assert table_snapshot(warehouse.warehouse) == warehouse.snapshot_after_first
    ingest = ingest_metadata(warehouse.second_run)
    assert ingest["files_new"].value == 0
    assert ingest["files_changed"].value == 0
    assert ingest["reports_added"].value == 0
    assert ingest["files_unchanged"].value == 10


@pytest.fixture()
def ingest_only(tmp_path):
    """Materialize just the ingest asset (no dbt) into a fresh warehouse, as often as a test likes."""
    import dagster as dg

    from dagster_project.defs.ingest import raw_reports
    from dagster_project.defs.resources import build_resources
    from dagster_project.settings import load_settings

    raw = tmp_path / "raw"
    shutil.copytree(SEEDS_DIR, raw)
    wh = tmp_path / "wh.duckdb"
    old = set_env(raw, wh, tmp_path / "parquet")
    try:
        resources = build_resources(load_settings())
    finally:
        restore_env(old)

    def run():
        result = dg.materialize([raw_reports], resources=resources)
        assert result.success
        return ingest_metadata(result)

    def rows(sql, params=None):
        con = duckdb.connect(str(wh), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return raw, run, rows


def test_changed_file_replaces_its_previous_version(ingest_only):
    raw, run, rows = ingest_only
    run()
    target = raw / SEED_FILES[2]
    old_id = sha(target.read_bytes())
    new_bytes = target.read_bytes().replace("行政许可".encode(), "行政许可 ".encode(), 1)
    target.write_bytes(new_bytes)
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1_000_000_000))
    meta = run()
    assert (meta["files_changed"].value, meta["reports_added"].value, meta["reports_removed"].value) == (1, 1, 1)
    assert rows("select report_id from raw.report_files where source_file = ?", [SEED_FILES[2]]) == [(sha(new_bytes),)]
    assert rows("select count(*) from raw.reports where report_id = ?", [old_id]) == [(0,)]
    assert rows("select count(*) from raw.reports") == [(5,)]


def test_touched_but_identical_file_is_not_a_change(ingest_only):
    raw, run, rows = ingest_only
    run()
    before = rows("select * from raw.reports order by 1")
    target = raw / SEED_FILES[0]
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    meta = run()
    assert (meta["files_changed"].value, meta["reports_added"].value) == (0, 0)
    assert rows("select * from raw.reports order by 1") == before


def test_removed_file_and_unreadable_file(ingest_only):
    raw, run, rows = ingest_only
    run()
    (raw / SEED_FILES[1]).unlink()
    # A link to a file that is gone: listed in the folder, unreadable for every user (root included).
    (raw / "dangling.txt").symlink_to(raw / "no_such_target.txt")
    meta = run()
    assert meta["files_removed"].value == 1
    assert meta["files_unreadable"].value == 1
    assert rows("select count(*) from raw.report_files where source_file = ?", [SEED_FILES[1]]) == [(0,)]
    (report_id, error) = rows("select report_id, read_error from raw.report_files where source_file = 'dangling.txt'")[0]
    assert report_id is None
    assert error.startswith("cannot read dangling.txt: ")
    before = rows("select * from raw.report_files order by 1")
    again = run()  # still unreadable, for the same reason: recorded once, not rewritten
    assert (again["files_changed"].value, again["files_new"].value, again["files_unreadable"].value) == (0, 0, 1)
    assert rows("select * from raw.report_files order by 1") == before


def test_the_summary_of_an_unchanged_folder_is_what_a_full_ingest_reports(tmp_path):
    """The ingest asset summarises an unchanged folder without walking ingest_folder: same figures,
    the unreadable files listed with the same reasons."""
    from dagster_project.corpus import scan
    from dagster_project.raw_store import folder_changed, ingest_folder, unchanged_summary

    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SEED_FILES[:2]:
        shutil.copy(SEEDS_DIR / name, raw / name)
    shutil.copy(SEEDS_DIR / SEED_FILES[0], raw / "copy_of_000.txt")
    (raw / "not_text.bin").write_bytes(NOT_TEXT)
    (raw / "dangling.txt").symlink_to(raw / "no_such_target.txt")
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    first = ingest_folder(con, raw)
    stats = scan(raw)
    assert not folder_changed(con, raw, stats)
    quick = unchanged_summary(con, stats)
    assert quick == ingest_folder(con, raw)
    assert (quick.files_seen, quick.files_unchanged, quick.files_unreadable, quick.reports_total,
            quick.reports_undecodable_total) == (5, 5, 1, 3, 1)
    assert quick.unreadable == first.unreadable and quick.unreadable[0].startswith("cannot read dangling.txt: ")
    con.close()
