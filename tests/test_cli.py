"""The `ogi build` command: progress and the summary it prints (the session warehouse's first build ran
through it), and one-line errors with exit code 2 for a missing raw folder or an unwritable warehouse."""

from __future__ import annotations

import re

from tests.helpers import SEEDS_DIR, run_cli


def test_cli_prints_progress_and_summary(warehouse):
    err = warehouse.cli_run.stderr
    assert "▶ raw_reports" in err and "✓ raw_reports" in err
    assert "summary" in err
    lines = dict(m.groups() for m in (re.match(r"\s+(\S.*?)\s{2,}(\S+)$", line) for line in err.splitlines()) if m)
    assert lines.get("files found") == "10"
    assert lines.get("reports (distinct contents)") == "9"
    assert lines.get("reports undecodable") == "1"


def test_cli_missing_raw_folder_is_one_line_exit_2(tmp_path):
    result = run_cli(["build", "--raw", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.returncode == 2
    assert result.stderr.strip() == f"ogi: raw folder not found: {tmp_path / 'missing'}"


def test_cli_unwritable_warehouse_is_one_line_exit_2(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    result = run_cli(["build", "--raw", str(SEEDS_DIR), "--warehouse", str(blocker / "w.duckdb")])
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(blocker) in result.stderr
