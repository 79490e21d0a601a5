"""A folder of odd files through the real `ogi build`: every file ends up loaded or in
marts.rejected_files with its reason, a file name written like SQL loads as data, a corrected
report supersedes the first one. One build for the module (its own corpus, so the session
warehouse's counts stay what the other tests expect).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.helpers import ENV_VARS, NOT_TEXT, SEEDS_DIR

SEED_000 = "000_a401547b58a11ed1.txt"
SEED_002 = "002_87d81dba6e927c9d.txt"
SEED_004 = "004_70d6925fef033874.txt"
INJECTION = "x'); drop table marts.dim_report; --.txt"
ODD_NAMES = {INJECTION: SEED_002, "new\nline 报告.txt": SEED_002, "emoji 😀 ; semi.txt": SEED_002}


@pytest.fixture(scope="module")
def odd_build(tmp_path_factory):
    base = tmp_path_factory.mktemp("odd")
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes((SEEDS_DIR / SEED_002).read_bytes() + "\n秘密\n".encode())
    raw = base / "raw"
    raw.mkdir()
    shutil.copy(SEEDS_DIR / SEED_004, raw / SEED_004)
    seed_002 = (SEEDS_DIR / SEED_002).read_bytes()
    for i, name in enumerate(ODD_NAMES):
        (raw / name).write_bytes(seed_002 + b"\n" * (i + 1))  # distinct bytes: one report per name
    # a corrected report: same agency and year as 004, one value changed, a newer file
    corrected = (SEEDS_DIR / SEED_004).read_text(encoding="utf-8").replace("行政许可 | 0 |", "行政许可 | 5 |", 1)
    (raw / "corrected").mkdir()
    (raw / "corrected" / "004_corrected.txt").write_text(corrected, encoding="utf-8")
    os.utime(raw / "corrected" / "004_corrected.txt", ns=((raw / SEED_004).stat().st_mtime_ns + 10**9,) * 2)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.bin").write_bytes(NOT_TEXT)
    (raw / "not_a_report.txt").write_text("hello world, no report here\n", encoding="utf-8")
    lines = (SEEDS_DIR / SEED_000).read_text(encoding="utf-8").split("\n")  # another agency than 004's
    cut = next(i for i, line in enumerate(lines) if line.startswith("(三)不予公开"))
    (raw / "cut_mid_table.txt").write_text("\n".join(lines[:cut]), encoding="utf-8")
    (raw / "big.txt").write_bytes(b"x" * 80_000)  # above the limit set below
    (raw / "x.txt").mkdir()
    (raw / "x.txt" / "inside.txt").write_bytes(seed_002 + b"\n\n\n\n\n")
    (raw / "link_out.txt").symlink_to(outside / "secret.txt")
    (raw / "dangling.txt").symlink_to(raw / "gone.txt")
    os.mkfifo(raw / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(raw / "sock.txt"))
    out = base / "warehouse"
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS}
    env["OGI_MAX_FILE_MB"] = str(60_000 / 1024 / 1024)
    ogi = Path(sys.executable).parent / "ogi"
    result = subprocess.run([str(ogi), "build", "--raw", str(raw), "--warehouse", str(out / "ogi.duckdb"),
                             "--exports", str(out / "parquet")], capture_output=True, text=True, env=env, timeout=900)
    sock.close()
    assert result.returncode == 0, result.stderr[-3000:]
    con = duckdb.connect(str(out / "ogi.duckdb"), read_only=True)
    yield raw, con, result
    con.close()


def test_every_file_is_accounted_for(odd_build):
    raw, con, result = odd_build
    rejected = {row[0]: row[1:] for row in con.execute(
        "select source_file, stage, reason_code from marts.rejected_files").fetchall()}
    loaded = {f for (files,) in con.execute(
        "select source_files from marts.dim_report where parse_status in ('ok', 'partial')").fetchall() for f in files}
    assert rejected == {
        "empty.txt": ("parse", "empty_input"),
        "binary.bin": ("decode", "decode_failed"),
        "not_a_report.txt": ("parse", "not_a_report"),
        "big.txt": ("ingest", "too_large"),
        "link_out.txt": ("ingest", "outside_raw_folder"),
        "dangling.txt": ("ingest", "unreadable"),
        "pipe.txt": ("ingest", "not_a_file"),
        "sock.txt": ("ingest", "not_a_file"),
    }
    assert loaded == {SEED_004, *ODD_NAMES, "corrected/004_corrected.txt", "cut_mid_table.txt", "x.txt/inside.txt"}
    listed = {r[0] for r in con.execute("select source_file from raw.report_files").fetchall()}
    assert listed == set(rejected) | loaded  # nothing else, nothing missing
    # the file outside the raw folder was never read: its bytes are nowhere
    secret = hashlib.sha256((raw.parent / "outside" / "secret.txt").read_bytes()).hexdigest()
    assert con.execute("select count(*) from raw.reports where report_id = ?", [secret]).fetchone() == (0,)
    assert con.execute("select parse_status from marts.dim_report where source_file = 'cut_mid_table.txt'").fetchone() == ("partial",)
    summary = result.stderr[result.stderr.index("summary ("):]
    assert "  files rejected (rejected_files) 8\n" in summary
    for kind, files in (("decode decode_failed", 1), ("ingest not_a_file", 2), ("ingest outside_raw_folder", 1),
                        ("ingest too_large", 1), ("ingest unreadable", 1), ("parse empty_input", 1), ("parse not_a_report", 1)):
        assert f"    {kind:<28} {files}\n" in summary, kind


def test_a_file_name_written_as_sql_is_data(odd_build):
    _, con, _ = odd_build
    assert con.execute("select parse_status from marts.dim_report where source_file = ?", [INJECTION]).fetchone() == ("ok",)
    # the table is still there, with every report: 004, its correction, three odd names, the cut one,
    # x.txt/inside.txt, and the empty, binary and not-a-report files
    assert con.execute("select count(*) from marts.dim_report").fetchone()[0] == 10
    assert con.execute("select count(*) from marts.dim_report where source_file = ?", ["new\nline 报告.txt"]).fetchone() == (1,)


def test_a_corrected_report_supersedes_the_first(odd_build):
    _, con, _ = odd_build
    rows = {f: (cur, sup, n) for f, cur, sup, n in con.execute(
        "select source_file, is_current, superseded_by, revisions from marts.dim_report "
        "where source_file in (?, ?)", [SEED_004, "corrected/004_corrected.txt"]).fetchall()}
    corrected_id = con.execute("select report_id from marts.dim_report where source_file = ?",
                               ["corrected/004_corrected.txt"]).fetchone()[0]
    assert rows == {"corrected/004_corrected.txt": (True, None, 2), SEED_004: (False, corrected_id, 2)}
    # the views show the current report only; the facts keep both versions
    agency = con.execute("select agency_id from marts.dim_report where report_id = ?", [corrected_id]).fetchone()[0]
    assert con.execute("select distinct report_id from marts.t3_outcomes_wide where agency_id = ?", [agency]).fetchall() == [(corrected_id,)]
    assert con.execute("select reports, revisions from marts.agency_year_summary where agency_id = ? and report_year = 2024",
                       [agency]).fetchall() == [(1, 2)]
    assert sorted(con.execute(
        "select d.source_file, f.value from marts.fct_report_metric f join marts.dim_report d using (report_id) "
        "where f.metric_code = 't2.art20_5.admin_license.decisions' and d.agency_id = ?", [agency]).fetchall()) == [
        (SEED_004, 0), ("corrected/004_corrected.txt", 5)]
