"""The identity table: every check × subject × report of the whole corpus, in one set-based SQL pass.

Input: the marts (`marts.fct_report_metric`, `marts.dim_report`, `marts.dim_agency`). Output: the temp
table `chk_identity`, one row per (report, check, subject) with lhs, rhs, diff = lhs − rhs, the
tolerance, whether the rule could be evaluated, and a readable detail such as
"自然人: 一 6 + 二 0 ≠ 七 5 + 四 0". Great Expectations then validates `diff` per suite (gx_runner.py).

How (no per-report Python): the rules and terms of catalogue.py are loaded as small temp tables; a
report's layout per table (v2019 / v2021) and its previous-year report (same agency_id, year − 1) are
derived in SQL; the applicable rules × terms are joined to the facts once and aggregated. SQL text is
constant: the only values are our own catalogue rows, loaded through Arrow, never formatted in.

In buckets of agencies: the reports to evaluate are split by agency (an agency's reports, and so
each report's previous-year neighbour, fall in one bucket) into buckets of about BUCKET_REPORTS
reports, and the pass runs bucket by bucket on a temp copy of the bucket's facts (`chk_facts`).
Why: in one piece, the join of every rule term to 17.5 M facts (100,000 reports) held 6–8 GB of
hash tables, and under a DuckDB memory_limit it spilled and took 7× longer; a bucket's joins fit.

Blank-cell policy (docs/spec/templates.md §7.4): a term is `number`, `blank` (counts as 0, "lenient"), or missing
(`absent` = no such cell, `na_marker` / `unparseable`, or an approximate prose figure). A rule with a
missing cell, or with no number at all, is not evaluable → `incomplete` (required_missing names the
cells). An evaluable rule that fails only because blanks were read as 0 is `incomplete` too (strict
reading); when the blank cells are the 总计 side while the parts are filled, `total_omitted` is set.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa

from dagster_project.checks import catalogue as cat
from dagster_project.parsing.templates import expected_template
from dagster_project.sql import ident

DECIMAL = pa.decimal128(38, 6)

# Relations read (identifiers are constants of ours; the benchmark builds the same names).
FACTS = "marts.fct_report_metric"
# How a term's cell counts under the blank-cell policy (docs/spec/templates.md §7.4): a number (approximate prose
# figures excluded), a blank, absent from the report, or present but not a number (marker, junk).
CELL_STATE = """case when f.value_state is null then 'absent'
                when f.value_state in ('number', 'inferred') and not coalesce(f.approximate, false) then 'number'
                when f.value_state = 'blank' then 'blank'
                else 'missing' end"""
REPORTS = "marts.dim_report"
AGENCIES = "marts.dim_agency"

IDENTITY_TABLE = "chk_identity"
# Per bucket (build_identity_table): the bucket's reports, them plus their previous-year neighbours,
# and the facts of those.
BUCKET = "chk_bucket"
BUCKET_FACTS = "chk_facts"
BUCKET_REPORTS = 10_000  # reports per bucket: ≈ 1.8 M facts, a few hundred MB of join state


def _arrow(rows: list[dict], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _load_static(con: duckdb.DuckDBPyConnection) -> None:
    """The catalogue's rules, terms, non-negativity cells and template cells as temp tables."""
    tables = {
        "chk_rules": _arrow(cat.rule_rows(), pa.schema([
            ("check_id", pa.string()), ("subject", pa.string()), ("subject_label", pa.string()), ("op", pa.string()),
            ("tolerance", DECIMAL), ("layout_table", pa.string()), ("layout_version", pa.string()),
            ("needs_prev", pa.bool_()), ("prev_layout_version", pa.string()), ("trigger_metric", pa.string()),
            ("lhs_const", DECIMAL), ("rhs_const", DECIMAL), ("lhs_terms", pa.int32()), ("rhs_terms", pa.int32()),
            ("lhs_label", pa.string()), ("rhs_label", pa.string()),
        ])),
        "chk_terms": _arrow(cat.term_rows(), pa.schema([
            ("check_id", pa.string()), ("subject", pa.string()), ("side", pa.string()), ("ord", pa.int32()),
            ("metric_code", pa.string()), ("label", pa.string()), ("sign", pa.int32()), ("source", pa.string()),
            ("is_total", pa.bool_()),
        ])),
        "chk_nonneg": _arrow(
            [{"check_id": c, "metric_code": m, "label": label, "must_be_integer": integer,
              "table_label": cat.TABLE_LABEL[cat.NONNEG[c][0]], "tolerance": cat.CHECKS_BY_ID[c].tolerance}
             for c, m, label, integer in cat.nonneg_metrics()],
            pa.schema([("check_id", pa.string()), ("metric_code", pa.string()), ("label", pa.string()),
                       ("must_be_integer", pa.bool_()), ("table_label", pa.string()), ("tolerance", DECIMAL)])),
        "chk_expected": _arrow(
            [{"table_code": t, "version": v, "metric_code": m, "label": label} for t, v, m, label in cat.expected_cells()],
            pa.schema([("table_code", pa.string()), ("version", pa.string()), ("metric_code", pa.string()),
                       ("label", pa.string())])),
        "chk_tables": _arrow(
            [{"table_code": code, "table_label": label} for code, label in cat.TABLE_LABEL.items()],
            pa.schema([("table_code", pa.string()), ("table_label", pa.string())])),
        "chk_checks": _arrow(
            [{"check_id": c.check_id, "suite": c.suite, "table_label": None} for c in cat.CHECKS],
            pa.schema([("check_id", pa.string()), ("suite", pa.string()), ("table_label", pa.string())])),
    }
    for name, table in tables.items():
        con.register(f"{name}_arrow", table)
        con.execute(f"create or replace temp table {ident(name)} as select * from {ident(name + '_arrow')}")
        con.unregister(f"{name}_arrow")


