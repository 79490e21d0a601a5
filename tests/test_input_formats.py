"""Reports as people have them, through the real ingest and parse assets (no dbt needed here): an
HTML page in GB18030 and a UTF-16 file with CRLF line ends load to the same cells as the UTF-8 text."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from tests.helpers import SEEDS_DIR, restore_env, set_env

sys.path.insert(0, str(Path(__file__).parent / "parsing"))
from test_html import render

from dagster_project.parsing.report import parse_text

pytestmark = pytest.mark.slow  # materializes the ingest and parse assets

SEED_002 = "002_87d81dba6e927c9d"
SEED_004 = "004_70d6925fef033874"


def cells_of(con, source_file: str) -> dict:
    rows = con.execute(
        "select c.metric_code, c.value, c.value_state, c.raw_text from parsed.cells c "
        "join raw.report_files f using (report_id) where f.source_file = ? and c.metric_code not like 'prose.%'",
        [source_file]).fetchall()
    return {code: (value, state, raw) for code, value, state, raw in rows}


def test_html_gb18030_and_utf16_crlf_reports_load_like_the_text(tmp_path):
    import dagster as dg

    from dagster_project.defs.ingest import raw_reports
    from dagster_project.defs.parse import parsed_reports
    from dagster_project.defs.resources import build_resources
    from dagster_project.settings import load_settings

    expected = {}
    raw = tmp_path / "raw"
    raw.mkdir()
    for stem, version in ((SEED_002, "v2019"), (SEED_004, "v2021")):
        text = (SEEDS_DIR / f"{stem}.txt").read_text(encoding="utf-8")
        parsed = parse_text(text)
        expected[stem] = {c.metric_code: (c.value, c.value_state, c.raw_text)
                          for c in parsed.cells if not c.metric_code.startswith("prose.")}
        cells = {c.metric_code: c for c in parsed.cells}
        (raw / f"{stem}.html").write_bytes(render(cells, version).encode("gb18030"))
    utf16 = (SEEDS_DIR / f"{SEED_004}.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    (raw / "utf16_crlf.txt").write_bytes(utf16.encode("utf-16"))

    old = set_env(raw, tmp_path / "wh.duckdb", tmp_path / "parquet")
    try:
        resources = build_resources(load_settings())
    finally:
        restore_env(old)
    assert dg.materialize([raw_reports, parsed_reports], resources=resources).success

    con = duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True)
    try:
        encodings = dict(con.execute(
            "select f.source_file, r.encoding from raw.report_files f join raw.reports r using (report_id)").fetchall())
        assert encodings == {f"{SEED_002}.html": "gb18030", f"{SEED_004}.html": "gb18030", "utf16_crlf.txt": "utf-16"}
        for stem in (SEED_002, SEED_004):
            html_cells = cells_of(con, f"{stem}.html")
            assert html_cells == expected[stem], stem
        assert cells_of(con, "utf16_crlf.txt") == expected[SEED_004]
        statuses = dict(con.execute(
            "select f.source_file, p.parse_status from parsed.reports p join raw.report_files f using (report_id)").fetchall())
        # The rendered pages hold only the three tables: complete tables, but no agency or year.
        assert statuses == {f"{SEED_002}.html": "partial", f"{SEED_004}.html": "partial", "utf16_crlf.txt": "ok"}
        codes = {r[0] for r in con.execute(
            "select m.code from parsed.messages m join raw.report_files f using (report_id) "
            "where f.source_file like '%.html' and m.level <> 'info'").fetchall()}
        assert not any(code.startswith(("t2_", "t3_", "t4_")) for code in codes), codes
    finally:
        con.close()
