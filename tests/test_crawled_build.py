"""Every crawled real report (the crawler's glued text and the full page HTML) through the real
`ogi build`: every gold cell, the agency and the year, read back from the marts.

The PDFs and their pdftotext renderings have their own build (test_pdf_warehouse.py). Cells the
issue's rule forbids reading are listed in UNREADABLE with the reason, and asserted to arrive as
`unparseable` with the glued run kept: the rule is to split a run only when exactly one split
satisfies the row's constraints, never to guess.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest

from dagster_project.gold import accepts, found_texts, gold_files, load_gold
from tests.helpers import REALWORLD_RAW, run_cli

CRAWLED = REALWORLD_RAW.parent / "crawled"
_T4 = ("review", "lit_direct", "lit_after_review")
_PARTS = ("upheld", "corrected", "other", "pending", "total")
UNREADABLE: dict[tuple[str, str], str] = {
    # 规范性文件 本年制发/废止/现行有效 printed '2120': 2|1|20, 2|12|0 and 21|2|0 all fit the row
    **{("shsyj_2023.txt", f"t2.art20_1.normative_docs.{c}"): "2120" for c in ("issued", "repealed", "in_force")},
    # table 四 '00202000001324015': the source breaks T4-3 (13+2+4+0 ≠ 15), so no split meets every block total
    **{("shsyj_2024.txt", f"t4.{g}_{p}"): "00202000001324015" for g in _T4 for p in _PARTS},
}


@pytest.fixture(scope="module")
def crawled_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("crawled_build")
    raw = root / "raw"
    shutil.copytree(CRAWLED, raw, ignore=shutil.ignore_patterns("gold", "*.md"))
    cli = run_cli(["build", "--raw", str(raw), "--warehouse", str(root / "ogi.duckdb"), "--exports", str(root / "parquet")])
    assert cli.returncode == 0, cli.stderr[-3000:]
    import duckdb

    con = duckdb.connect(str(root / "ogi.duckdb"), read_only=True)
    yield con
    con.close()


GOLDS = [load_gold(p) for p in gold_files(CRAWLED)]
CASES = [(g, name) for g in GOLDS for name in g.raw_files]


@pytest.mark.parametrize("gold, name", CASES, ids=[name for _, name in CASES])
def test_every_gold_cell_agency_and_year(crawled_build, gold, name):
    con = crawled_build
    report = con.execute("select report_id, agency_name_as_written, report_year from marts.dim_report where source_file = ?",
                         [name]).fetchone()
    assert report is not None, name
    report_id, agency, year = report
    assert (agency, year) == (gold.agency, gold.report_year)
    rows = con.execute("select metric_code, value, value_state, raw_text from marts.fct_report_metric where report_id = ?",
                       [report_id]).fetchall()
    found = {code: found_texts(Decimal(value) if value is not None else None, state, raw) for code, value, state, raw in rows}
    states = {code: (state, raw) for code, _, state, raw in rows}
    wrong = {}
    for code, expected in gold.cells.items():
        if (name, code) in UNREADABLE:
            assert states.get(code) == ("unparseable", UNREADABLE[(name, code)]), code
        elif not accepts(code, expected, found):
            wrong[code] = (expected, found.get(code))
    assert wrong == {}


def test_the_unreadable_list_names_only_gold_cells():
    cells = {(name, code) for g, name in CASES for code in g.cells}
    assert set(UNREADABLE) <= cells