# A number as published: integers without decimals, decimals without trailing zeros.
_FMT = """(case when {v} is null then null
           when {v} = trunc({v}) then cast(cast({v} as hugeint) as varchar)
           else regexp_replace(cast({v} as varchar), '0+$', '') end)"""


def _fmt(expr: str) -> str:
    return _FMT.format(v=expr)


SQL_REPORTS = f"""
create or replace temp table chk_reports as
select r.report_id, r.agency_id, r.report_year, r.template_version, r.is_current,
       coalesce(a.agency_name, '?') || ' ' || coalesce(cast(r.report_year as varchar), '?') || ' · '
           || left(r.report_id, 12) as report_label
from {REPORTS} as r
left join {AGENCIES} as a on a.agency_id = r.agency_id
"""

# The layout of each table a report printed: its template version when that is v2019/v2021 and it
# printed cells of that version; otherwise (hybrid, unknown …) the version whose cells it printed most
# (ties → v2021). A report without any cell of a table has no layout for it: the table's checks skip it.
SQL_LAYOUT = f"""
create or replace temp table chk_layout as
with present as (
    select f.report_id, e.table_code, e.version, count(*) as n
    from {BUCKET_FACTS} as f
    join chk_expected as e on e.metric_code = f.metric_code
    group by all
)
select p.report_id, p.table_code,
       coalesce(max(case when p.version = r.template_version then p.version end),
                arg_max(p.version, p.n * 10 + case when p.version = 'v2021' then 1 else 0 end)) as version
from present as p
join chk_breports as r using (report_id)
group by p.report_id, p.table_code
"""

# The same agency's report of the previous year that has the table (the smallest report_id when an
# agency published two different files for one year: deterministic, and flagged by its compared id).
SQL_PREV = """
create or replace temp table chk_prev as
select l.report_id, l.table_code,
       min(pl.report_id) as prev_report_id,
       arg_min(pl.version, pl.report_id) as prev_version
from chk_layout as l
join chk_breports as r using (report_id)
-- the previous year's CURRENT report: never a superseded revision, whichever report is checked
join chk_breports as pr on pr.agency_id = r.agency_id and pr.report_year = r.report_year - 1 and pr.is_current
join chk_layout as pl on pl.report_id = pr.report_id and pl.table_code = l.table_code
group by l.report_id, l.table_code
"""

SQL_APPLICABLE = f"""
create or replace temp table chk_applicable as
select l.report_id, ru.check_id, ru.subject, pv.prev_report_id
from chk_rules as ru
join chk_layout as l
  on l.table_code = ru.layout_table and (ru.layout_version is null or l.version = ru.layout_version)
left join chk_prev as pv on pv.report_id = l.report_id and pv.table_code = ru.layout_table
where l.report_id in (select report_id from chk_bucket)  -- not the neighbours: they are compared with
  and (not ru.needs_prev
       or (pv.prev_report_id is not null
           and (ru.prev_layout_version is null or pv.prev_version = ru.prev_layout_version)))
  and (ru.trigger_metric is null
       or exists (select 1 from {BUCKET_FACTS} as f where f.report_id = l.report_id and f.metric_code = ru.trigger_metric))
"""

