"""The metric catalogue: every value a report can carry, as data (docs/spec/templates.md §3–§5, §12).

This module is the ONE source of truth for metric codes. The table parser (tables.py) reads the
layouts below to map rows and columns to codes; the warehouse's dim_metric and the arithmetic checks
read `METRICS`. Codes are stable names: renaming one is a schema migration, not a refactor.

Layouts are ordered tuples because position decides when labels are damaged (D4/D5 in docs/spec/templates.md): the n-th
value of a row belongs to the n-th column, and an unrecognisable row label falls back to the next
expected row.
"""

from __future__ import annotations

from dataclasses import dataclass


# ---------------------------------------------------------------------------------------------
# Template versions and the years they are prescribed for: read by the parser (report.py,
# tables.py), the checks (TPL-1, layouts) and dbt (parsed.template_versions / template_years,
# written from here by parsed_store.write_catalogue).
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateVersion:
    version: str
    has_tables: bool  # True: tables 二/三/四 with the cells below; pre-2019 reports are prose
    first_year: int | None  # the first report year it is prescribed for (None: not prescribed)
    last_year: int | None  # the last one (None: still current, or not prescribed)
    description: str


FIRST_REPORT_YEAR = 2008  # the Regulations took effect on 2008-05-01: the first annual reports cover 2008
TEMPLATE_VERSIONS: tuple[TemplateVersion, ...] = (
    TemplateVersion("pre2019", False, FIRST_REPORT_YEAR, 2018, "before the 2019 revision: prose, no standard tables"),
    TemplateVersion("v2019", True, 2019, 2020, "the 2019 template (tables 二/三/四), report years 2019–2020"),
    TemplateVersion("v2021", True, 2021, None, "the 2021 template, report years from 2021"),
    TemplateVersion("hybrid", True, None, None, "markers of both table templates (e.g. a v2021 table 二 with the 2019 （六）其他处理 row)"),
    TemplateVersion("unknown", False, None, None, "a report of 2019 or later without recognisable tables"),
)
ALL_VERSIONS: tuple[str, ...] = tuple(t.version for t in TEMPLATE_VERSIONS)
VERSIONS_TABLES: tuple[str, ...] = tuple(t.version for t in TEMPLATE_VERSIONS if t.has_tables and t.first_year)  # v2019, v2021


def expected_template(report_year: int) -> str:
    """The template prescribed for a report year (years before 2008 count as pre-2019)."""
    for t in TEMPLATE_VERSIONS:
        if t.last_year is not None and report_year <= t.last_year and t.first_year is not None:
            return t.version
    return next(t.version for t in TEMPLATE_VERSIONS if t.first_year is not None and t.last_year is None)


# The tables of the 2019/2021 templates: code, the Chinese name the check details print, the English
# name the parser's messages print, and the report section each belongs to (sections.py codes).
@dataclass(frozen=True)
class TableDef:
    code: str
    label_zh: str
    name: str
    section_code: str


TABLES: dict[str, TableDef] = {t.code: t for t in (
    TableDef("t2", "表二", "table 二", "s2_proactive"),
    TableDef("t3", "表三", "table 三", "s3_requests"),
    TableDef("t4", "表四", "table 四", "s4_review_litigation"),
)}

# Label words only one table template prints (version markers): the parser votes with them where a
# report does not say its version (tables.py, glued.py).
V2021_MARKERS = ("本年制发件数", "本年废止件数", "废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额", "逾期不补正", "逾期未按收费通知")
V2019_MARKERS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增减", "采购总金额", "采购项目数量", "第二十条第九项")
V2019_TRUNCATED_MARKER = "本年新"  # a v2019 header cut after 本年新 (seen in real reports, D4 in docs/spec/templates.md)


def marker_vote(text_or_markers) -> str | None:
    """'v2021' or 'v2019' when the markers found (a set, or a text to search) name one version only;
    'both' when they name both; None when none is found."""
    if isinstance(text_or_markers, str):
        v21 = any(m in text_or_markers for m in V2021_MARKERS)
        v19 = any(m in text_or_markers for m in V2019_MARKERS)
    else:
        v21 = any(m in text_or_markers for m in V2021_MARKERS)
        v19 = any(m in text_or_markers for m in V2019_MARKERS) or V2019_TRUNCATED_MARKER in text_or_markers
    if v21 and v19:
        return "both"
    return "v2021" if v21 else "v2019" if v19 else None


