"""Which reports a pass of the checks must evaluate again: the ones whose inputs changed since the last
pass, and the next-year reports of the same agency that compare with them (cross-year rules).

Why: adding 10 reports to a 10,000-report warehouse used to re-evaluate every identity of every
report (≈ 17 s). A report's results depend only on its own row in dim_report (agency, year, template
version, is_current), its agency's name, its facts, and, for the cross-year rules, the current
report of the same agency one year earlier. `checks.report_inputs` keeps a digest of the first three
per report as the last pass saw it; a report is in scope when its digest is new or changed, or when
an (agency, year) one year before it changed, appeared or went (so a neighbour's new, changed or
superseded report reaches it). The catalogue, the code and the suites are covered by the pass's own
fingerprint: when they change, the pass is a full one.
"""

from __future__ import annotations

import duckdb

from dagster_project.checks.identities import AGENCIES, FACTS, REPORTS

DDL = """
create schema if not exists checks;
create table if not exists checks.report_inputs (
    report_id   varchar primary key,
    agency_id   varchar,
    report_year integer,
    digest      ubigint not null
);
"""

# Fixed SQL text over our own relation names.
SQL_INPUTS_NOW = f"""
create or replace temp table chk_inputs_now as
select r.report_id, r.agency_id, r.report_year,
       hash(r.agency_id, r.report_year, r.template_version, r.is_current, a.agency_name, coalesce(f.digest, 0)) as digest
from {REPORTS} as r
left join {AGENCIES} as a on a.agency_id = r.agency_id
left join (select report_id, sum(hash(metric_code, value, value_state, approximate, inferred_by)) as digest
           from {FACTS} group by report_id) as f using (report_id)
"""

SQL_SCOPE = """
create or replace temp table chk_scope as
with changed as (
    select n.report_id, n.agency_id as new_agency, n.report_year as new_year, o.agency_id as old_agency, o.report_year as old_year
    from chk_inputs_now as n
    left join checks.report_inputs as o using (report_id)
    where o.report_id is null or o.digest <> n.digest
),
removed as (
    select o.agency_id, o.report_year from checks.report_inputs as o
    where o.report_id not in (select report_id from chk_inputs_now)
),
touched as (  -- (agency, year) pairs whose reports changed, appeared or went
    select new_agency as agency_id, new_year as report_year from changed
    union select old_agency, old_year from changed where old_agency is not null
    union select agency_id, report_year from removed
)
select report_id from changed
union
select n.report_id from chk_inputs_now as n
join touched as t on t.agency_id = n.agency_id and t.report_year = n.report_year - 1
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def affected_reports(con: duckdb.DuckDBPyConnection) -> None:
    """Fill the temp tables `chk_inputs_now` (every report's inputs now) and `chk_scope` (the reports
    to evaluate again)."""
    ensure_schema(con)
    con.execute(SQL_INPUTS_NOW)
    con.execute(SQL_SCOPE)


def full_scope(con: duckdb.DuckDBPyConnection) -> None:
    """A full pass: every report is in scope (the inputs are still recorded for the next pass)."""
    ensure_schema(con)
    con.execute(SQL_INPUTS_NOW)
    con.execute("create or replace temp table chk_scope as select report_id from chk_inputs_now")


def has_inputs(con: duckdb.DuckDBPyConnection) -> bool:
    ensure_schema(con)
    return con.execute("select count(*) from checks.report_inputs").fetchall()[0][0] > 0


def record_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """Inside the results' transaction: what this pass saw, for the next one."""
    con.execute("delete from checks.report_inputs")
    con.execute("insert into checks.report_inputs select report_id, agency_id, report_year, digest from chk_inputs_now")


def forget_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """After a pass whose results cannot be trusted: the next pass evaluates every report."""
    con.execute("delete from checks.report_inputs")