# Phase 1, numbers only (the hot path: every term of every applicable rule, joined to its fact once).
SQL_RULE_NUMBERS = f"""
create or replace temp table chk_rule_rows as
with terms as (
    select a.report_id, a.check_id, a.subject, a.prev_report_id, t.side, t.sign, t.is_total, t.metric_code,
           case when t.source = 'prev' then a.prev_report_id else a.report_id end as target_id
    from chk_applicable as a
    join chk_terms as t using (check_id, subject)
),
valued as (
    select t.report_id, t.check_id, t.subject, t.prev_report_id, t.side, t.sign, t.is_total, f.value,
           {CELL_STATE} as state
    from terms as t
    left join {BUCKET_FACTS} as f on f.report_id = t.target_id and f.metric_code = t.metric_code
),
sums as (
    select report_id, check_id, subject, any_value(prev_report_id) as compared_report_id,
           coalesce(sum(sign * coalesce(value, 0)) filter (where side = 'lhs'), 0) as lhs_sum,
           coalesce(sum(sign * coalesce(value, 0)) filter (where side = 'rhs'), 0) as rhs_sum,
           count(*) filter (where state in ('absent', 'missing')) as n_missing,
           count(*) filter (where state = 'blank') as n_blank,
           count(*) filter (where state = 'number') as n_number,
           bool_and(state = 'blank') filter (where is_total) as total_all_blank,
           count(*) filter (where not is_total and state = 'number') as n_parts_number
    from valued
    group by report_id, check_id, subject
)
select x.*, x.lhs_sum + ru.lhs_const as lhs, x.rhs_sum + ru.rhs_const as rhs,
       case ru.op when 'eq' then abs(x.lhs_sum + ru.lhs_const - x.rhs_sum - ru.rhs_const) <= ru.tolerance
                  when 'le' then x.lhs_sum + ru.lhs_const - x.rhs_sum - ru.rhs_const <= ru.tolerance
                  else x.lhs_sum + ru.lhs_const - x.rhs_sum - ru.rhs_const >= -ru.tolerance end as holds
from sums as x
join chk_rules as ru using (check_id, subject)
"""

# Phase 2, the cell-by-cell detail ("自然人: 一 6 + 二 0 ≠ 七 5 + 四 0"), only for the rows a reader
# opens: those that do not hold, or have blank / missing cells. Passing rows get a compact detail
# built from the rule's static labels ("自然人: 一 + 二 = 七 + 四（6 = 6）").
SQL_RULE_DETAILS = f"""
create or replace temp table chk_rule_details as
with wanted as (
    select report_id, check_id, subject, compared_report_id as prev_report_id, n_missing, n_number
    from chk_rule_rows
    where not holds or n_missing > 0 or n_blank > 0
),
terms as (
    select w.report_id, w.check_id, w.subject, t.side, t.ord, t.label, t.sign, t.metric_code,
           case when t.source = 'prev' then w.prev_report_id else w.report_id end as target_id
    from wanted as w
    join chk_terms as t using (check_id, subject)
),
valued as (
    select t.*, f.value, f.raw_text,
           {CELL_STATE} as state
    from terms as t
    left join {BUCKET_FACTS} as f on f.report_id = t.target_id and f.metric_code = t.metric_code
),
shown as (
    select v.*,
           (case when v.sign < 0 then ' − ' else ' + ' end) || v.label || ' ' ||
           (case v.state when 'number' then {_fmt('v.value')}
                         when 'blank' then '空'
                         when 'absent' then '缺'
                         else coalesce(nullif(trim(v.raw_text), ''), '?')
                              || case when v.value is not null then '(约' || {_fmt('v.value')} || ')' else '' end end)
               as piece,
           -- long sides (T3-2: 20+ terms) show only the non-zero / non-numeric terms
           (case when v.side = 'lhs' then ru.lhs_terms else ru.rhs_terms end) <= 4
               or v.state <> 'number' or v.value <> 0 as visible
    from valued as v
    join chk_rules as ru using (check_id, subject)
)
select report_id, check_id, subject,
       string_agg(metric_code, ', ' order by side, ord) filter (where state in ('absent', 'missing')) as required_missing,
       string_agg(label, '、' order by side, ord) filter (where state in ('absent', 'missing')) as missing_labels,
       string_agg(piece, '' order by ord) filter (where side = 'lhs' and visible) as lhs_pieces,
       string_agg(piece, '' order by ord) filter (where side = 'rhs' and visible) as rhs_pieces,
       count(*) filter (where side = 'lhs' and not visible) as lhs_hidden,
       count(*) filter (where side = 'rhs' and not visible) as rhs_hidden
from shown
group by report_id, check_id, subject
"""


