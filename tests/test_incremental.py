"""An incremental build equals a fresh one: after adding, changing and removing reports, a re-run on a
built warehouse holds exactly the mart rows (check results included) of a fresh build of the same
folder. Every step skips work when its inputs are unchanged (ingest by stat, parse by report id,
dbt by dbt_state's fingerprint, checks and exports by theirs), so this is what proves the skips
never keep a stale row.

Three real builds through `ogi build` (slow)."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from dagster_project.sql import ident
from tests.helpers import REALWORLD_RAW, SEED_FILES, SEEDS_DIR, run_cli

pytestmark = pytest.mark.slow

RUN_STAMPS = {"ingested_at", "parsed_at", "built_at", "finished_at"}  # when a run happened, not what it holds


def mart_rows(warehouse) -> dict[str, list[tuple]]:
    """Every row of every relation in marts, without run timestamps, sorted."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        out = {}
        for (name,) in con.execute("select table_name from information_schema.tables where table_schema = 'marts' "
                                   "order by 1").fetchall():
            columns = [c for (c,) in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
                "order by ordinal_position", [name]).fetchall() if c not in RUN_STAMPS]
            select = ", ".join(ident(c) for c in columns)
            out[name] = con.execute(f"select {select} from {ident('marts.' + name)} order by all").fetchall()
        return out
    finally:
        con.close()


def build(raw, out) -> None:
    result = run_cli(["build", "--raw", str(raw), "--warehouse", str(out / "ogi.duckdb"), "--exports", str(out / "parquet")])
    assert result.returncode == 0, result.stderr[-3000:]


def test_incremental_run_after_add_change_remove_equals_a_fresh_build(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SEEDS_DIR, raw)
    shutil.copy(REALWORLD_RAW / "18_hongze_2023.txt", raw / "18_hongze_2023.txt")
    incremental = tmp_path / "incremental"
    build(raw, incremental)

    # add the agency's next year, change one published number of a seed, remove another seed
    shutil.copy(REALWORLD_RAW / "19_hongze_2024.txt", raw / "19_hongze_2024.txt")
    changed = raw / SEED_FILES[4]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text.replace("| 0 |", "| 1 |", 1), encoding="utf-8")
    assert changed.read_text(encoding="utf-8") != text
    (raw / SEED_FILES[1]).unlink()
    build(raw, incremental)

    fresh = tmp_path / "fresh"
    build(raw, fresh)

    got, want = mart_rows(incremental / "ogi.duckdb"), mart_rows(fresh / "ogi.duckdb")
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], name
    reports = {f for (f,) in duckdb.connect(str(fresh / "ogi.duckdb"), read_only=True).execute(
        "select source_file from marts.dim_report").fetchall()}
    assert reports == {SEED_FILES[0], SEED_FILES[2], SEED_FILES[3], SEED_FILES[4], "18_hongze_2023.txt", "19_hongze_2024.txt"}
    assert len(want["fct_check_result"]) > 0
