"""Glued digit runs end to end (`ogi build`: ingest → parse → dbt → checks → Data Docs), on a corpus of
its own (the session warehouse is not touched):

- czjrj_2023.txt, a real crawled report as saved (its table cells run together, '0 0 0 0 0 00' for 7
  cells): every run splits by its digit count alone, so its cells are `inferred` with no inferred_by
  and no check is `inferred`;
- two copies of real crawled reports with three table-三 runs replaced by numbers chosen here (as
  checks_corpus.py edits the seeds; labels from templates.py): one split by the row sum T3-3 alone, one
  whose (一) 予以公开 run only the identity between rows T3-2b decides.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dagster_project.parsing.templates import T3_COLUMNS, T3_ROWS
from tests.helpers import REALWORLD_RAW, run_cli

CRAWLED = REALWORLD_RAW.parent / "crawled"
LABEL = {r.code: r.label for r in T3_ROWS["v2021"]}
ZERO_RUN = "0 0 0 0 0 00"  # how these pages print a row of seven zeros

# file -> (crawled report it edits, {row: run printed instead of ZERO_RUN})
EDITED = {
    # 64|0|0|2|0|4|70 is the only split of '640020470' whose cells add up to the 总计 (T3-3)
    "czjrj_2021_row_sum.txt": ("czjrj_2021.txt", {"new_received": "640020470", "granted": "640020470",
                                                  "total_processed": "640020470"}),
    # '110000011' is 1|10|0|0|0|0|11 or 11|0|0|0|0|0|11 under T3-3; （七）总计 = （一）+ … (T3-2b) decides
    "czjrj_2023_between_rows.txt": ("czjrj_2023.txt", {"new_received": "1 10 0 0 0 0 11", "granted": "110000011",
                                                       "total_processed": "1 10 0 0 0 0 11"}),
}


def _edit(text: str, runs: dict[str, str]) -> str:
    for row, run in runs.items():
        text, n = re.subn(re.escape(LABEL[row]) + re.escape(ZERO_RUN), lambda m, r=row, v=run: LABEL[r] + v, text)
        assert n == 1, row
    return text


class Built:
    def __init__(self, root: Path, cli):
        self.root, self.cli = root, cli

    def rows(self, sql: str, params=None) -> list[tuple]:
        con = duckdb.connect(str(self.root / "ogi.duckdb"), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("glued_build")
    raw = root / "raw"
    raw.mkdir()
    shutil.copy(CRAWLED / "czjrj_2023.txt", raw / "czjrj_2023.txt")
    for name, (source, runs) in EDITED.items():
        (raw / name).write_text(_edit((CRAWLED / source).read_text(encoding="utf-8"), runs), encoding="utf-8")
    cli = run_cli(["build", "--raw", str(raw), "--warehouse", str(root / "ogi.duckdb"),
                   "--exports", str(root / "parquet")])
    assert cli.returncode == 0, cli.stderr[-3000:]
    return Built(root, cli)


def _row(built: Built, source_file: str, row: str) -> list[tuple]:
    return built.rows("""
        select f.value, f.value_state, f.inferred_by, f.raw_text, f.source_line
        from marts.fct_report_metric f join marts.dim_report d using (report_id)
        where d.source_file = ? and f.metric_code in (select unnest(?))
        order by list_position(?, f.metric_code)""",
        [source_file, [f"t3.{row}.{c.code}" for c in T3_COLUMNS], [f"t3.{row}.{c.code}" for c in T3_COLUMNS]])


def _statuses(built: Built, source_file: str) -> dict[tuple[str, str], int]:
    return dict(((c, s), n) for c, s, n in built.rows("""
        select r.check_id, r.status, count(*) from marts.fct_check_result r join marts.dim_report d using (report_id)
        where d.source_file = ? and r.check_id like 'T3-%' group by all""", [source_file]))


def test_crawled_report_cells_arrive_inferred_without_a_deciding_check(built):
    states = built.rows("""
        select f.value_state, f.inferred_by, count(*) from marts.fct_report_metric f join marts.dim_report d using (report_id)
        where d.source_file = 'czjrj_2023.txt' group by all order by all""")
    assert states == [("inferred", None, 196), ("number", None, 6)]
    assert _row(built, "czjrj_2023.txt", "new_received") == [(Decimal(0), "inferred", None, ZERO_RUN, 10)] * 7
    # every check that applies holds, and none of them decided a split
    assert _statuses(built, "czjrj_2023.txt") == {("T3-1", "pass"): 7, ("T3-2b", "pass"): 7, ("T3-3", "pass"): 25,
                                                  ("T3-5", "pass"): 1, ("T3-6", "pass"): 7}


def test_row_split_by_its_row_sum(built):
    want = [(Decimal(v), "inferred", "T3-3", "640020470", 10) for v in (64, 0, 0, 2, 0, 4, 70)]
    for row in ("new_received", "granted", "total_processed"):
        assert _row(built, "czjrj_2021_row_sum.txt", row) == want, row
    assert _statuses(built, "czjrj_2021_row_sum.txt") == {
        ("T3-1", "pass"): 7, ("T3-2b", "pass"): 7, ("T3-3", "inferred"): 25, ("T3-5", "pass"): 1, ("T3-6", "pass"): 7}


def test_row_split_by_the_identity_between_rows(built):
    assert _row(built, "czjrj_2023_between_rows.txt", "granted") == [
        (Decimal(v), "inferred", "T3-2b,T3-3", "110000011", 10) for v in (1, 10, 0, 0, 0, 0, 11)]
    # 一 and （七）: seven chunks for seven cells, read as printed
    assert _row(built, "czjrj_2023_between_rows.txt", "new_received") == [
        (Decimal(v), "number", None, str(v), 10) for v in (1, 10, 0, 0, 0, 0, 11)]
    assert _statuses(built, "czjrj_2023_between_rows.txt") == {
        ("T3-1", "pass"): 7, ("T3-2b", "inferred"): 7, ("T3-3", "inferred"): 25, ("T3-5", "pass"): 1,
        ("T3-6", "pass"): 7}


def test_summary_and_data_docs_count_inferred(built):
    lines = dict(m.groups() for m in (re.match(r"\s+(\S.*?)\s{2,}(\S+)$", line) for line in built.cli.stderr.splitlines())
                 if m)
    assert lines["table cells inferred"] == str(196 + 196 + 182)
    assert lines["check results inferred"] == str(25 + 25 + 7)
    page = (built.root / "data_docs" / "index.html").read_text(encoding="utf-8")
    inferred = dict(re.findall(r"data-check-id='([^']+)'>.*?<td class='num inferred'>(\d+)</td>", page))
    assert {c: n for c, n in inferred.items() if n != "0"} == {"T3-2b": "7", "T3-3": "50"}
    assert built.rows("select count(*) from marts.fct_check_result where status = 'inferred'") == [(57,)]
