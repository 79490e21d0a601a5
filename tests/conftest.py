"""Test fixtures: ONE real warehouse per test session, built by the real `build_warehouse` job.

Importing the Dagster stack and running dbt takes tens of seconds, so the session fixture builds the
warehouse once over a temporary copy of the seed corpus (plus the same bytes under a second name) and
runs the job twice; most tests are read-only assertions on that file. Tests that need their own
corpus (changed files, the sensor) materialize only the assets they exercise.

Shared helpers that are not fixtures (paths of the test corpora, `run_cli`, `set_env` …) live in
tests/helpers.py; import them from there, never from this file.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from tests.helpers import NOT_TEXT, REALWORLD_RAW, SEED_FILES, SEEDS_DIR, restore_env, run_cli, run_job, set_env, table_snapshot, warehouse_digest

# Fixtures that build or materialize a warehouse (tens of seconds each, once per session or module).
# A test that uses one is marked `slow`, so `./dev test -m "not slow"` is the fast loop of unit tests
# and the README's `./dev test` still runs everything.
BUILD_FIXTURES = {"warehouse", "ingest_only", "odd_build", "pdf_warehouse", "snapshot", "warehouse_copy",
                  "injected", "built", "corpora", "printed", "crawled_build"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@dataclass
class BuiltWarehouse:
    raw_dir: Path
    warehouse: Path
    export_dir: Path
    cli_run: subprocess.CompletedProcess  # the first build, through `ogi build`
    second_run: object  # dagster ExecuteInProcessResult of the re-run
    snapshot_after_first: dict
    digest_after_first: dict  # helpers.warehouse_digest after the first build
    file_after_first: tuple  # (sha256, mtime_ns) of the warehouse file after the first build
    file_after_second: tuple
    working_copy_during_second: bool  # whether the re-run made a working copy (it must not)

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        con = self.connect()
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """The five seeds, plus seed 004's bytes again under a second name in a subfolder, plus one file
    that is not text at all (it must be kept and reported, not crash the run or vanish), plus the
    three real reports as pdftotext gives them (hongze 2023 and 2024 are one agency in two years,
    and hongze 2023 breaks T4-1/T4-3 in the published original)."""
    raw = tmp_path_factory.mktemp("corpus") / "raw"
    shutil.copytree(SEEDS_DIR, raw)
    (raw / "copies").mkdir()
    shutil.copy(raw / SEED_FILES[4], raw / "copies" / "same_bytes_as_004.txt")
    (raw / "broken").mkdir()
    (raw / "broken" / "not_text.bin").write_bytes(NOT_TEXT)
    shutil.copytree(REALWORLD_RAW, raw / "realworld")
    return raw


@pytest.fixture(scope="session")
def warehouse(seed_corpus, tmp_path_factory) -> BuiltWarehouse:
    """First build through the installed `ogi` command (a subprocess, as a user runs it), then a
    second run of the same job in-process, which must find nothing to do."""
    from dagster_project import working_copy
    from dagster_project.definitions import build_definitions

    out = tmp_path_factory.mktemp("warehouse")
    wh, exports = out / "ogi.duckdb", out / "parquet"
    cli = run_cli(["build", "--raw", str(seed_corpus), "--warehouse", str(wh), "--exports", str(exports)])
    assert cli.returncode == 0, cli.stderr[-3000:]
    snap, digest = table_snapshot(wh), warehouse_digest(wh)
    first_file = (hashlib.sha256(wh.read_bytes()).hexdigest(), wh.stat().st_mtime_ns)
    old = set_env(seed_corpus, wh, exports)
    made = []
    real_begin = working_copy.begin
    working_copy.begin = lambda live: made.append(live) or real_begin(live)  # observe, then do the real copy
    try:
        second = run_job(build_definitions())
    finally:
        working_copy.begin = real_begin
        restore_env(old)
    second_file = (hashlib.sha256(wh.read_bytes()).hexdigest(), wh.stat().st_mtime_ns)
    return BuiltWarehouse(seed_corpus, wh, exports, cli, second, snap, digest, first_file, second_file, bool(made))