def _side_text(pieces: str, hidden: str, terms: str, const: str) -> str:
    return f"""(case when {terms} = 0 then {_fmt(const)}
          else regexp_replace(coalesce({pieces}, ''), '^ \\+ ', '')
               || case when {hidden} > 0 then (case when {pieces} is null then '各项 0' else ' + 其余各项 0' end) else '' end
               || case when {const} <> 0 then ' + ' || {_fmt(const)} else '' end end)"""


# The rows of one bucket; `?`: the row_id of its first row (row_id numbers the rows of the whole pass,
# bucket after bucket, in (report, check, subject) order within a bucket).
SQL_IDENTITY_ROWS = f"""
with rule_rows as (
    select x.*, d.required_missing, d.missing_labels, d.lhs_pieces, d.rhs_pieces, d.lhs_hidden, d.rhs_hidden,
           d.report_id is not null as detailed,
           ru.op, ru.tolerance, ru.subject_label, ru.lhs_terms, ru.rhs_terms, ru.lhs_const, ru.rhs_const,
           ru.lhs_label, ru.rhs_label
    from chk_rule_rows as x
    join chk_rules as ru using (check_id, subject)
    left join chk_rule_details as d using (report_id, check_id, subject)
),
identity_rows as (
    select report_id, check_id, subject, compared_report_id, lhs, rhs, tolerance, op,
           n_missing = 0 and n_number > 0 as evaluable,
           n_blank > 0 as has_blank,
           holds,
           coalesce(total_all_blank, false) and n_parts_number > 0 as total_blank_parts_filled,
           required_missing,
           case when not detailed
                then subject_label || ': ' || lhs_label || ' {{op}} ' || rhs_label || '（' || {_fmt('lhs')} || ' {{op}} ' || {_fmt('rhs')} || '）'
                else subject_label || ': ' || {_side_text('lhs_pieces', 'lhs_hidden', 'lhs_terms', 'lhs_const')}
               || ' {{op}} ' || {_side_text('rhs_pieces', 'rhs_hidden', 'rhs_terms', 'rhs_const')}
               || case when n_missing > 0 then '（缺少: ' || missing_labels || '）'
                       when n_number = 0 then '（全部为空）' else '' end end as detail_template
    from rule_rows
),
nonneg_counts as (
    select f.report_id, n.check_id, count(*) filter (where f.value_state in ('number', 'inferred')) as n_number
    from {BUCKET_FACTS} as f
    join chk_nonneg as n on n.metric_code = f.metric_code
    where f.report_id in (select report_id from chk_bucket)
    group by f.report_id, n.check_id
),
nonneg_bad as (  -- rare: the offending cells, listed only where there are any
    select f.report_id, n.check_id, list(n.label || ' ' || {_fmt('f.value')} order by n.metric_code) as bad
    from {BUCKET_FACTS} as f
    join chk_nonneg as n on n.metric_code = f.metric_code
    where f.report_id in (select report_id from chk_bucket) and f.value_state in ('number', 'inferred') and (f.value < 0 or (n.must_be_integer and f.value <> trunc(f.value)))
    group by f.report_id, n.check_id
),
nonneg_base as (
    select c.report_id, c.check_id, k.subject, k.table_label, k.tolerance, c.n_number, b.bad
    from nonneg_counts as c
    join (select check_id, any_value(split_part(metric_code, '.', 1)) as subject, any_value(table_label) as table_label,
                 any_value(tolerance) as tolerance
          from chk_nonneg group by check_id) as k using (check_id)
    left join nonneg_bad as b using (report_id, check_id)
),
nonneg_rows as (
    select report_id, check_id, subject, cast(null as varchar) as compared_report_id,
           cast(coalesce(len(bad), 0) as decimal(38, 6)) as lhs, cast(0 as decimal(38, 6)) as rhs, tolerance,
           'eq' as op, n_number > 0 as evaluable, false as has_blank, coalesce(len(bad), 0) = 0 as holds,
           false as total_blank_parts_filled, cast(null as varchar) as required_missing,
           table_label || ': ' || case when coalesce(len(bad), 0) = 0
                                       then n_number || ' 个数值单元格均为非负' || case when check_id = 'T2-1' then '' else '整数' end
                                       else len(bad) || ' 个单元格为负数或非整数: '
                                            || list_aggregate(list_slice(bad, 1, 10), 'string_agg', '、')
                                            || case when len(bad) > 10 then ' …' else '' end end as detail_template
    from nonneg_base
),
tpl1_rows as (
    select report_id, 'TPL-1' as check_id, 'template' as subject, cast(null as varchar) as compared_report_id,
           cast(case when template_version = expected then 1 else 0 end as decimal(38, 6)) as lhs,
           cast(1 as decimal(38, 6)) as rhs, cast(0 as decimal(38, 6)) as tolerance, 'eq' as op,
           true as evaluable, false as has_blank, template_version = expected as holds,
           false as total_blank_parts_filled, cast(null as varchar) as required_missing,
           cast(report_year as varchar) || ' 年度报告: 模板 ' || template_version || ' {{op}} 应为 ' || expected
               as detail_template
    from (select r.*, y.expected from chk_breports as r join chk_years as y using (report_year)
          where r.report_id in (select report_id from chk_bucket))
),
tpl2_base as (
    select r.report_id, t.table_code,
           case when r.template_version in ('v2019', 'v2021') then r.template_version else l.version end as version
    from chk_breports as r
    cross join (values ('t2'), ('t3'), ('t4')) as t(table_code)
    left join chk_layout as l on l.report_id = r.report_id and l.table_code = t.table_code
    where r.report_id in (select report_id from chk_bucket)
      and (r.template_version in ('v2019', 'v2021') or (r.template_version = 'hybrid' and l.version is not null))
),
tpl2_counts as (
    select b.report_id, b.table_code, b.version, count(f.metric_code) as present, count(*) as expected
    from tpl2_base as b
    join chk_expected as e on e.table_code = b.table_code and e.version = b.version
    left join {BUCKET_FACTS} as f on f.report_id = b.report_id and f.metric_code = e.metric_code
    group by b.report_id, b.table_code, b.version
),
tpl2_missing as (  -- rare: the missing cells, listed only for incomplete tables
    select c.report_id, c.table_code,
           list(e.label order by e.metric_code) filter (where f.metric_code is null) as missing
    from tpl2_counts as c
    join chk_expected as e on e.table_code = c.table_code and e.version = c.version
    left join {BUCKET_FACTS} as f on f.report_id = c.report_id and f.metric_code = e.metric_code
    where c.present < c.expected
    group by c.report_id, c.table_code
),
tpl2_rows as (
    select c.report_id, 'TPL-2' as check_id, c.table_code as subject, cast(null as varchar) as compared_report_id,
           cast(c.present as decimal(38, 6)) as lhs, cast(c.expected as decimal(38, 6)) as rhs,
           cast(0 as decimal(38, 6)) as tolerance, 'eq' as op, true as evaluable, false as has_blank,
           c.present = c.expected as holds, false as total_blank_parts_filled,
           cast(null as varchar) as required_missing,
           t.table_label || '（' || c.version || '）: '
               || c.present || ' 个单元格 {{op}} 模板 ' || c.expected || ' 个'
               || coalesce('；缺: ' || list_aggregate(list_slice(m.missing, 1, 8), 'string_agg', '、')
                          || case when len(m.missing) > 8 then ' …' else '' end, '')
               as detail_template
    from tpl2_counts as c
    join chk_tables as t using (table_code)
    left join tpl2_missing as m using (report_id, table_code)
),
split_checks as (  -- (report, check) whose identity chose how a glued digit run splits (parsing/glued.py)
    select distinct f.report_id, trim(x.check_id) as check_id
    from {BUCKET_FACTS} as f, unnest(string_split(f.inferred_by, ',')) as x(check_id)
    where f.value_state = 'inferred' and f.inferred_by is not null
),
all_rows as (
    select * from identity_rows
    union all by name
    select * from nonneg_rows
    union all by name
    select * from tpl1_rows
    union all by name
    select * from tpl2_rows
)
select row_number() over (order by a.report_id, a.check_id, a.subject) - 1 + ? as row_id,
       a.report_id, a.check_id, c.suite, a.subject, a.lhs, a.rhs, a.lhs - a.rhs as diff, a.tolerance, a.op,
       a.evaluable, a.has_blank, s.check_id is not null as split_by_check,
       coalesce(a.holds, a.lhs = a.rhs) as holds,
       a.total_blank_parts_filled and not coalesce(a.holds, a.lhs = a.rhs) as total_omitted,
       a.required_missing, a.compared_report_id,
       replace(a.detail_template, '{{op}}',
               case when coalesce(a.holds, a.lhs = a.rhs)
                    then case a.op when 'eq' then '=' when 'le' then '≤' else '≥' end
                    else case a.op when 'eq' then '≠' when 'le' then '>' else '<' end end)
           || case when a.total_blank_parts_filled and not coalesce(a.holds, a.lhs = a.rhs) then '（总计未填）' else '' end
           as detail,
       r.report_label
from all_rows as a
join chk_checks as c using (check_id)
join chk_breports as r using (report_id)
left join split_checks as s using (report_id, check_id)
where a.report_id in (select report_id from chk_bucket)
"""


