"""The `checks` schema: results of the last pass over the corpus, and the catalogue of checks.

One transaction per pass: the rows of the reports the pass evaluated are replaced (every report, or
the scope of scope.py), so a pass never leaves a mix. Rows carry no timestamp, so a re-run writes
identical rows; and when the inputs are unchanged (`checks.runs` holds their fingerprint) the pass
is skipped and nothing is written at all.

Status (docs/spec/templates.md §7.4): not evaluable (a required cell absent / not a number, or no number at all) →
`incomplete`; GX found the diff out of tolerance → `fail`, or `incomplete` when blank cells (read as
0) were involved (`total_omitted` when the blank cells are the 总计 ones); otherwise `pass`, or
`inferred` when the check's identity was used by the parser to choose how one of the report's glued
digit runs splits into cells (parsing/glued.py: the cells' `inferred_by`), so holding proves nothing.
"""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa

from dagster_project import schema
from dagster_project.checks import catalogue as cat
from dagster_project.checks import scope
from dagster_project.checks.gx_runner import UNEXPECTED_TABLE
from dagster_project.checks.identities import DECIMAL, IDENTITY_TABLE
from dagster_project.transactions import transaction

DDL = """
create schema if not exists checks;
create table if not exists checks.results (
    report_id          varchar not null,
    check_id           varchar not null,
    subject            varchar not null,
    status             varchar not null,
    lhs                decimal(38, 6),
    rhs                decimal(38, 6),
    diff               decimal(38, 6),
    tolerance          decimal(38, 6),
    op                 varchar not null,
    total_omitted      boolean not null,
    required_missing   varchar,
    compared_report_id varchar,
    detail             varchar not null
);
create table if not exists checks.catalogue (
    check_id          varchar primary key,
    suite             varchar not null,
    severity          varchar not null,
    kind              varchar not null,
    description       varchar not null,
    formula           varchar not null,
    basis             varchar not null,
    template_versions varchar[] not null,
    op                varchar not null,
    tolerance         decimal(38, 6) not null,
    subject_kind      varchar not null,
    rule_count        integer not null,
    required_metrics  varchar[] not null
);
-- One row per pass over the corpus that wrote results: what its inputs were (a fingerprint) and
-- what the integrity check saw, so an unchanged corpus can reuse the results instead of a new pass.
create table if not exists checks.runs (
    input_fingerprint varchar not null,
    finished_at       timestamptz not null,
    integrity         varchar not null  -- JSON: suites validated, GX errors, GX/SQL disagreements
);
"""

CATALOGUE_SCHEMA = pa.schema([
    ("check_id", pa.string()), ("suite", pa.string()), ("severity", pa.string()), ("kind", pa.string()),
    ("description", pa.string()), ("formula", pa.string()), ("basis", pa.string()),
    ("template_versions", pa.list_(pa.string())), ("op", pa.string()), ("tolerance", DECIMAL),
    ("subject_kind", pa.string()), ("rule_count", pa.int32()), ("required_metrics", pa.list_(pa.string())),
])

SQL_WRITE_RESULTS = f"""
insert into checks.results
select i.report_id, i.check_id, i.subject,
       case when not i.evaluable then 'incomplete'
            when u.row_id is not null then case when i.has_blank then 'incomplete' else 'fail' end
            when i.split_by_check then 'inferred'
            else 'pass' end as status,
       i.lhs, i.rhs, i.diff, i.tolerance, i.op,
       i.total_omitted and u.row_id is not null as total_omitted,
       i.required_missing, i.compared_report_id, i.detail
from {IDENTITY_TABLE} as i
left join {UNEXPECTED_TABLE} as u using (row_id)
order by i.report_id, i.check_id, i.subject
"""


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    schema.ensure(con, DDL)  # only when a table or column is missing: reads need no write access


def write(con: duckdb.DuckDBPyConnection, scoped: bool = False) -> dict[str, int]:
    """Replace checks.results (all of it, or with `scoped` the rows of the reports in `chk_scope` and
    of reports that are gone), checks.catalogue and checks.report_inputs in one transaction; returns
    counts by status."""
    ensure_schema(con)
    catalogue = pa.Table.from_pylist(cat.catalogue_rows(), schema=CATALOGUE_SCHEMA)
    con.register("chk_catalogue_arrow", catalogue)
    try:
        with transaction(con):
            if scoped:
                con.execute("delete from checks.results where report_id in (select report_id from chk_scope) "
                            "or report_id not in (select report_id from chk_inputs_now)")
            else:
                con.execute("delete from checks.results")
            con.execute(SQL_WRITE_RESULTS)
            scope.record_inputs(con)
            con.execute("delete from checks.catalogue")
            con.execute("insert into checks.catalogue select * from chk_catalogue_arrow order by check_id")
    finally:
        con.unregister("chk_catalogue_arrow")
    return dict(con.execute("select status, count(*) from checks.results group by status").fetchall())


def last_run(con: duckdb.DuckDBPyConnection) -> tuple[str, dict] | None:
    """(fingerprint, integrity) of the latest recorded pass, or None. Reads only."""
    if schema.missing(con, DDL):
        return None
    row = con.execute(
        "select input_fingerprint, integrity from checks.runs order by finished_at desc limit 1").fetchall()
    return (row[0][0], json.loads(row[0][1])) if row else None


def record_run(con: duckdb.DuckDBPyConnection, fingerprint: str, integrity: dict) -> None:
    """Recorded after the results are committed: a crash in between only costs a recomputation."""
    con.execute("delete from checks.runs")
    con.execute("insert into checks.runs values (?, now(), ?)", [fingerprint, json.dumps(integrity, sort_keys=True)])


def disagreements(con: duckdb.DuckDBPyConnection) -> int:
    """Evaluable rows where GX's verdict differs from the SQL comparison (must be 0: integrity)."""
    return con.execute(
        f"select count(*) from {IDENTITY_TABLE} as i left join {UNEXPECTED_TABLE} as u using (row_id) "
        f"where i.evaluable and (u.row_id is not null) = i.holds"
    ).fetchall()[0][0]
