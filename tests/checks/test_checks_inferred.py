"""Status `inferred` (glued digit runs, parsing/glued.py): the checks over a bare DuckDB holding only
the three marts relations the identity SQL reads (no Dagster, no dbt), facts written here.

A check whose identity the parser used to choose how a report's glued run splits into cells (the
cells' `inferred_by`) is `inferred` instead of `pass` for that report; `fail` stays `fail`; inferred
cells are numbers for every check (not `incomplete`).
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from dagster_project.checks import catalogue as cat
from dagster_project.checks.pipeline import run_checks
from dagster_project.parsing.templates import T3_COLUMNS

YEAR = 2023  # v2021 template
COLUMN = {c.code: i for i, c in enumerate(T3_COLUMNS)}  # natural_person … other_org, total
# Table 三 as printed (7 columns, the last the 总计): every identity holds. Rows not listed are 0.
T3 = {
    "new_received": (3, 1, 0, 0, 0, 2, 6),
    "carried_over": (1, 0, 0, 0, 0, 0, 1),
    "granted": (2, 1, 0, 0, 0, 1, 4),
    "partially_granted": (1, 0, 0, 0, 0, 0, 1),
    "unavailable_not_held": (0, 0, 0, 0, 0, 1, 1),
    "total_processed": (3, 1, 0, 0, 0, 2, 6),
    "carried_forward": (1, 0, 0, 0, 0, 0, 1),
}
V2021_CELLS = [m for _, v, m, _ in cat.expected_cells() if v == "v2021"]

FACTS_SCHEMA = pa.schema([
    ("report_id", pa.string()), ("agency_id", pa.string()), ("report_year", pa.int32()),
    ("metric_code", pa.string()), ("value", pa.decimal128(38, 6)), ("value_state", pa.string()),
    ("raw_text", pa.string()), ("approximate", pa.bool_()), ("inferred_by", pa.string()),
])


def _value(code: str) -> Decimal:
    if code.startswith("t3."):
        _, row, column = code.split(".")
        return Decimal(T3.get(row, (0,) * 7)[COLUMN[column]])
    return Decimal(0)


def _report(report_id: str, split: dict[str, str | None] = (), changed: dict[str, int] = ()) -> list[dict]:
    """Every v2021 template cell of one report; `split`: table-三 row -> inferred_by of its cells
    (value_state 'inferred', raw_text the run); `changed`: metric code -> value printed instead."""
    split, changed = dict(split), dict(changed)
    rows = []
    for code in V2021_CELLS:
        value = Decimal(changed[code]) if code in changed else _value(code)
        row = code.split(".")[1] if code.startswith("t3.") else None
        inferred = row in split
        run = "".join(str(_value(f"t3.{row}.{c.code}")) for c in T3_COLUMNS) if inferred else None
        rows.append({"report_id": report_id, "agency_id": "agency_" + report_id, "report_year": YEAR,
                     "metric_code": code, "value": value, "value_state": "inferred" if inferred else "number",
                     "raw_text": run if inferred else str(value), "approximate": False,
                     "inferred_by": split.get(row)})
    return rows


REPORTS = {
    # 一、本年新收 read from the run '3100026', decided by its row sum
    "r_row_sum": _report("r_row_sum", split={"new_received": "T3-3"}),
    # (一) 予以公开 decided by the rows between (T3-2b) after its row sum left two splits; 一 by T3-1
    "r_cross_row": _report("r_cross_row", split={"granted": "T3-2b,T3-3", "new_received": "T3-1"}),
    # split by T3-3 like r_row_sum, but (二) 部分公开 总计 printed 2: T3-3 (that row) and T3-2b (总计) fail
    "r_failing": _report("r_failing", split={"new_received": "T3-3"},
                         changed={"t3.partially_granted.total": 2}),
    # 二、上年结转 '1000001': seven digits for seven cells, no identity needed (inferred_by null)
    "r_count_only": _report("r_count_only", split={"carried_over": None}),
    # every cell printed with separators
    "r_plain": _report("r_plain"),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    con = duckdb.connect(str(tmp_path_factory.mktemp("inferred") / "bare.duckdb"))
    facts = pa.Table.from_pylist([r for rows in REPORTS.values() for r in rows], schema=FACTS_SCHEMA)
    reports = pa.Table.from_pylist(
        [{"report_id": r, "agency_id": "agency_" + r, "report_year": YEAR, "template_version": "v2021",
          "source_file": r + ".txt", "is_current": True} for r in REPORTS])
    agencies = pa.Table.from_pylist([{"agency_id": "agency_" + r, "agency_name": "测试局" + r} for r in REPORTS])
    con.execute("create schema marts")
    for name, table in (("fct_report_metric", facts), ("dim_report", reports), ("dim_agency", agencies)):
        con.register("t_arrow", table)
        con.execute(f"create table marts.{name} as select * from t_arrow")
        con.unregister("t_arrow")
    run = run_checks(con, None)
    rows = con.execute("select report_id, check_id, subject, status, lhs, rhs, detail from checks.results").fetchall()
    con.close()
    return run, rows


def _statuses(rows, report_id: str) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for rid, check_id, _, status, *_ in rows:
        if rid == report_id:
            out.setdefault(check_id, Counter())[status] += 1
    return out


# What every check gives on this table when nothing is inferred: the v2021 checks that apply without a
# previous year and without prose figures.
ALL_PASS = {"T3-1": 7, "T3-2b": 7, "T3-3": 25, "T3-5": 1, "T3-6": 7, "T4-1": 1, "T4-2": 1, "T4-3": 1, "T4-4": 1,
            "T2-1": 1, "T2-5": 1, "TPL-1": 1, "TPL-2": 3}


def _expect(**changes: dict[str, int]) -> dict[str, Counter]:
    """ALL_PASS with the statuses of some checks replaced (T3_2b= stands for T3-2b)."""
    want = {check_id: Counter({"pass": n}) for check_id, n in ALL_PASS.items()}
    for check_id, counts in changes.items():
        want[check_id.replace("_", "-")] = Counter(counts)
    return want


def test_plain_report_passes_every_check(results):
    run, rows = results
    assert _statuses(rows, "r_plain") == _expect()
    assert run.gx.errors == [] and run.disagreements == 0


def test_row_split_by_its_row_sum_makes_t3_3_inferred(results):
    _, rows = results
    assert _statuses(rows, "r_row_sum") == _expect(T3_3={"inferred": 25})
    # the inferred cells are numbers: evaluated with their values, not incomplete
    got = [(s, st, lhs, rhs) for rid, c, s, st, lhs, rhs, _ in rows if rid == "r_row_sum" and c == "T3-3"
           and s == "new_received"]
    assert got == [("new_received", "inferred", Decimal(6), Decimal(6))]
    t3_1 = [(st, d) for rid, c, s, st, _, _, d in rows if rid == "r_row_sum" and c == "T3-1" and s == "natural_person"]
    assert t3_1 == [("pass", "自然人: 一 + 二 = 七 + 四（4 = 4）")]
    nonneg = [(st, d) for rid, c, _, st, _, _, d in rows if rid == "r_row_sum" and c == "T3-5"]
    assert nonneg == [("pass", "表三: 175 个数值单元格均为非负整数")]


def test_rows_split_by_identities_between_rows(results):
    _, rows = results
    assert _statuses(rows, "r_cross_row") == _expect(T3_1={"inferred": 7}, T3_2b={"inferred": 7},
                                                     T3_3={"inferred": 25})


def test_a_failing_identity_stays_fail(results):
    _, rows = results
    assert _statuses(rows, "r_failing") == _expect(T3_3={"inferred": 24, "fail": 1}, T3_2b={"pass": 6, "fail": 1})
    failing = sorted((c, s, lhs, rhs) for rid, c, s, st, lhs, rhs, _ in rows if rid == "r_failing" and st == "fail")
    assert failing == [("T3-2b", "total", Decimal(6), Decimal(7)), ("T3-3", "partially_granted", Decimal(2), Decimal(1))]


def test_split_decided_by_the_digit_count_alone_is_a_plain_pass(results):
    _, rows = results
    assert _statuses(rows, "r_count_only") == _expect()
    t3_1 = [(st, d) for rid, c, s, st, _, _, d in rows if rid == "r_count_only" and c == "T3-1" and s == "total"]
    assert t3_1 == [("pass", "总计: 一 + 二 = 七 + 四（7 = 7）")]


def test_inferred_counts_per_check(results):
    run, _ = results
    # 5 reports × 57 results: inferred 25 (r_row_sum) + 39 (r_cross_row) + 24 (r_failing), 2 failing
    assert run.status_counts == {"pass": 195, "inferred": 88, "fail": 2}
    assert {c: run.per_check[c]["inferred"] for c in cat.SPLIT_CHECK_IDS} == {
        "T3-1": 7, "T3-2a": 0, "T3-2b": 7, "T3-3": 74, "T4-1": 0, "T4-2": 0, "T4-3": 0}
    assert run.per_check["T3-3"]["fail"] == 1 and run.per_check["T3-3"]["pass"] == 50
