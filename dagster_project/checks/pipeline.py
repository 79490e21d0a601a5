"""One pass of the checks over the whole corpus: identities → GX → checks.* → Data Docs.

Called by the Dagster asset (defs/checks.py) and by the benchmark; returns what the asset checks
report (counts per check, the first failing reports) and the integrity facts the blocking check needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.checks import catalogue as cat
from dagster_project.checks import docs, gx_runner, identities, store
from dagster_project.settings import EXPECTATIONS_DIR


@dataclass
class CheckRun:
    identity_rows: int
    status_counts: dict[str, int]
    per_check: dict[str, dict]  # check_id -> {pass, fail, incomplete, failing_reports, first_failures}
    gx: gx_runner.GxRun
    disagreements: int
    reports_with_tables: int
    reports_with_tables_unchecked: int
    timings: dict[str, float] = field(default_factory=dict)
    docs_index: Path | None = None


SQL_PER_CHECK = """
select check_id,
       count(*) filter (where status = 'pass'), count(*) filter (where status = 'fail'),
       count(*) filter (where status = 'incomplete'), count(distinct report_id) filter (where status = 'fail')
from checks.results group by check_id
"""

# The first failing (agency, year, subject, detail) per check, in a stable order. Marts may be absent
# in the benchmark's bare database; the agency then shows as '?'.
SQL_FIRST_FAILURES = """
select check_id, agency, report_year, subject, detail, report_id from (
    select r.check_id, coalesce(x.report_label, r.report_id) as agency, x.report_year, r.subject, r.detail, r.report_id,
           row_number() over (partition by r.check_id order by x.report_label, r.report_id, r.subject) as n
    from checks.results as r
    join (select report_id, report_year, report_label from chk_reports) as x using (report_id)
    where r.status = 'fail'
) where n <= ? order by check_id, n
"""

SQL_TABLE_REPORTS = f"""
select count(distinct f.report_id),
       count(distinct f.report_id) filter (where not exists (
           select 1 from checks.results as r where r.report_id = f.report_id))
from {identities.FACTS} as f
where f.metric_code like 't_.%'
"""


def run_checks(con: duckdb.DuckDBPyConnection, data_docs_dir: Path | None,
               expectations_dir: Path = EXPECTATIONS_DIR, first_failures: int = 5) -> CheckRun:
    timings = {}
    t0 = time.monotonic()
    n = identities.build_identity_table(con)
    timings["identities"] = time.monotonic() - t0
    t0 = time.monotonic()
    gx = gx_runner.validate(con, data_docs_dir, expectations_dir)
    timings["gx"] = time.monotonic() - t0
    t0 = time.monotonic()
    status_counts = store.write(con)
    disagreements = store.disagreements(con)
    timings["write"] = time.monotonic() - t0
    per_check = {c.check_id: {"pass": 0, "fail": 0, "incomplete": 0, "failing_reports": 0, "first_failures": []}
                 for c in cat.CHECKS}
    for check_id, n_pass, n_fail, n_inc, n_rep in con.execute(SQL_PER_CHECK).fetchall():
        per_check[check_id].update({"pass": n_pass, "fail": n_fail, "incomplete": n_inc, "failing_reports": n_rep})
    for check_id, agency, year, subject, detail, report_id in con.execute(SQL_FIRST_FAILURES, [first_failures]).fetchall():
        per_check[check_id]["first_failures"].append(
            {"report": agency, "year": year, "subject": subject, "detail": detail, "report_id": report_id})
    with_tables, unchecked = con.execute(SQL_TABLE_REPORTS).fetchall()[0]
    docs_index = None
    if data_docs_dir is not None:
        t0 = time.monotonic()
        docs_index = docs.write_index(con, data_docs_dir)
        timings["docs_index"] = time.monotonic() - t0
    identities.drop_temp_tables(con)
    con.execute(f"drop table if exists {gx_runner.UNEXPECTED_TABLE}")
    return CheckRun(n, status_counts, per_check, gx, disagreements, with_tables, unchecked, timings, docs_index)