# A bucket's reports plus the previous-year reports their cross-year rules compare with (those are
# in the same bucket unless the pass is scoped: scope.py), and the facts of all of them.
SQL_BUCKET_REPORTS = """
create or replace temp table chk_breports as
select r.* from chk_reports as r
where r.report_id in (select report_id from chk_bucket)
   or exists (select 1 from chk_reports as s join chk_bucket using (report_id)
              where s.agency_id = r.agency_id and s.report_year - 1 = r.report_year)
"""
SQL_BUCKET_FACTS = f"""
create or replace temp table {BUCKET_FACTS} as
select f.report_id, f.metric_code, f.value, f.value_state, f.approximate, f.raw_text, f.inferred_by
from {FACTS} as f
where f.report_id in (select report_id from chk_breports)
"""
# Buckets of whole agencies (a report without an agency has no neighbour: it goes by its own id).
SQL_BUCKET = """
create or replace temp table chk_bucket as
select s.report_id from chk_scope as s join chk_reports as r using (report_id)
where hash(coalesce(r.agency_id, r.report_id)) % ? = ?
"""
SQL_IDENTITY_FIRST = f"create or replace temp table {IDENTITY_TABLE} as {SQL_IDENTITY_ROWS}"
SQL_IDENTITY_NEXT = f"insert into {IDENTITY_TABLE} {SQL_IDENTITY_ROWS}"


