"""The parse step's worker pool (parsed_store.parse_pending): two workers and a window of chunks in
flight write exactly the rows one process writes, batch by batch, in a real DuckDB file."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dagster_project import parsed_store, raw_store
from dagster_project.sql import ident
from tests.helpers import SEED_FILES, SEEDS_DIR

pytestmark = pytest.mark.slow  # starts two spawned worker processes


def _corpus(tmp_path):
    """35 distinct reports: each seed, and six copies of it with trailing blank lines (other bytes)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in SEED_FILES:
        shutil.copy(SEEDS_DIR / name, raw / name)
        text = (SEEDS_DIR / name).read_bytes()
        for n in range(1, 7):
            (raw / f"{n}_{name}").write_bytes(text + b"\n" * n)
    return raw


def _parse(raw, database, monkeypatch, workers: int):
    monkeypatch.setenv(parsed_store.ENV_PARSE_WORKERS, str(workers))
    monkeypatch.setattr(parsed_store, "MIN_REPORTS_PER_WORKER", 1)
    monkeypatch.setattr(parsed_store, "CHUNK_SIZE", 2)
    con = duckdb.connect(str(database))
    raw_store.ingest_folder(con, raw)
    batches: list[int] = []
    summary = parsed_store.parse_pending(con, batch_size=5, progress=lambda done, total: batches.append(done))
    rows = {}
    for table in parsed_store.TABLES:
        columns = [c for (c,) in con.execute(
            "select column_name from information_schema.columns where table_schema = 'parsed' and table_name = ? "
            "and column_name <> 'parsed_at' order by ordinal_position", [table]).fetchall()]
        rows[table] = con.execute(
            f"select {', '.join(ident(c) for c in columns)} from {ident('parsed.' + table)} order by all").fetchall()
    con.close()
    return summary, batches, rows


def test_two_workers_write_what_one_process_writes(tmp_path, monkeypatch):
    raw = _corpus(tmp_path)
    one, one_batches, one_rows = _parse(raw, tmp_path / "one.duckdb", monkeypatch, workers=1)
    two, two_batches, two_rows = _parse(raw, tmp_path / "two.duckdb", monkeypatch, workers=2)
    assert one.reports_parsed == two.reports_parsed == 35
    assert one_batches == two_batches == [5, 10, 15, 20, 25, 30, 35]  # every batch written, in order
    assert one.status_counts == two.status_counts
    assert len(two_rows["cells"]) == one.cells_total > 0
    for table in parsed_store.TABLES:
        assert two_rows[table] == one_rows[table], table