@dataclass(frozen=True)
class MetricDef:
    metric_code: str
    table_code: str  # 't2' | 't3' | 't4' | 'prose'
    block_code: str | None  # t2 block such as 'art20_1'; None elsewhere
    row_code: str | None
    column_code: str | None
    label_zh: str  # official label path joined with ' / '
    unit: str | None  # 件 / 项 / 万元; None when the template prints no unit (采购总金额)
    value_type: str  # 'count' | 'signed_count' | 'money'
    template_versions: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    code: str
    label: str  # exact official label (full-width brackets as printed)
    unit: str | None
    value_type: str
    aliases: tuple[str, ...] = ()  # extra spellings seen in real reports (matched after normalisation)


@dataclass(frozen=True)
class Row:
    code: str
    label: str  # exact official label
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """One 第二十条第（N）项 block of table 二."""

    code: str
    header: str  # exact block header
    numeral: str  # the N in 第二十条第（N）项
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]


# ---------------------------------------------------------------------------------------------
# Table 二 (docs/spec/templates.md §3)
# ---------------------------------------------------------------------------------------------
_ITEMS = Column("prev_year_items", "上一年项目数量", "项", "count")
_DELTA = Column("items_delta", "本年增/减", "项", "signed_count")
_DECISIONS_2019 = Column("decisions", "处理决定数量", "件", "count")
_DECISIONS_2021 = Column("decisions", "本年处理决定数量", "件", "count")

_R_REGULATIONS = Row("regulations", "规章")
_R_LICENSE = Row("admin_license", "行政许可")
_R_PENALTY = Row("admin_penalty", "行政处罚")
_R_COERCION = Row("admin_coercion", "行政强制")
_R_FEES = Row("admin_fees", "行政事业性收费")

T2_BLOCKS: dict[str, tuple[Block, ...]] = {
    "v2019": (
        Block(
            "art20_1", "第二十条第（一）项", "一",
            (_R_REGULATIONS, Row("normative_docs", "规范性文件", ("行政规范性文件", "规范性档案"))),
            (
                Column("newly_made", "本年新制作数量", "件", "count"),
                Column("newly_published", "本年新公开数量", "件", "count"),
                Column("total_published", "对外公开总数量", "件", "count"),
            ),
        ),
        Block(
            "art20_5", "第二十条第（五）项", "五",
            (_R_LICENSE, Row("other_admin_services", "其他对外管理服务事项")),
            (_ITEMS, _DELTA, _DECISIONS_2019),
        ),
        Block("art20_6", "第二十条第（六）项", "六", (_R_PENALTY, _R_COERCION), (_ITEMS, _DELTA, _DECISIONS_2019)),
        Block("art20_8", "第二十条第（八）项", "八", (_R_FEES,), (_ITEMS, _DELTA)),
        Block(
            "art20_9", "第二十条第（九）项", "九",
            (Row("centralized_procurement", "政府集中采购"),),
            (
                Column("procurement_projects", "采购项目数量", "项", "count"),
                # The template prints no unit: the unit comes from the cell text (万元 / 元).
                Column("procurement_amount", "采购总金额", None, "money"),
            ),
        ),
    ),
    "v2021": (
        Block(
            "art20_1", "第二十条第（一）项", "一",
            (_R_REGULATIONS, Row("normative_docs", "行政规范性文件", ("规范性文件", "行政规范性档案", "规范性档案"))),
            (
                Column("issued", "本年制发件数", "件", "count"),
                Column("repealed", "本年废止件数", "件", "count"),
                Column("in_force", "现行有效件数", "件", "count"),
            ),
        ),
        Block("art20_5", "第二十条第（五）项", "五", (_R_LICENSE,), (_DECISIONS_2021,)),
        Block("art20_6", "第二十条第（六）项", "六", (_R_PENALTY, _R_COERCION), (_DECISIONS_2021,)),
        Block(
            "art20_8", "第二十条第（八）项", "八", (_R_FEES,),
            (Column("fee_amount", "本年收费金额（单位：万元）", "万元", "money"),),
        ),
    ),
}

# ---------------------------------------------------------------------------------------------
# Table 三 (docs/spec/templates.md §4)
# ---------------------------------------------------------------------------------------------
T3_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人", "件", "count"),
    Column("commercial_enterprise", "商业企业", "件", "count"),
    Column("research_institution", "科研机构", "件", "count"),
    Column("social_welfare_org", "社会公益组织", "件", "count"),
    Column("legal_service_org", "法律服务机构", "件", "count"),
    Column("other_org", "其他", "件", "count"),
    Column("total", "总计", "件", "count"),
)
# Group cells of table 三 (no values of their own); used for label paths and version detection.
T3_GROUP_RESULTS = "三、本年度办理结果"
T3_GROUPS: dict[str, str] = {
    "denied": "（三）不予公开",
    "unavailable": "（四）无法提供",
    "not_processed": "（五）不予处理",
    "other": "（六）其他处理",
}

