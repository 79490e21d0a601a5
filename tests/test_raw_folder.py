"""The raw folder as a boundary, and every odd file accounted for, at ingest (raw_store + a real
DuckDB file; no Dagster needed, so these run in seconds). The end-to-end view of the same files
(marts.rejected_files, the build summary) is asserted through `ogi build` in test_odd_corpus.py.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket

import duckdb
import pytest

from dagster_project.corpus import ENV_MAX_FILE_MB, scan
from dagster_project.raw_store import ingest_folder
from tests.helpers import SEEDS_DIR

SEED = "000_a401547b58a11ed1.txt"
ODD_NAMES = ["q'\"; drop table raw.reports; --.txt", "new\nline.txt", "emoji 😀 中文 名.txt", "semi;colon space.txt"]


@pytest.fixture()
def odd_folder(tmp_path):
    """A raw folder with one of every odd thing, and a secret file beside it (outside)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("2020年 secret outside the raw folder", encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SEEDS_DIR / SEED, raw / SEED)
    for i, name in enumerate(ODD_NAMES):
        (raw / name).write_bytes(f"odd {i}".encode())
    (raw / "link_out.txt").symlink_to(outside / "secret.txt")
    (raw / "link_out_dir").symlink_to(outside)
    (raw / "link_in.txt").symlink_to(raw / SEED)
    (raw / "sub").mkdir()
    (raw / "sub" / "loop").symlink_to(raw)
    (raw / "x.txt").mkdir()  # a folder named like a file: walked, not read
    (raw / "x.txt" / "inner.txt").write_bytes(b"inner")
    os.mkfifo(raw / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(raw / "sock.txt"))
    (raw / "dangling.txt").symlink_to(raw / "gone.txt")
    yield raw, outside
    sock.close()


def test_scan_lists_every_entry_and_rejects_what_it_must_not_open(odd_folder):
    raw, _ = odd_folder
    by_name = {s.source_file: s for s in scan(raw)}
    assert sorted(by_name) == sorted([SEED, *ODD_NAMES, "link_out.txt", "link_out_dir", "link_in.txt", "x.txt/inner.txt",
                                      "pipe.txt", "sock.txt", "dangling.txt"])
    assert {n: s.reject_code for n, s in by_name.items() if s.reject_code} == {
        "link_out.txt": "outside_raw_folder", "link_out_dir": "outside_raw_folder",
        "pipe.txt": "not_a_file", "sock.txt": "not_a_file"}
    assert by_name["link_in.txt"].byte_size == (raw / SEED).stat().st_size  # inside: followed once


def test_ingest_keeps_everything_with_a_reason_and_never_reads_outside(odd_folder, tmp_path):
    raw, outside = odd_folder
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    summary = ingest_folder(con, raw)
    files = {row[0]: row[1:] for row in con.execute(
        "select source_file, report_id, read_error_code, read_error from raw.report_files").fetchall()}
    assert summary.files_seen == len(files) == 12
    assert {n: f[1] for n, f in files.items() if f[1]} == {
        "link_out.txt": "outside_raw_folder", "link_out_dir": "outside_raw_folder", "pipe.txt": "not_a_file",
        "sock.txt": "not_a_file", "dangling.txt": "unreadable"}
    assert files["link_out.txt"][2] == "not read link_out.txt: symlink to a target outside the raw folder: not followed"
    assert files["pipe.txt"][2] == "not read pipe.txt: a FIFO (named pipe), not a file: never opened"
    secret = hashlib.sha256((outside / "secret.txt").read_bytes()).hexdigest()
    assert con.execute("select count(*) from raw.reports where report_id = ?", [secret]).fetchone() == (0,)
    # odd names are data: each stored exactly, with its own bytes
    for i, name in enumerate(ODD_NAMES):
        assert files[name][0] == hashlib.sha256(f"odd {i}".encode()).hexdigest()
    assert files["link_in.txt"][0] == files[SEED][0]  # the same bytes under two names: one report
    assert con.execute("select count(*) from raw.reports").fetchone() == (len(ODD_NAMES) + 2,)  # + seed + x.txt/inner.txt
    # a re-run changes nothing and records nothing twice
    before = con.execute("select * from raw.report_files order by 1").fetchall()
    again = ingest_folder(con, raw)
    assert (again.files_new, again.files_changed, again.files_removed) == (0, 0, 0)
    assert con.execute("select * from raw.report_files order by 1").fetchall() == before


def test_a_file_above_the_size_limit_is_listed_and_not_read(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "big.txt").write_bytes(b"x" * 3000)
    (raw / "small.txt").write_bytes(b"x" * 100)
    monkeypatch.setenv(ENV_MAX_FILE_MB, str(2000 / 1024 / 1024))
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    ingest_folder(con, raw)
    rows = con.execute("select source_file, byte_size, report_id is null, read_error_code, read_error "
                       "from raw.report_files order by 1").fetchall()
    assert rows == [
        ("big.txt", 3000, True, "too_large", "not read big.txt: 3000 bytes, above the 2000 byte limit (OGI_MAX_FILE_MB): not read"),
        ("small.txt", 100, False, None, None),
    ]
