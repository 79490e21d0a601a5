"""Test fixtures: ONE real warehouse per test session, built by the real `build_warehouse` job.

Importing the Dagster stack and running dbt takes tens of seconds, so the session fixture builds the
warehouse once over a temporary copy of the seed corpus (plus the same bytes under a second name) and
runs the job twice; most tests are read-only assertions on that file. Tests that need their own
corpus (changed files, the sensor) materialize only the assets they exercise.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "raw"
SEED_FILES = sorted(p.name for p in SEEDS_DIR.glob("*.txt"))
REALWORLD_RAW = PROJECT_ROOT / "tests" / "fixtures" / "realworld" / "raw"
REALWORLD_FILES = sorted(p.name for p in REALWORLD_RAW.glob("*.txt"))
# Invalid as UTF-8, UTF-16 and GB18030 alike (0x80 and 0xFF are never valid GB18030 lead bytes).
NOT_TEXT = bytes([0x80, 0xFF, 0x81, 0x00, 0xFF, 0xFE, 0x80]) * 50
ENV_VARS = ("OGI_RAW_DIR", "OGI_WAREHOUSE", "OGI_EXPORT_DIR")


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

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.warehouse), read_only=True)

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        con = self.connect()
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


def set_env(raw_dir: Path, warehouse: Path, export_dir: Path) -> dict:
    old = {k: os.environ.get(k) for k in ENV_VARS}
    os.environ["OGI_RAW_DIR"] = str(raw_dir)
    os.environ["OGI_WAREHOUSE"] = str(warehouse)
    os.environ["OGI_EXPORT_DIR"] = str(export_dir)
    return old


def restore_env(old: dict) -> None:
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_job(defs, instance=None):
    import dagster as dg

    job = defs.resolve_job_def("build_warehouse")
    with (instance or dg.DagsterInstance.ephemeral()) as inst:
        return job.execute_in_process(instance=inst, raise_on_error=False)


def table_snapshot(warehouse: Path) -> dict:
    """Raw rows with their ingested_at stamps and fact rows with their parsed_at stamps, to prove a
    re-run wrote nothing."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return {
            "files": con.execute("select source_file, report_id, ingested_at from raw.report_files order by 1").fetchall(),
            "reports": con.execute("select report_id, ingested_at from raw.reports order by 1").fetchall(),
            "facts": con.execute(
                "select report_id, metric_code, parsed_at from marts.fct_report_metric order by 1, 2").fetchall(),
        }
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
    from dagster_project.definitions import build_definitions

    out = tmp_path_factory.mktemp("warehouse")
    wh, exports = out / "ogi.duckdb", out / "parquet"
    cli = run_cli(["build", "--raw", str(seed_corpus), "--warehouse", str(wh), "--exports", str(exports)])
    assert cli.returncode == 0, cli.stderr[-3000:]
    snap = table_snapshot(wh)
    old = set_env(seed_corpus, wh, exports)
    try:
        second = run_job(build_definitions())
    finally:
        restore_env(old)
    return BuiltWarehouse(seed_corpus, wh, exports, cli, second, snap)


def run_cli(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    ogi = Path(sys.executable).parent / "ogi"
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    full_env.update(env or {})
    return subprocess.run([str(ogi), *args], capture_output=True, text=True, env=full_env, timeout=900)