# (row, label path above the row label) in template order.
_T3_HEAD: tuple[tuple[Row, tuple[str, ...]], ...] = (
    (Row("new_received", "一、本年新收政府信息公开申请数量"), ()),
    (Row("carried_over", "二、上年结转政府信息公开申请数量"), ()),
    (Row("granted", "（一）予以公开"), (T3_GROUP_RESULTS,)),
    (Row("partially_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", ("部分公开",)), (T3_GROUP_RESULTS,)),
    (Row("denied_state_secret", "1.属于国家秘密"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_security_stability", "3.危及“三安全一稳定”"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_third_party_rights", "4.保护第三方合法权益"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_internal_affairs", "5.属于三类内部事务信息"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_process_info", "6.属于四类过程性信息"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_enforcement_file", "7.属于行政执法案卷"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("denied_admin_query", "8.属于行政查询事项"), (T3_GROUP_RESULTS, T3_GROUPS["denied"])),
    (Row("unavailable_not_held", "1.本机关不掌握相关政府信息"), (T3_GROUP_RESULTS, T3_GROUPS["unavailable"])),
    (Row("unavailable_needs_creation", "2.没有现成信息需要另行制作"), (T3_GROUP_RESULTS, T3_GROUPS["unavailable"])),
    (Row("unavailable_unclear_after_correction", "3.补正后申请内容仍不明确"), (T3_GROUP_RESULTS, T3_GROUPS["unavailable"])),
    (Row("not_processed_petition", "1.信访举报投诉类申请"), (T3_GROUP_RESULTS, T3_GROUPS["not_processed"])),
    (Row("not_processed_duplicate", "2.重复申请"), (T3_GROUP_RESULTS, T3_GROUPS["not_processed"])),
    (Row("not_processed_publication", "3.要求提供公开出版物"), (T3_GROUP_RESULTS, T3_GROUPS["not_processed"])),
    (Row("not_processed_excessive", "4.无正当理由大量反复申请"), (T3_GROUP_RESULTS, T3_GROUPS["not_processed"])),
    (Row("not_processed_confirmation", "5.要求行政机关确认或重新出具已获取信息"), (T3_GROUP_RESULTS, T3_GROUPS["not_processed"])),
)
_T3_OTHER_2019 = ((Row("other_processing", "（六）其他处理"), (T3_GROUP_RESULTS,)),)
_T3_OTHER_2021 = (
    (Row("other_overdue_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ("逾期不补正",)),
     (T3_GROUP_RESULTS, T3_GROUPS["other"])),
    (Row("other_unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ("收费通知", "缴纳费用")),
     (T3_GROUP_RESULTS, T3_GROUPS["other"])),
    (Row("other_other", "3.其他"), (T3_GROUP_RESULTS, T3_GROUPS["other"])),
)
_T3_TAIL = (
    (Row("total_processed", "（七）总计"), (T3_GROUP_RESULTS,)),
    (Row("carried_forward", "四、结转下年度继续办理"), ()),
)
T3_ROWS_WITH_PATH: dict[str, tuple[tuple[Row, tuple[str, ...]], ...]] = {
    "v2019": _T3_HEAD + _T3_OTHER_2019 + _T3_TAIL,
    "v2021": _T3_HEAD + _T3_OTHER_2021 + _T3_TAIL,
}
T3_ROWS: dict[str, tuple[Row, ...]] = {v: tuple(r for r, _ in rows) for v, rows in T3_ROWS_WITH_PATH.items()}
# Every distinct data row of both versions, in reading order (the single v2019 （六） row comes
# before the v2021 sub-rows). The matcher accepts any of them, so a hybrid report keeps what it printed.
T3_ALL_ROWS: tuple[Row, ...] = tuple(r for r, _ in _T3_HEAD + _T3_OTHER_2019 + _T3_OTHER_2021 + _T3_TAIL)
T3_ROW_VERSIONS: dict[str, tuple[str, ...]] = {
    r.code: tuple(v for v in VERSIONS_TABLES if r in T3_ROWS[v]) for r in T3_ALL_ROWS
}

# ---------------------------------------------------------------------------------------------
# Table 四 (docs/spec/templates.md §5): 15 positional columns of one data row.
# ---------------------------------------------------------------------------------------------
_T4_PARTS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计"))
_T4_GROUPS = (("review", "行政复议"), ("lit_direct", "行政诉讼 / 未经复议直接起诉"), ("lit_after_review", "行政诉讼 / 复议后起诉"))
T4_COLUMNS: tuple[Column, ...] = tuple(
    Column(f"{g}_{p}", f"{glabel} / {plabel}", "件", "count") for g, glabel in _T4_GROUPS for p, plabel in _T4_PARTS
)
T4_TITLE = "四、政府信息公开行政复议、行政诉讼情况"

# ---------------------------------------------------------------------------------------------
# Prose metrics (extracted by prose.py, defined here so dim_metric is complete)
# ---------------------------------------------------------------------------------------------
_PROSE: tuple[tuple[str, str, str | None, str], ...] = (
    ("proactive_items_year", "本年度主动公开政府信息条数", "条", "count"),
    ("proactive_items_cumulative", "累计主动公开政府信息条数", "条", "count"),
    ("requests_received", "本年收到（受理）政府信息公开申请数", "件", "count"),
    ("requests_carried_over", "上年结转政府信息公开申请数", "件", "count"),
    ("requests_processed", "本年办结（答复）政府信息公开申请数", "件", "count"),
    ("requests_carried_forward", "结转下年度继续办理的申请数", "件", "count"),
    ("fees_collected", "依申请公开收取的费用（信息处理费）", "元", "money"),
    ("review_cases", "因政府信息公开被申请行政复议案件数", "件", "count"),
    ("litigation_cases", "因政府信息公开被提起行政诉讼案件数", "件", "count"),
)

# A prose figure and the table cells it restates (the text ↔ table checks P-1…P-6, and the parser's
# prose_table_mismatch message): check id, prose metric, its table, (cell, short label) pairs.
PROSE_TABLE_PAIRS: tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...] = (
    ("P-1", "requests_received", "t3", (("t3.new_received.total", "表三 一/总计"),)),
    ("P-2", "requests_carried_over", "t3", (("t3.carried_over.total", "表三 二/总计"),)),
    ("P-3", "requests_processed", "t3", (("t3.total_processed.total", "表三 七/总计"),)),
    ("P-4", "requests_carried_forward", "t3", (("t3.carried_forward.total", "表三 四/总计"),)),
    ("P-5", "review_cases", "t4", (("t4.review_total", "表四 复议总计"),)),
    ("P-6", "litigation_cases", "t4", (("t4.lit_direct_total", "表四 直接起诉总计"),
                                       ("t4.lit_after_review_total", "表四 复议后起诉总计"))),
)

T2_TITLE = "二、主动公开政府信息情况"


def _build_metrics() -> tuple[MetricDef, ...]:
    """Flatten the layouts into one MetricDef per code, merging versions that share a code."""
    found: dict[str, MetricDef] = {}

    def add(m: MetricDef) -> None:
        old = found.get(m.metric_code)
        if old is None:
            found[m.metric_code] = m
            return
        versions = tuple(v for v in VERSIONS_TABLES if v in old.template_versions + m.template_versions)
        # Same code in both versions (e.g. admin_license.decisions): keep the v2021 label, the current one.
        newer = m if "v2021" in m.template_versions else old
        found[m.metric_code] = MetricDef(**{**newer.__dict__, "template_versions": versions})

    for version, blocks in T2_BLOCKS.items():
        for b in blocks:
            for r in b.rows:
                for c in b.columns:
                    add(MetricDef(
                        f"t2.{b.code}.{r.code}.{c.code}", "t2", b.code, r.code, c.code,
                        f"{T2_TITLE} / {b.header} / {r.label} / {c.label}", c.unit, c.value_type, (version,),
                    ))
    for version, rows in T3_ROWS_WITH_PATH.items():
        for r, path in rows:
            for c in T3_COLUMNS:
                col_path = (c.label,) if c.code in ("natural_person", "total") else ("法人或其他组织", c.label)
                add(MetricDef(
                    f"t3.{r.code}.{c.code}", "t3", None, r.code, c.code,
                    " / ".join(path + (r.label,) + col_path), c.unit, c.value_type, (version,),
                ))
    for c in T4_COLUMNS:
        add(MetricDef(f"t4.{c.code}", "t4", None, None, c.code, f"{T4_TITLE} / {c.label}", c.unit, c.value_type, VERSIONS_TABLES))
    for code, label, unit, vtype in _PROSE:
        add(MetricDef(f"prose.{code}", "prose", None, None, None, label, unit, vtype, ALL_VERSIONS))
    return tuple(found.values())


METRICS: tuple[MetricDef, ...] = _build_metrics()


def expected_codes(table_code: str, version: str) -> tuple[str, ...]:
    """Metric codes a complete table of `version` has, in template (reading) order."""
    if table_code == "t2":
        return tuple(f"t2.{b.code}.{r.code}.{c.code}" for b in T2_BLOCKS[version] for r in b.rows for c in b.columns)
    if table_code == "t3":
        return tuple(f"t3.{r.code}.{c.code}" for r in T3_ROWS[version] for c in T3_COLUMNS)
    if table_code == "t4":
        return tuple(f"t4.{c.code}" for c in T4_COLUMNS)
    raise ValueError(f"no table layout for {table_code!r}")
