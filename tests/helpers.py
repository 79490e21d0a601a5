"""Shared test helpers that are not fixtures: where the test corpora live, the environment the build
reads, and ways to run the job and the `ogi` command. The fixtures themselves are in conftest.py
(use them by naming them as test arguments; never import conftest).

The seed reports are read from `tests/fixtures/seeds/` (a copy of the five reports the repository
ships in `raw/`), never from `raw/`: that folder is the user's default corpus and may hold anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SEEDS_DIR = FIXTURES / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS_DIR.glob("*.txt"))
REALWORLD = FIXTURES / "realworld"
REALWORLD_RAW = REALWORLD / "raw"
# The repository's default raw folder (settings.DEFAULTS): only the test that says so reads it.
DEFAULT_RAW_DIR = PROJECT_ROOT / "raw"
# Invalid as UTF-8, UTF-16 and GB18030 alike (0x80 and 0xFF are never valid GB18030 lead bytes).
NOT_TEXT = bytes([0x80, 0xFF, 0x81, 0x00, 0xFF, 0xFE, 0x80]) * 50
ENV_VARS = ("OGI_RAW_DIR", "OGI_WAREHOUSE", "OGI_EXPORT_DIR")


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


def warehouse_digest(warehouse: Path) -> dict[str, tuple]:
    """(row count, order-free hash of every row) of every table in every schema of the warehouse.
    Equal digests before and after a run: the run wrote no row anywhere, timestamps included
    (meta.dbt_builds.built_at changes whenever dbt builds, even when its rows come out the same)."""
    from dagster_project.sql import ident

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = con.execute("select table_schema, table_name from information_schema.tables "
                             "where table_type = 'BASE TABLE' order by 1, 2").fetchall()
        return {f"{s}.{t}": con.execute(f"select count(*), sum(hash(columns(*))) from {ident(s + '.' + t)}").fetchone()
                for s, t in tables}
    finally:
        con.close()


def run_cli(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    ogi = Path(sys.executable).parent / "ogi"
    full_env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    full_env.update(env or {})
    return subprocess.run([str(ogi), *args], capture_output=True, text=True, env=full_env, timeout=900)
