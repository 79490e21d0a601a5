"""Every check family of dagster_project/checks/ on a bare in-memory DuckDB (no Dagster, no dbt).

Only the three marts relations the identity SQL reads (`marts.fct_report_metric`, `marts.dim_report`,
`marts.dim_agency`) are written here, with the few cells each case needs; `run_checks` (identity SQL
→ GX → checks.results) runs once for all reports. Families as catalogue.SUITES groups them: t3, t4,
t2, cross_year, prose, template. For each: a report that passes, one that fails (exact lhs / rhs /
diff / detail), one that is incomplete (a needed cell missing), and the blank-cell policy of
identities.py (docs/spec/templates.md §7.4): a blank counts as 0 when the rule holds; a rule that
fails only with blanks read as 0 is `incomplete` (`total_omitted` when the blanks are the 总计 side);
a `na_marker` (or approximate prose figure) is a missing cell → `incomplete`.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa
import pytest

from dagster_project.checks import catalogue as cat
from dagster_project.checks.pipeline import run_checks

FACTS_SCHEMA = pa.schema([
    ("report_id", pa.string()), ("agency_id", pa.string()), ("report_year", pa.int32()),
    ("metric_code", pa.string()), ("value", pa.decimal128(38, 6)), ("value_state", pa.string()),
    ("raw_text", pa.string()), ("approximate", pa.bool_()), ("inferred_by", pa.string()),
])
REPORTS_SCHEMA = pa.schema([
    ("report_id", pa.string()), ("agency_id", pa.string()), ("report_year", pa.int32()),
    ("template_version", pa.string()), ("source_file", pa.string()), ("is_current", pa.bool_()),
])

BLANK = "blank"  # a printed-empty cell
NA = "na_marker"  # a cell printed as a marker ("—")


class Corpus:
    """The minimal marts rows: reports and their cells."""

    def __init__(self) -> None:
        self.reports: list[dict] = []
        self.facts: list[dict] = []

    def report(self, report_id: str, agency_id: str, year: int, version: str, cells: dict,
               is_current: bool = True, approximate: tuple[str, ...] = ()) -> None:
        """`cells`: metric code -> a number, BLANK or NA."""
        self.reports.append({"report_id": report_id, "agency_id": agency_id, "report_year": year,
                             "template_version": version, "source_file": report_id + ".txt",
                             "is_current": is_current})
        for code, value in cells.items():
            if value == BLANK:
                value, state, raw = None, "blank", ""
            elif value == NA:
                value, state, raw = None, "na_marker", "—"
            else:
                value, state, raw = Decimal(str(value)), "number", str(value)
            self.facts.append({"report_id": report_id, "agency_id": agency_id, "report_year": year,
                               "metric_code": code, "value": value, "value_state": state, "raw_text": raw,
                               "approximate": code in approximate, "inferred_by": None})

    def load(self, con: duckdb.DuckDBPyConnection) -> None:
        agencies = sorted({r["agency_id"] for r in self.reports})
        tables = {
            "fct_report_metric": pa.Table.from_pylist(self.facts, schema=FACTS_SCHEMA),
            "dim_report": pa.Table.from_pylist(self.reports, schema=REPORTS_SCHEMA),
            "dim_agency": pa.Table.from_pylist([{"agency_id": a, "agency_name": "测试局" + a} for a in agencies]),
        }
        con.execute("create schema marts")
        for name, table in tables.items():
            con.register("t_arrow", table)
            con.execute(f"create table marts.{name} as select * from t_arrow")
            con.unregister("t_arrow")


def t3(row: str, col: str = "natural_person") -> str:
    return f"t3.{row}.{col}"


def t3_block(new, over, processed, forward, col: str = "natural_person") -> dict:
    """The four cells of T3-1 / T3-6 for one column."""
    return {t3("new_received", col): new, t3("carried_over", col): over,
            t3("total_processed", col): processed, t3("carried_forward", col): forward}


def t4_block(group: str, total, upheld, corrected, other, pending) -> dict:
    values = {"total": total, "upheld": upheld, "corrected": corrected, "other": other, "pending": pending}
    return {f"t4.{group}_{k}": v for k, v in values.items() if v is not None}


T4_FULL = {c for _, v, c, _ in cat.expected_cells() if v == "v2021" and c.startswith("t4.")}

C = Corpus()
# --- 表三 (suite t3) -----------------------------------------------------------------------------
C.report("t3_pass", "a_t3_pass", 2023, "v2021", t3_block(3, 1, 3, 1))
C.report("t3_fail", "a_t3_fail", 2023, "v2021",
         t3_block(3, 1, 2, 1)  # 自然人: 3 + 1 ≠ 2 + 1
         | t3_block(1, 0, 0, 2, "commercial_enterprise")  # 商业企业: 结转 2 > 1 + 0 (T3-6) and T3-1
         | {t3("granted"): 1.5})  # T3-5: not an integer
C.report("t3_incomplete", "a_t3_incomplete", 2023, "v2021",
         {t3("new_received"): 3, t3("carried_over"): 1, t3("total_processed"): 4})  # 四 absent
C.report("t3_blank", "a_t3_blank", 2023, "v2021",
         t3_block(3, BLANK, 3, BLANK)  # holds with blanks as 0: pass
         | t3_block(3, BLANK, 4, 0, "commercial_enterprise")  # fails with the blank read as 0: incomplete
         | t3_block(3, NA, 3, 0, "research_institution")  # a marker is a missing cell: incomplete
         | t3_block(BLANK, BLANK, BLANK, BLANK, "social_welfare_org")  # no number at all: incomplete
         # T3-3, row 一: 总计 blank while the parts are filled -> total omitted
         | {t3("new_received", "total"): BLANK, t3("new_received", "legal_service_org"): 0,
            t3("new_received", "other_org"): 0})
# no blank value ≥ 0 could make 3 + 空 = 2 + 0 hold, yet a blank makes any failure incomplete
C.report("t3_blank_sure_fail", "a_t3_blank_sure_fail", 2023, "v2021", t3_block(3, BLANK, 2, 0))
# --- 表四 (suite t4) -----------------------------------------------------------------------------
C.report("t4_mixed", "a_t4_mixed", 2023, "v2021",
         t4_block("review", 3, 1, 1, 0, 1)  # T4-1 holds
         | t4_block("lit_direct", 5, 1, 1, 1, 1)  # T4-2: 5 ≠ 4
         | t4_block("lit_after_review", 2, 1, 1, 0, None))  # T4-3: 尚未审结 absent
C.report("t4_blank", "a_t4_blank", 2023, "v2021",
         t4_block("review", BLANK, 1, 0, 0, 1)  # 总计 not filled: incomplete + total_omitted
         | t4_block("lit_direct", 2, BLANK, BLANK, 2, BLANK)  # blanks as 0: holds
         | t4_block("lit_after_review", 0, 0, 0, 0, -1))  # T4-3 fails, T4-4: a negative count
# --- 表二 (suite t2) -----------------------------------------------------------------------------
_T2_19 = "t2.art20_5.admin_license"
C.report("t2_v2019", "a_t2_v2019", 2020, "v2019", {
    f"{_T2_19}.prev_year_items": 5, f"{_T2_19}.items_delta": -2,  # T2-2: 3 ≥ 0; T2-1 allows a negative delta
    "t2.art20_6.admin_penalty.prev_year_items": 1, "t2.art20_6.admin_penalty.items_delta": -3,  # T2-2: -2 < 0
    "t2.art20_6.admin_coercion.prev_year_items": 1,  # T2-2: 本年增/减 absent
    "t2.art20_1.regulations.newly_published": 2, "t2.art20_1.regulations.total_published": 1,  # T2-3: 2 > 1
    "t2.art20_1.normative_docs.newly_published": 1, "t2.art20_1.normative_docs.total_published": BLANK,
})
C.report("t2_fee_ok", "a_t2_fee_ok", 2023, "v2021", {"t2.art20_8.admin_fees.fee_amount": "1000000.0001"})
C.report("t2_fee_big", "a_t2_fee_big", 2023, "v2021", {"t2.art20_8.admin_fees.fee_amount": "1000000.0002"})
C.report("t2_fee_na", "a_t2_fee_na", 2023, "v2021", {"t2.art20_8.admin_fees.fee_amount": NA,
                                                     "t2.art20_1.regulations.in_force": 1})
# --- 跨年度 (suite cross_year) -------------------------------------------------------------------
_REG, _NORM = "t2.art20_1.regulations", "t2.art20_1.normative_docs"
C.report("x_a_2022", "a_x", 2022, "v2021", {
    t3("carried_forward", "total"): 4, t3("carried_forward"): 3,
    f"{_REG}.in_force": 10, f"{_NORM}.in_force": 5})
# a superseded revision of 2022: never the previous year of 2023
C.report("x_a_2022_old", "a_x", 2022, "v2021", {
    t3("carried_forward", "total"): 99, t3("carried_forward"): 99,
    t3("carried_forward", "commercial_enterprise"): 99,
    f"{_REG}.in_force": 99, f"{_NORM}.in_force": 99}, is_current=False)
C.report("x_a_2023", "a_x", 2023, "v2021", {
    t3("carried_over", "total"): 4,  # = 4
    t3("carried_over"): 2,  # X-1c: 2 ≠ 3
    t3("carried_over", "commercial_enterprise"): 1,  # X-1c: the previous 四 is absent
    f"{_REG}.in_force": 11, f"{_REG}.issued": 2, f"{_REG}.repealed": 1,  # 11 = 10 + 2 − 1
    f"{_NORM}.in_force": 9, f"{_NORM}.issued": 3, f"{_NORM}.repealed": 0,  # 9 ≠ 5 + 3 − 0
})
_LIC = "t2.art20_5.admin_license"
C.report("x_b_2019", "b_x", 2019, "v2019", {
    f"{_LIC}.prev_year_items": 5, f"{_LIC}.items_delta": 2, f"{_REG}.total_published": 10})
C.report("x_b_2020", "b_x", 2020, "v2019", {
    f"{_LIC}.prev_year_items": 7,  # 7 = 5 + 2
    f"{_REG}.total_published": 8,  # 8 < 10
})
# the year after: a v2021 report after a v2019 one: X-4 / T2-4 need a v2021 previous report
C.report("x_b_2021", "b_x", 2021, "v2021", {
    f"{_REG}.in_force": 8, f"{_REG}.issued": 0, f"{_REG}.repealed": 0})
# --- 正文 vs 表格 (suite prose) ------------------------------------------------------------------
C.report("prose", "a_prose", 2023, "v2021", {
    "prose.requests_received": 6, t3("new_received", "total"): 6,  # P-1 holds
    "prose.requests_processed": 5, t3("total_processed", "total"): 6,  # P-3: 5 ≠ 6
    "prose.requests_carried_over": 1, t3("carried_over", "total"): 1,  # approximate figure: incomplete
    "prose.litigation_cases": 3, "t4.lit_direct_total": 1,  # P-6: 复议后起诉总计 absent
    "prose.review_cases": 2, "t4.review_total": BLANK,  # P-5: 2 vs blank 0 -> incomplete
}, approximate=("prose.requests_carried_over",))
C.report("prose_no_table", "a_prose_no_table", 2023, "v2021", {"prose.review_cases": 2, t3("new_received"): 1})
# --- 模板 (suite template) ----------------------------------------------------------------------
C.report("tpl_full_t4", "a_tpl", 2020, "v2021", {code: 0 for code in T4_FULL})  # TPL-1: 2020 wants v2019
C.report("tpl_2019", "a_tpl", 2019, "v2019", {"t4.review_total": 0})


@pytest.fixture(scope="module")
def results():
    con = duckdb.connect()
    C.load(con)
    run = run_checks(con, None)
    rows = con.execute("select report_id, check_id, subject, status, lhs, rhs, diff, total_omitted, "
                       "required_missing, compared_report_id, detail from checks.results").fetchall()
    con.close()
    return run, {(r[0], r[1], r[2]): r[3:] for r in rows}


def _get(results, report_id: str, check_id: str, subject: str) -> tuple:
    """(status, lhs, rhs, diff, total_omitted, required_missing, compared_report_id, detail)."""
    return results[1][(report_id, check_id, subject)]


def _status(results, report_id: str, check_id: str, subject: str) -> str:
    return _get(results, report_id, check_id, subject)[0]


def _subjects(results, report_id: str, check_id: str) -> dict[str, str]:
    return {s: v[0] for (r, c, s), v in results[1].items() if r == report_id and c == check_id}


D = Decimal


def test_the_pass_is_consistent(results):
    run, _ = results
    assert run.gx.errors == [] and run.disagreements == 0
    assert sorted(run.gx.suites) == sorted(cat.SUITES)
    assert run.reports_with_tables_unchecked == 0


# ---------------------------------------------------------------------------------------------
# 表三
# ---------------------------------------------------------------------------------------------
def test_t3_pass(results):
    assert _get(results, "t3_pass", "T3-1", "natural_person") == (
        "pass", D(4), D(4), D(0), False, None, None, "自然人: 一 + 二 = 七 + 四（4 = 4）")
    assert _get(results, "t3_pass", "T3-6", "natural_person")[:4] == ("pass", D(1), D(4), D(-3))
    # the other columns have no cell at all: not evaluable
    assert _get(results, "t3_pass", "T3-1", "total")[:4] == ("incomplete", D(0), D(0), D(0))
    assert _get(results, "t3_pass", "T3-5", "t3") == (
        "pass", D(0), D(0), D(0), False, None, None, "表三: 4 个数值单元格均为非负整数")


def test_t3_fail(results):
    assert _get(results, "t3_fail", "T3-1", "natural_person") == (
        "fail", D(4), D(3), D(1), False, None, None, "自然人: 一 3 + 二 1 ≠ 七 2 + 四 1")
    assert _get(results, "t3_fail", "T3-1", "commercial_enterprise")[:4] == ("fail", D(1), D(2), D(-1))
    assert _get(results, "t3_fail", "T3-6", "commercial_enterprise") == (
        "fail", D(2), D(1), D(1), False, None, None, "商业企业: 四 2 > 一 1 + 二 0")
    assert _get(results, "t3_fail", "T3-6", "natural_person")[0] == "pass"
    assert _get(results, "t3_fail", "T3-5", "t3") == (
        "fail", D(1), D(0), D(1), False, None, None, "表三: 1 个单元格为负数或非整数: （一）/自然人 1.5")


def test_t3_incomplete(results):
    status, lhs, rhs, diff, omitted, missing, _, detail = _get(results, "t3_incomplete", "T3-1", "natural_person")
    assert (status, lhs, rhs, omitted, missing) == ("incomplete", D(4), D(4), False, "t3.carried_forward.natural_person")
    assert detail == "自然人: 一 3 + 二 1 = 七 4 + 四 缺（缺少: 四）"


def test_t3_blank_policy(results):
    # blanks read as 0 and the rule holds: pass
    assert _get(results, "t3_blank", "T3-1", "natural_person") == (
        "pass", D(3), D(3), D(0), False, None, None, "自然人: 一 3 + 二 空 = 七 3 + 四 空")
    # fails with the blank read as 0 (strict reading): incomplete, not fail
    assert _get(results, "t3_blank", "T3-1", "commercial_enterprise") == (
        "incomplete", D(3), D(4), D(-1), False, None, None, "商业企业: 一 3 + 二 空 ≠ 七 4 + 四 0")
    # the rule as implemented: any failing rule with a blank term is incomplete, even when no
    # non-negative value of the blank could make it hold
    assert _get(results, "t3_blank_sure_fail", "T3-1", "natural_person") == (
        "incomplete", D(3), D(2), D(1), False, None, None, "自然人: 一 3 + 二 空 ≠ 七 2 + 四 0")
    # a marker is not a number: missing
    assert _get(results, "t3_blank", "T3-1", "research_institution") == (
        "incomplete", D(3), D(3), D(0), False, "t3.carried_over.research_institution", None,
        "科研机构: 一 3 + 二 — = 七 3 + 四 0（缺少: 二）")
    # every cell blank: no number at all
    assert _get(results, "t3_blank", "T3-1", "social_welfare_org")[0] == "incomplete"
    assert _get(results, "t3_blank", "T3-1", "social_welfare_org")[7].endswith("（全部为空）")
    # T3-3 row 一: 总计 blank, parts filled: the total was omitted
    status, lhs, rhs, diff, omitted, missing, _, detail = _get(results, "t3_blank", "T3-3", "new_received")
    assert (status, lhs, rhs, diff, omitted, missing) == ("incomplete", D(0), D(9), D(-9), True, None)
    assert detail == ("一 本年新收政府信息公开申请数量: 总计 空 ≠ 自然人 3 + 商业企业 3 + 科研机构 3 + 社会公益组织 空"
                      " + 其余各项 0（总计未填）")


# ---------------------------------------------------------------------------------------------
# 表四
# ---------------------------------------------------------------------------------------------
def test_t4(results):
    assert _get(results, "t4_mixed", "T4-1", "review") == (
        "pass", D(3), D(3), D(0), False, None, None,
        "行政复议: 行政复议总计 = 行政复议结果维持 + 行政复议结果纠正 + 行政复议其他结果 + 行政复议尚未审结（3 = 3）")
    assert _get(results, "t4_mixed", "T4-2", "lit_direct") == (
        "fail", D(5), D(4), D(1), False, None, None,
        "未经复议直接起诉: 直接起诉总计 5 ≠ 直接起诉结果维持 1 + 直接起诉结果纠正 1 + 直接起诉其他结果 1 + 直接起诉尚未审结 1")
    status, *_, missing, _, detail = _get(results, "t4_mixed", "T4-3", "lit_after_review")
    assert (status, missing) == ("incomplete", "t4.lit_after_review_pending")
    assert detail.endswith("复议后起诉尚未审结 缺（缺少: 复议后起诉尚未审结）")
    assert _status(results, "t4_mixed", "T4-4", "t4") == "pass"


def test_t4_blank_policy(results):
    status, lhs, rhs, diff, omitted, missing, _, detail = _get(results, "t4_blank", "T4-1", "review")
    assert (status, lhs, rhs, diff, omitted, missing) == ("incomplete", D(0), D(2), D(-2), True, None)
    assert detail == "行政复议: 行政复议总计 空 ≠ 行政复议结果维持 1 + 行政复议结果纠正 0 + 行政复议其他结果 0 + 行政复议尚未审结 1（总计未填）"
    assert _get(results, "t4_blank", "T4-2", "lit_direct")[:5] == ("pass", D(2), D(2), D(0), False)
    assert _get(results, "t4_blank", "T4-3", "lit_after_review")[:4] == ("fail", D(0), D(-1), D(1))
    assert _get(results, "t4_blank", "T4-4", "t4") == (
        "fail", D(1), D(0), D(1), False, None, None, "表四: 1 个单元格为负数或非整数: 复议后起诉尚未审结 -1")


# ---------------------------------------------------------------------------------------------
# 表二
# ---------------------------------------------------------------------------------------------
def test_t2_v2019(results):
    assert _get(results, "t2_v2019", "T2-2", "admin_license")[:4] == ("pass", D(3), D(0), D(3))
    assert _get(results, "t2_v2019", "T2-2", "admin_penalty") == (
        "fail", D(-2), D(0), D(-2), False, None, None, "行政处罚: 上一年项目数量 1 + 本年增/减 -3 < 0")
    assert _get(results, "t2_v2019", "T2-2", "admin_coercion")[0::5] == (
        "incomplete", "t2.art20_6.admin_coercion.items_delta")
    assert _get(results, "t2_v2019", "T2-3", "regulations")[:4] == ("fail", D(2), D(1), D(1))
    # blank 对外公开总数量 read as 0 makes it fail: incomplete
    assert _get(results, "t2_v2019", "T2-3", "normative_docs")[:4] == ("incomplete", D(1), D(0), D(1))
    # T2-1 exempts 本年增/减 (signed): the negative deltas are no violation
    assert _get(results, "t2_v2019", "T2-1", "t2") == (
        "pass", D(0), D(0), D(0), False, None, None, "表二: 6 个数值单元格均为非负")
    # T2-5 is a v2021 rule
    assert _subjects(results, "t2_v2019", "T2-5") == {}


def test_t2_fee_tolerance(results):
    assert _get(results, "t2_fee_ok", "T2-5", "admin_fees")[:4] == ("pass", D("1000000.0001"), D(1000000), D("0.0001"))
    assert _get(results, "t2_fee_big", "T2-5", "admin_fees") == (
        "fail", D("1000000.0002"), D(1000000), D("0.0002"), False, None, None,
        "行政事业性收费: 本年收费金额（单位：万元） 1000000.0002 > 1000000")
    assert _get(results, "t2_fee_na", "T2-5", "admin_fees")[0::5] == (
        "incomplete", "t2.art20_8.admin_fees.fee_amount")
    # the v2019 rules do not run on a v2021 table
    assert _subjects(results, "t2_fee_ok", "T2-2") == {} and _subjects(results, "t2_fee_ok", "T2-3") == {}


# ---------------------------------------------------------------------------------------------
# 跨年度
# ---------------------------------------------------------------------------------------------
def test_cross_year_t3(results):
    assert _get(results, "x_a_2023", "X-1", "total") == (
        "pass", D(4), D(4), D(0), False, None, "x_a_2022", "总计: 本年 二 = 上年 四（4 = 4）")
    assert _get(results, "x_a_2023", "X-1c", "natural_person") == (
        "fail", D(2), D(3), D(-1), False, None, "x_a_2022", "自然人: 本年 二 2 ≠ 上年 四 3")
    assert _get(results, "x_a_2023", "X-1c", "commercial_enterprise")[0::5] == (
        "incomplete", "t3.carried_forward.commercial_enterprise")
    # the first year has no previous report: no cross-year row at all
    assert _subjects(results, "x_a_2022", "X-1") == {} and _subjects(results, "x_b_2019", "X-2") == {}


def test_cross_year_t2(results):
    assert _get(results, "x_a_2023", "X-4", "regulations")[:4] == ("pass", D(11), D(11), D(0))
    assert _get(results, "x_a_2023", "X-4", "normative_docs") == (
        "fail", D(9), D(8), D(1), False, None, "x_a_2022",
        "行政规范性文件: 本年 现行有效 9 ≠ 上年 现行有效 5 + 本年 制发 3 − 本年 废止 0")
    assert _get(results, "x_a_2023", "T2-4", "regulations")[:4] == ("pass", D(1), D(12), D(-11))
    assert _get(results, "x_b_2020", "X-2", "admin_license")[:4] == ("pass", D(7), D(7), D(0))
    assert _get(results, "x_b_2020", "X-3", "regulations")[:4] == ("fail", D(8), D(10), D(-2))
    # the previous report has the table in another layout: X-4 / T2-4 (prev v2021) do not run
    assert _subjects(results, "x_b_2021", "X-4") == {} and _subjects(results, "x_b_2021", "T2-4") == {}


# ---------------------------------------------------------------------------------------------
# 正文 vs 表格
# ---------------------------------------------------------------------------------------------
def test_prose(results):
    assert _get(results, "prose", "P-1", "requests_received") == (
        "pass", D(6), D(6), D(0), False, None, None, "正文 新收申请: 正文 新收申请 = 表三 一/总计（6 = 6）")
    assert _get(results, "prose", "P-3", "requests_processed") == (
        "fail", D(5), D(6), D(-1), False, None, None, "正文 办结申请: 正文 办结申请 5 ≠ 表三 七/总计 6")
    # an approximate prose figure is not a number
    status, *_, missing, _, detail = _get(results, "prose", "P-2", "requests_carried_over")
    assert (status, missing) == ("incomplete", "prose.requests_carried_over")
    assert detail == "正文 上年结转: 正文 上年结转 1(约1) = 表三 二/总计 1（缺少: 正文 上年结转）"
    assert _get(results, "prose", "P-6", "litigation_cases")[0::5] == ("incomplete", "t4.lit_after_review_total")
    assert _get(results, "prose", "P-5", "review_cases")[:4] == ("incomplete", D(2), D(0), D(2))
    # a prose rule runs only when the prose states the figure, and only with its table
    assert _subjects(results, "prose", "P-4") == {}
    assert _subjects(results, "prose_no_table", "P-5") == {}


# ---------------------------------------------------------------------------------------------
# 模板
# ---------------------------------------------------------------------------------------------
def test_template(results):
    assert _get(results, "tpl_full_t4", "TPL-1", "template") == (
        "fail", D(0), D(1), D(-1), False, None, None, "2020 年度报告: 模板 v2021 ≠ 应为 v2019")
    assert _get(results, "tpl_2019", "TPL-1", "template")[:4] == ("pass", D(1), D(1), D(0))
    # every v2021 表四 cell present (zeros); no 表二 / 表三 cell at all
    assert _get(results, "tpl_full_t4", "TPL-2", "t4")[:4] == ("pass", D(15), D(15), D(0))
    assert _get(results, "tpl_full_t4", "TPL-2", "t3")[:3] == ("fail", D(0), D(len(
        [c for _, v, c, _ in cat.expected_cells() if v == "v2021" and c.startswith("t3.")])))
    # blank cells are present cells
    assert _get(results, "t4_blank", "TPL-2", "t4")[:3] == ("pass", D(15), D(15))
    status, lhs, rhs, *_, detail = _get(results, "t4_mixed", "TPL-2", "t4")
    assert (status, lhs, rhs) == ("fail", D(14), D(15))
    assert detail == "表四（v2021）: 14 个单元格 ≠ 模板 15 个；缺: 复议后起诉尚未审结"
