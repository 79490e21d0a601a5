"""A build killed with SIGKILL at any stage leaves the last good warehouse, snapshot and Parquet
exports as they were; the next build completes and yields what an uninterrupted build yields; two
builds of one folder into fresh warehouses are identical. Real `ogi build` processes, real kills.

Slow (several builds): `-m "not slow"` skips it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dagster_project.exports import BUILT_FILE, FINGERPRINT_FILE
from tests.helpers import ENV_VARS, SEEDS_DIR

pytestmark = pytest.mark.slow

# A progress line the CLI prints when a step starts (stderr), for each stage to kill in.
KILL_POINTS = {
    "ingest": "▶ raw_reports",
    "parse": "▶ parsed_reports",
    "dbt": "▶ ogi_dbt_models_2",
    "export": "▶ exports__bi",
}
# Columns that must differ between two builds: when a file was ingested, when a report was parsed.
RUN_TIMESTAMPS = ("ingested_at", "parsed_at")


def _ogi(raw: Path, out: Path) -> list[str]:
    ogi = Path(sys.executable).parent / "ogi"
    return [str(ogi), "build", "--raw", str(raw), "--warehouse", str(out / "ogi.duckdb"), "--exports", str(out / "parquet")]


def _env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ENV_VARS}


def build(raw: Path, out: Path) -> None:
    result = subprocess.run(_ogi(raw, out), capture_output=True, text=True, env=_env(), timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]


def build_killed_at(raw: Path, out: Path, marker: str) -> bool:
    """Start a build, SIGKILL its whole process group when `marker` is printed; True if it was killed."""
    proc = subprocess.Popen(_ogi(raw, out), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env=_env(), start_new_session=True)
    killed = False
    for line in proc.stderr:
        if line.startswith(marker):
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
    proc.wait(timeout=900)
    return killed


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def export_digest(export_dir: Path) -> dict[str, str]:
    """Every file of the current Parquet export (through its symlink), by relative path."""
    root = export_dir.resolve()
    return {p.relative_to(root).as_posix(): file_digest(p) for p in sorted(root.rglob("*")) if p.is_file()}


def published_state(out: Path) -> dict:
    return {
        "warehouse": file_digest(out / "ogi.duckdb"),
        "snapshot": file_digest(out / "ogi_snapshot.duckdb"),
        "export_target": os.readlink(out / "parquet"),
        "exports": export_digest(out / "parquet"),
    }


def mart_rows(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every relation in `marts`, without the run timestamps, in a stable order."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        relations = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts' order by 1").fetchall()]
        out = {}
        for name in relations:
            cols = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ? "
                "order by ordinal_position", [name]).fetchall() if r[0] not in RUN_TIMESTAMPS]
            select = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
            rows = con.execute(f"select {select} from marts.{name} order by all").fetchall()  # names from the catalog
            out[name] = rows
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpora(tmp_path_factory):
    """Folder A (four seeds) and folder B (A plus the fifth seed): B is what the killed runs build."""
    base = tmp_path_factory.mktemp("crash")
    seeds = sorted(SEEDS_DIR.glob("*.txt"))
    a, b = base / "a", base / "b"
    a.mkdir()
    for seed in seeds[:4]:
        shutil.copy(seed, a / seed.name)
    shutil.copytree(a, b)
    shutil.copy(seeds[4], b / seeds[4].name)
    return base, a, b


def test_killed_builds_leave_the_last_good_state_and_the_next_build_completes(corpora):
    """SIGKILL in ingest, parse, dbt and export; then a build with a reader holding the file open."""
    base, a, b = corpora
    out = base / "killed"
    build(a, out)
    good = published_state(out)
    good_rows = mart_rows(out / "ogi.duckdb")
    killed = []
    for stage, marker in KILL_POINTS.items():
        # the build now sees folder B; each one dies in `stage`
        if build_killed_at(b, out, marker):
            killed.append(stage)
        assert published_state(out) == good, f"killed during {stage}: the published state changed"
        assert mart_rows(out / "ogi.duckdb") == good_rows, f"killed during {stage}"
    assert killed == list(KILL_POINTS)

    # the next build completes, while a notebook holds the live file open: the run never writes
    # the live file (it swaps in a new one), so the reader keeps its old view and blocks nothing
    reader = duckdb.connect(str(out / "ogi.duckdb"), read_only=True)
    try:
        build(b, out)
        assert reader.execute("select count(*) from marts.dim_report").fetchone() == (4,)
    finally:
        reader.close()
    fresh = base / "fresh"
    build(b, fresh)  # … and yields what an uninterrupted build of the same folder yields
    assert mart_rows(out / "ogi.duckdb") == mart_rows(fresh / "ogi.duckdb")
    assert len(mart_rows(out / "ogi.duckdb")["dim_report"]) == 5


def test_two_fresh_builds_of_one_folder_are_identical(corpora):
    base, _, b = corpora
    first, second = base / "fresh", base / "fresh_again"
    if not (first / "ogi.duckdb").exists():
        build(b, first)
    build(b, second)
    assert mart_rows(first / "ogi.duckdb") == mart_rows(second / "ogi.duckdb")
    # every file an analyst reads is byte for byte the same; BUILT_FILE is not one of them: it names
    # the dbt builds that made the marts, and a build's record includes when its inputs were written
    # (parsed_at, the checks run), so two builds of one folder name different builds by design
    first_files, second_files = export_digest(first / "parquet"), export_digest(second / "parquet")
    assert BUILT_FILE in first_files and BUILT_FILE in second_files
    del first_files[BUILT_FILE], second_files[BUILT_FILE]
    assert first_files == second_files and FINGERPRINT_FILE in first_files