def build_identity_table(con: duckdb.DuckDBPyConnection) -> int:
    """Build `chk_identity` (temp) for the reports of the temp table `chk_scope` (every report, or
    the ones scope.py found affected), bucket by bucket; returns its row count."""
    _load_static(con)
    con.execute(SQL_REPORTS)
    _load_years(con)
    in_scope = con.execute("select count(*) from chk_scope").fetchall()[0][0]
    buckets = max(1, -(-in_scope // BUCKET_REPORTS))
    offset = 0
    for bucket in range(buckets):
        con.execute(SQL_BUCKET, [buckets, bucket])
        con.execute(SQL_BUCKET_REPORTS)
        con.execute(SQL_BUCKET_FACTS)
        for sql in (SQL_LAYOUT, SQL_PREV, SQL_APPLICABLE, SQL_RULE_NUMBERS, SQL_RULE_DETAILS):
            con.execute(sql)
        con.execute(SQL_IDENTITY_FIRST if bucket == 0 else SQL_IDENTITY_NEXT, [offset])
        offset = con.execute(f"select count(*) from {IDENTITY_TABLE}").fetchall()[0][0]
    return offset


def _load_years(con: duckdb.DuckDBPyConnection) -> None:
    """`chk_years`: the template prescribed for each report year present (templates.expected_template,
    the one home of the year rule), for TPL-1."""
    years = [y for (y,) in con.execute("select distinct report_year from chk_reports where report_year is not null").fetchall()]
    table = _arrow([{"report_year": y, "expected": expected_template(y)} for y in years],
                   pa.schema([("report_year", pa.int32()), ("expected", pa.string())]))
    con.register("chk_years_arrow", table)
    con.execute("create or replace temp table chk_years as select * from chk_years_arrow")
    con.unregister("chk_years_arrow")


def drop_temp_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name in ("chk_rules", "chk_terms", "chk_nonneg", "chk_expected", "chk_checks", "chk_tables", "chk_years", "chk_scope",
                 "chk_inputs_now", BUCKET, "chk_breports", BUCKET_FACTS,
                 "chk_reports", "chk_layout",
                 "chk_prev", "chk_applicable", "chk_rule_rows", "chk_rule_details", IDENTITY_TABLE):
        con.execute(f"drop table if exists {ident(name)}")


__all__ = ["build_identity_table", "drop_temp_tables", "IDENTITY_TABLE", "FACTS", "REPORTS", "Decimal"]
