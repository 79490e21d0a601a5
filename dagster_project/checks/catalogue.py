"""Every arithmetic check as data (docs/spec/templates.md §7–§8 plus the ids this project adds).

A check is a `CheckDef` (what dim_check shows) and, for the sum identities, a list of `Rule`s: one per
subject (the column of a per-column identity, the row of a per-row one), each a comparison
`Σ lhs terms (+ const) <op> Σ rhs terms (+ const)` over metric codes of parsing/templates.py. The
identity SQL (identities.py) evaluates every rule for every applicable report in one pass; nothing
here is typed twice: rows, columns and version-specific rows come from templates.py. In each check's
`basis` text, `spec §N` and `Dn` are the sections and deviations of docs/spec/templates.md.

Kinds:
- `identity`   rules of terms (T3-1, T3-2a/b, T3-3, T3-6, T4-1..3, T2-2/3/5, cross-year, prose)
- `nonneg`     one row per report and table: how many cells are negative or (counts) not integers
- `template`   TPL-1 (version expected for the year) and TPL-2 (every template cell present)

Severities: `hard` must hold for a correct report (an error to publish), `soft` usually holds
(a warning). X-1 is split by subject: `X-1` is the 总计 column (hard), `X-1c` the six applicant
columns (soft: agencies reclassify applicants between years), as docs/spec/templates.md §8 grades them.

Applicability (the `applies` column of the identity tables, docs/spec/templates.md §7.1–§8):
a rule runs for a report only when the report has the table in the
layout the rule needs (`layout_table` / `layout_version`; a report's layout is its template version,
or for hybrid/unknown reports the version whose cells it printed most), cross-year rules only when
the same agency has a report for the previous year with that table, prose rules only when the prose
states the figure (`trigger_metric`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dagster_project.parsing.templates import (
    METRICS,
    PROSE_TABLE_PAIRS,
    T2_BLOCKS,
    T3_ALL_ROWS,
    T3_COLUMNS,
    T3_ROW_VERSIONS,
    T3_ROWS,
    T4_COLUMNS,
    TABLES,
    VERSIONS_TABLES,
    expected_codes,
)

SUITES = ("t2", "t3", "t4", "cross_year", "prose", "template")
# Result statuses (fct_check_result.status): pass / fail / incomplete, and inferred: the rule holds,
# but its identity was used by the parser to choose where a report's glued digit run splits into
# cells (parsing/glued.py, cells with value_state 'inferred'), so holding is no independent
# evidence for that report. TPL-1 compares a report's version with templates.expected_template.

# T2-5: a 本年收费金额 above this many 万元 (10 bn CNY) is implausible: probably entered in 元 (D23 in docs/spec/templates.md).
FEE_PLAUSIBLE_MAX_WAN = Decimal("1000000")
# 万元 amounts are published with up to 4 decimals (2876.4869万元): a money comparison tolerates one
# unit of the 4th decimal. Counts are compared exactly (tolerance 0).
MONEY_TOLERANCE_WAN = Decimal("0.0001")


@dataclass(frozen=True)
class CheckDef:
    check_id: str
    suite: str
    severity: str
    kind: str  # identity | nonneg | template
    description: str
    formula: str
    basis: str
    template_versions: tuple[str, ...]
    op: str = "eq"
    tolerance: Decimal = Decimal(0)
    subject_kind: str = "column"  # what `subject` names: column / row / table / report


@dataclass(frozen=True)
class Term:
    metric_code: str
    label: str  # short Chinese label used in the readable detail
    sign: int = 1
    source: str = "self"  # self | prev (the same agency's report for the previous year)
    is_total: bool = False  # a 总计 cell: blank here while the parts are filled = total omitted


@dataclass(frozen=True)
class Rule:
    check_id: str
    subject: str
    subject_label: str
    layout_table: str  # t2 / t3 / t4: the table the report must have
    layout_version: str | None  # None: any layout of that table
    lhs: tuple[Term, ...]
    rhs: tuple[Term, ...] = ()
    lhs_const: Decimal = Decimal(0)
    rhs_const: Decimal = Decimal(0)
    prev_layout_version: str | None = None  # cross-year rules: the previous report's layout
    needs_prev: bool = False
    trigger_metric: str | None = None  # the rule runs only when the report has this metric


# ---------------------------------------------------------------------------------------------
# Short labels for the readable detail ("自然人: 一 6 + 二 0 ≠ 七 5 + 四 0")
# ---------------------------------------------------------------------------------------------
def _t3_row_short() -> dict[str, str]:
    short = {"new_received": "一", "carried_over": "二", "granted": "（一）", "partially_granted": "（二）",
             "other_processing": "（六）", "total_processed": "七", "carried_forward": "四"}
    groups = {"denied": "（三）", "unavailable": "（四）", "not_processed": "（五）"}
    for r in T3_ALL_ROWS:
        for prefix, numeral in groups.items():
            if r.code.startswith(prefix + "_"):
                short[r.code] = f"{numeral}{r.label.split('.')[0]}"
    for i, code in enumerate(("other_overdue_correction", "other_unpaid_fee", "other_other"), start=1):
        short[code] = f"（六）{i}"
    return short


T3_ROW_SHORT = _t3_row_short()
T3_ROW_LABEL = {r.code: r.label for r in T3_ALL_ROWS}
T3_COL_LABEL = {c.code: c.label for c in T3_COLUMNS}
T4_LABEL = {
    c.code: c.label.replace("行政诉讼 / ", "").replace("未经复议直接起诉", "直接起诉").replace(" / ", "")
    for c in T4_COLUMNS
}
T2_ROW_LABEL = {r.code: r.label for blocks in T2_BLOCKS.values() for b in blocks for r in b.rows}
T2_COL_LABEL = {c.code: c.label for blocks in T2_BLOCKS.values() for b in blocks for c in b.columns}
TABLE_LABEL = {code: t.label_zh for code, t in TABLES.items()}
PROSE_LABEL = {
    "requests_received": "正文 新收申请",
    "requests_carried_over": "正文 上年结转",
    "requests_processed": "正文 办结申请",
    "requests_carried_forward": "正文 结转下年",
    "review_cases": "正文 行政复议",
    "litigation_cases": "正文 行政诉讼",
}


def metric_label(code: str) -> str:
    """Short label of any metric code (used for term labels and cell lists in details)."""
    parts = code.split(".")
    if parts[0] == "t3":
        return f"{T3_ROW_SHORT[parts[1]]}/{T3_COL_LABEL[parts[2]]}"
    if parts[0] == "t4":
        return T4_LABEL[parts[1]]
    if parts[0] == "t2":
        return f"{T2_ROW_LABEL[parts[2]]}/{T2_COL_LABEL[parts[3]]}"
    return PROSE_LABEL.get(parts[1], parts[1])


def _t3(row: str, col: str, **kw) -> Term:
    return Term(f"t3.{row}.{col}", T3_ROW_SHORT[row], **kw)


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------
_BOTH = VERSIONS_TABLES
CHECKS: tuple[CheckDef, ...] = (
    # 表三
    CheckDef(check_id="T3-1", suite="t3", severity="hard", kind="identity", description="表三每一列：新收 + 上年结转 = 办理结果总计 + 结转下年度（模板注明的勾稽关系）",
             formula="∀c: new_received[c] + carried_over[c] = total_processed[c] + carried_forward[c]",
             basis="stated in the template's note (本列数据的勾稽关系), spec §7.1", template_versions=_BOTH),
    CheckDef(check_id="T3-2a", suite="t3", severity="hard", kind="identity", description="表三每一列（2019 格式）：（七）总计 = （一）至（六）各项之和",
             formula="∀c: total_processed[c] = Σ outcome rows (单一（六）其他处理)", basis="implied by the layout, spec §7.1", template_versions=("v2019",)),
    CheckDef(check_id="T3-2b", suite="t3", severity="hard", kind="identity", description="表三每一列（2021 格式）：（七）总计 = （一）至（六）各项之和（（六）分 3 项）",
             formula="∀c: total_processed[c] = Σ outcome rows (（六）1–3)", basis="implied by the layout, spec §7.1", template_versions=("v2021",)),
    CheckDef(check_id="T3-3", suite="t3", severity="hard", kind="identity", description="表三每一行：总计 = 自然人 + 五类法人或其他组织之和",
             formula="∀r: T3[r][total] = Σ_{c≠total} T3[r][c]", basis="implied by the 总计 column, spec §7.1", template_versions=_BOTH, subject_kind="row"),
    CheckDef(check_id="T3-5", suite="t3", severity="hard", kind="nonneg", description="表三所有单元格为非负整数",
             formula="∀cells: value ≥ 0 and integer", basis="counts, spec §7.1", template_versions=_BOTH, subject_kind="table"),
    CheckDef(check_id="T3-6", suite="t3", severity="hard", kind="identity", description="表三每一列：结转下年度 ≤ 新收 + 上年结转",
             formula="∀c: carried_forward[c] ≤ new_received[c] + carried_over[c]", basis="follows from T3-1 and T3-5, spec §7.1",
             template_versions=_BOTH, op="le"),
    # 表四
    CheckDef(check_id="T4-1", suite="t4", severity="hard", kind="identity", description="表四行政复议：总计 = 维持 + 纠正 + 其他 + 尚未审结",
             formula="review_total = Σ review parts", basis="implied by the 总计 column, spec §7.2", template_versions=_BOTH, subject_kind="block"),
    CheckDef(check_id="T4-2", suite="t4", severity="hard", kind="identity", description="表四未经复议直接起诉：总计 = 维持 + 纠正 + 其他 + 尚未审结",
             formula="lit_direct_total = Σ lit_direct parts", basis="implied by the 总计 column, spec §7.2", template_versions=_BOTH, subject_kind="block"),
    CheckDef(check_id="T4-3", suite="t4", severity="hard", kind="identity", description="表四复议后起诉：总计 = 维持 + 纠正 + 其他 + 尚未审结",
             formula="lit_after_review_total = Σ lit_after_review parts", basis="implied by the 总计 column, spec §7.2", template_versions=_BOTH,
             subject_kind="block"),
    CheckDef(check_id="T4-4", suite="t4", severity="hard", kind="nonneg", description="表四所有单元格为非负整数",
             formula="∀cells: value ≥ 0 and integer", basis="counts, spec §7.2", template_versions=_BOTH, subject_kind="table"),
    # 表二
    CheckDef(check_id="T2-1", suite="t2", severity="hard", kind="nonneg", description="表二所有数量、金额非负，数量为整数（本年增/减可为负）",
             formula="∀cells except items_delta: value ≥ 0; counts integer", basis="spec §7.3", template_versions=_BOTH, subject_kind="table"),
    CheckDef(check_id="T2-2", suite="t2", severity="hard", kind="identity", description="表二（2019 格式）：上一年项目数量 + 本年增/减 ≥ 0",
             formula="prev_year_items + items_delta ≥ 0", basis="item counts cannot go negative, spec §7.3", template_versions=("v2019",),
             op="ge", subject_kind="row"),
    CheckDef(check_id="T2-3", suite="t2", severity="soft", kind="identity", description="表二（2019 格式）第二十条第（一）项：本年新公开数量 ≤ 对外公开总数量",
             formula="newly_published ≤ total_published", basis="inferred from the seed reports, spec §7.3", template_versions=("v2019",),
             op="le", subject_kind="row"),
    CheckDef(check_id="T2-5", suite="t2", severity="soft", kind="identity", description="表二（2021 格式）本年收费金额（万元）数量级合理（≤ 100 万万元）",
             formula=f"fee_amount ≤ {FEE_PLAUSIBLE_MAX_WAN} 万元", basis="units from the header, spec §7.3 / D23", template_versions=("v2021",),
             op="le", tolerance=MONEY_TOLERANCE_WAN, subject_kind="row"),
    # 跨年度
    CheckDef(check_id="X-1", suite="cross_year", severity="hard", kind="identity", description="跨年度：本年上年结转（总计）= 同一机关上一年度结转下年度继续办理（总计）",
             formula="carried_over[total](Y) = carried_forward[total](Y−1)", basis="definition, spec §8", template_versions=_BOTH),
    CheckDef(check_id="X-1c", suite="cross_year", severity="soft", kind="identity", description="跨年度：本年上年结转 = 上一年度结转下年度，按申请人类别逐列",
             formula="∀c≠total: carried_over[c](Y) = carried_forward[c](Y−1)",
             basis="definition; soft per column (applicants get reclassified), spec §8", template_versions=_BOTH),
    CheckDef(check_id="X-2", suite="cross_year", severity="soft", kind="identity", description="跨年度（2019 格式）：本年上一年项目数量 = 上一年度的上一年项目数量 + 本年增/减",
             formula="prev_year_items(Y) = prev_year_items(Y−1) + items_delta(Y−1)",
             basis="definition (agencies re-baseline often), spec §8", template_versions=("v2019",), subject_kind="row"),
    CheckDef(check_id="X-3", suite="cross_year", severity="soft", kind="identity", description="跨年度（2019 格式）：对外公开总数量不减少",
             formula="total_published(Y) ≥ total_published(Y−1)", basis="cumulative semantics, spec §8", template_versions=("v2019",),
             op="ge", subject_kind="row"),
    CheckDef(check_id="X-4", suite="cross_year", severity="soft", kind="identity", description="跨年度（2021 格式）：现行有效件数 = 上年现行有效 + 本年制发 − 本年废止",
             formula="in_force(Y) = in_force(Y−1) + issued(Y) − repealed(Y)", basis="spec §8", template_versions=("v2021",), subject_kind="row"),
    CheckDef(check_id="T2-4", suite="cross_year", severity="soft", kind="identity", description="表二（2021 格式）：本年废止件数 ≤ 上年现行有效件数 + 本年制发件数",
             formula="repealed(Y) ≤ in_force(Y−1) + issued(Y)", basis="spec §7.3 (needs the previous year)", template_versions=("v2021",),
             op="le", subject_kind="row"),
    # 正文 vs 表格
    CheckDef(check_id="P-1", suite="prose", severity="soft", kind="identity", description="正文所述新收申请数 = 表三 一、本年新收（总计）",
             formula="prose.requests_received = new_received[total]", basis="text ↔ table, spec §8", template_versions=_BOTH, subject_kind="metric"),
    CheckDef(check_id="P-2", suite="prose", severity="soft", kind="identity", description="正文所述上年结转数 = 表三 二、上年结转（总计）",
             formula="prose.requests_carried_over = carried_over[total]", basis="text ↔ table, spec §8", template_versions=_BOTH, subject_kind="metric"),
    CheckDef(check_id="P-3", suite="prose", severity="soft", kind="identity", description="正文所述办结（答复）数 = 表三（七）总计（总计）",
             formula="prose.requests_processed = total_processed[total]", basis="text ↔ table, spec §8", template_versions=_BOTH, subject_kind="metric"),
    CheckDef(check_id="P-4", suite="prose", severity="soft", kind="identity", description="正文所述结转下年数 = 表三 四、结转下年度（总计）",
             formula="prose.requests_carried_forward = carried_forward[total]", basis="text ↔ table, spec §8", template_versions=_BOTH,
             subject_kind="metric"),
    CheckDef(check_id="P-5", suite="prose", severity="soft", kind="identity", description="正文所述行政复议数 = 表四 行政复议总计",
             formula="prose.review_cases = review_total", basis="text ↔ table, spec §8", template_versions=_BOTH, subject_kind="metric"),
    CheckDef(check_id="P-6", suite="prose", severity="soft", kind="identity", description="正文所述行政诉讼数 = 表四 直接起诉总计 + 复议后起诉总计",
             formula="prose.litigation_cases = lit_direct_total + lit_after_review_total", basis="text ↔ table, spec §8", template_versions=_BOTH,
             subject_kind="metric"),
    # 模板
    CheckDef(check_id="TPL-1", suite="template", severity="soft", kind="template", description="报告所用模板与年度应用模板一致（2019–2020 用 2019 格式，2021 起用 2021 格式）",
             formula="template_version = expected_template(report_year)", basis="spec §1, §10 step 5 (a mismatch is a warning)",
             template_versions=("pre2019",) + _BOTH + ("hybrid", "unknown"), subject_kind="report"),
    CheckDef(check_id="TPL-2", suite="template", severity="soft", kind="template", description="模板规定的每个表格单元格都在报告中出现",
             formula="∀ template cells of the report's layout: present", basis="spec §3–§5 cell lists", template_versions=_BOTH + ("hybrid",),
             subject_kind="table"),
)
CHECKS_BY_ID: dict[str, CheckDef] = {c.check_id: c for c in CHECKS}
# The identities the parser may use to split a glued digit run (parsing/glued.py): hard equalities
# between cells of one table of one report. Their rules below are the formulas it evaluates.
SPLIT_CHECK_IDS = ("T3-1", "T3-2a", "T3-2b", "T3-3", "T4-1", "T4-2", "T4-3")
SUITE_CHECKS: dict[str, tuple[CheckDef, ...]] = {s: tuple(c for c in CHECKS if c.suite == s) for s in SUITES}

# Non-negativity checks: check_id -> (table, value types that must be non-negative).
NONNEG: dict[str, tuple[str, tuple[str, ...]]] = {
    "T3-5": ("t3", ("count",)),
    "T4-4": ("t4", ("count",)),
    "T2-1": ("t2", ("count", "money")),
}


def nonneg_metrics() -> list[tuple[str, str, str, bool]]:
    """(check_id, metric_code, label, must_be_integer) for every cell a non-negativity check covers."""
    out = []
    for check_id, (table, types) in NONNEG.items():
        for m in METRICS:
            if m.table_code == table and m.value_type in types:
                out.append((check_id, m.metric_code, metric_label(m.metric_code), m.value_type == "count"))
    return out


def expected_cells() -> list[tuple[str, str, str, str]]:
    """(table_code, version, metric_code, label) of every template cell (TPL-2, layout detection)."""
    return [(t, v, code, metric_label(code)) for t in ("t2", "t3", "t4") for v in VERSIONS_TABLES
            for code in expected_codes(t, v)]


# ---------------------------------------------------------------------------------------------
# Rules of the identity checks
# ---------------------------------------------------------------------------------------------
def _outcome_rows(version: str) -> tuple[str, ...]:
    rows = [r.code for r in T3_ROWS[version]]
    return tuple(rows[rows.index("granted"): rows.index("total_processed")])


def _t3_rules() -> list[Rule]:
    rules = []
    for c in T3_COLUMNS:
        rules.append(Rule("T3-1", c.code, c.label, "t3", None,
                          (_t3("new_received", c.code), _t3("carried_over", c.code)),
                          (_t3("total_processed", c.code), _t3("carried_forward", c.code))))
        for check_id, version in (("T3-2a", "v2019"), ("T3-2b", "v2021")):
            rules.append(Rule(check_id, c.code, c.label, "t3", version,
                              (_t3("total_processed", c.code, is_total=True),),
                              tuple(_t3(r, c.code) for r in _outcome_rows(version))))
        rules.append(Rule("T3-6", c.code, c.label, "t3", None, (_t3("carried_forward", c.code),),
                          (_t3("new_received", c.code), _t3("carried_over", c.code))))
    for r in T3_ALL_ROWS:
        versions = T3_ROW_VERSIONS[r.code]
        rules.append(Rule("T3-3", r.code, f"{T3_ROW_SHORT[r.code]} {T3_ROW_LABEL[r.code].lstrip('（）一二三四五六七八九、.0123456789').split('（')[0]}",
                          "t3", versions[0] if len(versions) == 1 else None,
                          (Term(f"t3.{r.code}.total", "总计", is_total=True),),
                          tuple(Term(f"t3.{r.code}.{c.code}", c.label) for c in T3_COLUMNS if c.code != "total")))
    return rules


def _t4_rules() -> list[Rule]:
    rules = []
    for check_id, group, label in (("T4-1", "review", "行政复议"), ("T4-2", "lit_direct", "未经复议直接起诉"),
                                   ("T4-3", "lit_after_review", "复议后起诉")):
        parts = ("upheld", "corrected", "other", "pending")
        rules.append(Rule(check_id, group, label, "t4", None,
                          (Term(f"t4.{group}_total", T4_LABEL[f"{group}_total"], is_total=True),),
                          tuple(Term(f"t4.{group}_{p}", T4_LABEL[f"{group}_{p}"]) for p in parts)))
    return rules


def _t2_term(block: str, row: str, col: str, **kw) -> Term:
    return Term(f"t2.{block}.{row}.{col}", T2_COL_LABEL[col], **kw)


def _t2_rules() -> list[Rule]:
    rules = []
    for b in T2_BLOCKS["v2019"]:
        cols = {c.code for c in b.columns}
        for r in b.rows:
            if {"prev_year_items", "items_delta"} <= cols:
                rules.append(Rule("T2-2", r.code, r.label, "t2", "v2019",
                                  (_t2_term(b.code, r.code, "prev_year_items"), _t2_term(b.code, r.code, "items_delta"))))
            if {"newly_published", "total_published"} <= cols:
                rules.append(Rule("T2-3", r.code, r.label, "t2", "v2019", (_t2_term(b.code, r.code, "newly_published"),),
                                  (_t2_term(b.code, r.code, "total_published"),)))
    for b in T2_BLOCKS["v2021"]:
        for r in b.rows:
            if any(c.code == "fee_amount" for c in b.columns):
                rules.append(Rule("T2-5", r.code, r.label, "t2", "v2021", (_t2_term(b.code, r.code, "fee_amount"),),
                                  rhs_const=FEE_PLAUSIBLE_MAX_WAN))
    return rules


def _cross_year_rules() -> list[Rule]:
    rules = []
    for c in T3_COLUMNS:
        check_id = "X-1" if c.code == "total" else "X-1c"
        rules.append(Rule(check_id, c.code, c.label, "t3", None,
                          (Term(f"t3.carried_over.{c.code}", "本年 二"),),
                          (Term(f"t3.carried_forward.{c.code}", "上年 四", source="prev"),), needs_prev=True))
    for b in T2_BLOCKS["v2019"]:
        cols = {c.code for c in b.columns}
        for r in b.rows:
            if {"prev_year_items", "items_delta"} <= cols:
                rules.append(Rule("X-2", r.code, r.label, "t2", "v2019",
                                  (Term(f"t2.{b.code}.{r.code}.prev_year_items", "本年 上一年项目数量"),),
                                  (Term(f"t2.{b.code}.{r.code}.prev_year_items", "上年 上一年项目数量", source="prev"),
                                   Term(f"t2.{b.code}.{r.code}.items_delta", "上年 本年增/减", source="prev")),
                                  prev_layout_version="v2019", needs_prev=True))
            if "total_published" in cols:
                rules.append(Rule("X-3", r.code, r.label, "t2", "v2019",
                                  (Term(f"t2.{b.code}.{r.code}.total_published", "本年 对外公开总数量"),),
                                  (Term(f"t2.{b.code}.{r.code}.total_published", "上年 对外公开总数量", source="prev"),),
                                  prev_layout_version="v2019", needs_prev=True))
    for b in T2_BLOCKS["v2021"]:
        cols = {c.code for c in b.columns}
        if {"issued", "repealed", "in_force"} <= cols:
            for r in b.rows:
                code = f"t2.{b.code}.{r.code}"
                rules.append(Rule("X-4", r.code, r.label, "t2", "v2021", (Term(f"{code}.in_force", "本年 现行有效"),),
                                  (Term(f"{code}.in_force", "上年 现行有效", source="prev"),
                                   Term(f"{code}.issued", "本年 制发"), Term(f"{code}.repealed", "本年 废止", sign=-1)),
                                  prev_layout_version="v2021", needs_prev=True))
                rules.append(Rule("T2-4", r.code, r.label, "t2", "v2021", (Term(f"{code}.repealed", "本年 废止"),),
                                  (Term(f"{code}.in_force", "上年 现行有效", source="prev"), Term(f"{code}.issued", "本年 制发")),
                                  prev_layout_version="v2021", needs_prev=True))
    return rules


def _prose_rules() -> list[Rule]:
    """P-1…P-6: a prose figure equals the table cells it restates (templates.PROSE_TABLE_PAIRS)."""
    return [Rule(check_id, metric, PROSE_LABEL[metric], table, None, (Term(f"prose.{metric}", PROSE_LABEL[metric]),),
                 tuple(Term(code, label) for code, label in terms), trigger_metric=f"prose.{metric}")
            for check_id, metric, table, terms in PROSE_TABLE_PAIRS]


RULES: tuple[Rule, ...] = tuple(_t3_rules() + _t4_rules() + _t2_rules() + _cross_year_rules() + _prose_rules())


def _validate() -> None:
    known = {m.metric_code for m in METRICS}
    for rule in RULES:
        assert rule.check_id in CHECKS_BY_ID and CHECKS_BY_ID[rule.check_id].kind == "identity", rule.check_id
        for t in rule.lhs + rule.rhs:
            assert t.metric_code in known, t.metric_code
    ids = [c.check_id for c in CHECKS]
    assert len(ids) == len(set(ids))
    identity_ids = {c.check_id for c in CHECKS if c.kind == "identity"}
    assert identity_ids == {r.check_id for r in RULES}, identity_ids ^ {r.check_id for r in RULES}
    assert set(NONNEG) == {c.check_id for c in CHECKS if c.kind == "nonneg"}
    for check_id in SPLIT_CHECK_IDS:
        check = CHECKS_BY_ID[check_id]
        assert check.kind == "identity" and check.severity == "hard" and check.op == "eq", check_id


_validate()


def _side_label(terms: tuple[Term, ...], const: Decimal) -> str:
    """A side of a rule in labels only, e.g. "一 + 二" or "（一） + … + （六）" (details of passing rows)."""
    if not terms:
        return format(const.normalize(), "f")
    parts = [("− " if t.sign < 0 else "+ ") + t.label for t in terms]
    if len(parts) > 4:
        parts = [parts[0], "+ …", parts[-1]]
    text = " ".join(parts)
    text = text[2:] if text.startswith("+ ") else text
    return text + (f" + {format(const.normalize(), 'f')}" if const else "")


def rule_rows() -> list[dict]:
    """The rules as rows (one per rule) for the identity SQL."""
    return [{
        "lhs_label": _side_label(r.lhs, r.lhs_const), "rhs_label": _side_label(r.rhs, r.rhs_const),
        "check_id": r.check_id, "subject": r.subject, "subject_label": r.subject_label, "op": CHECKS_BY_ID[r.check_id].op,
        "tolerance": CHECKS_BY_ID[r.check_id].tolerance, "layout_table": r.layout_table, "layout_version": r.layout_version,
        "needs_prev": r.needs_prev, "prev_layout_version": r.prev_layout_version, "trigger_metric": r.trigger_metric,
        "lhs_const": r.lhs_const, "rhs_const": r.rhs_const, "lhs_terms": len(r.lhs), "rhs_terms": len(r.rhs),
    } for r in RULES]


def term_rows() -> list[dict]:
    """The terms as rows (one per term of a rule) for the identity SQL."""
    out = []
    for r in RULES:
        for side, terms in (("lhs", r.lhs), ("rhs", r.rhs)):
            for i, t in enumerate(terms):
                out.append({"check_id": r.check_id, "subject": r.subject, "side": side, "ord": i,
                            "metric_code": t.metric_code, "label": t.label, "sign": t.sign, "source": t.source,
                            "is_total": t.is_total})
    return out


def catalogue_rows() -> list[dict]:
    """checks.catalogue: one row per check (dim_check's source)."""
    required: dict[str, set[str]] = {}
    for r in RULES:
        required.setdefault(r.check_id, set()).update(t.metric_code for t in r.lhs + r.rhs)
    for check_id, metric, _, _ in nonneg_metrics():
        required.setdefault(check_id, set()).add(metric)
    return [{
        "check_id": c.check_id, "suite": c.suite, "severity": c.severity, "kind": c.kind, "description": c.description,
        "formula": c.formula, "basis": c.basis, "template_versions": list(c.template_versions), "op": c.op,
        "tolerance": c.tolerance, "subject_kind": c.subject_kind,
        "rule_count": sum(1 for r in RULES if r.check_id == c.check_id),
        "required_metrics": sorted(required.get(c.check_id, ())),
    } for c in CHECKS]


def suite_json(suite: str) -> dict:
    """The GX suite of one table family, as the plain JSON stored in expectations/<suite>.json.

    One expectation per check: the identity rows of that check (row_condition on check_id) must have
    `diff` = lhs − rhs within the check's tolerance (both sides for =, one side for ≤ / ≥)."""
    expectations = []
    for c in SUITE_CHECKS[suite]:
        tol = float(c.tolerance) if c.tolerance else 0
        lo, hi = {"eq": (-tol if tol else 0, tol), "le": (None, tol), "ge": (-tol if tol else 0, None)}[c.op]
        kwargs = {"column": "diff", "row_condition": f'check_id=="{c.check_id}"', "condition_parser": "pandas"}
        if lo is not None:
            kwargs["min_value"] = lo
        if hi is not None:
            kwargs["max_value"] = hi
        expectations.append({
            "type": "expect_column_values_to_be_between",
            "kwargs": kwargs,
            "meta": {"check_id": c.check_id, "severity": c.severity, "description": c.description, "formula": c.formula},
        })
    return {"name": f"ogi_{suite}", "expectations": expectations,
            "meta": {"suite": suite, "about": "Generated from dagster_project/checks/catalogue.py (suite_json); "
                     "rows are the identity table of dagster_project/checks/identities.py."}}
