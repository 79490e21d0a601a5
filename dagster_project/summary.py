"""The end-of-build summary: what the warehouse now holds, read back from the file itself.

Read from DuckDB after the run (not from the run's events) so the numbers are the warehouse's, and
every count degrades to "n/a" when a later stage's tables do not exist yet.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import duckdb

from dagster_project.settings import Settings

# label → SQL returning one number; parameter-free, fixed text (no user input reaches SQL).
COUNTS: dict[str, str] = {
    "files found": "select count(*) from raw.report_files",
    "reports (distinct contents)": "select count(*) from raw.reports",
    "files unreadable": "select count(*) from raw.report_files where read_error is not null",
    "reports undecodable": "select count(*) from raw.reports where decode_status = 'failed'",
    "reports parsed ok": "select count(*) from marts.dim_report where parse_status = 'ok'",
    "reports parsed partially": "select count(*) from marts.dim_report where parse_status = 'partial'",
    "reports failed to parse": "select count(*) from marts.dim_report where parse_status = 'failed'",
    "table cells parsed": "select count(*) from marts.fct_report_metric where metric_code not like 'prose.%'",
    "prose metrics parsed": "select count(*) from marts.fct_report_metric where metric_code like 'prose.%'",
    # cells recovered from digit runs without cell separators (parsing/glued.py), counted among the parsed
    "table cells inferred": "select count(*) from marts.fct_report_metric where value_state = 'inferred'",
    "check results": "select count(*) from marts.fct_check_result",
    # holding, but their identity chose how a glued run splits: no independent evidence (checks/store.py)
    "check results inferred": "select count(*) from marts.fct_check_result where status = 'inferred'",
    "hard checks failing": "select count(*) from marts.fct_check_result r join marts.dim_check c using (check_id) "
    "where r.status = 'fail' and c.severity = 'hard'",
    "reports failing hard checks": "select count(distinct r.report_id) from marts.fct_check_result r "
    "join marts.dim_check c using (check_id) where r.status = 'fail' and c.severity = 'hard'",
}

# Every file that did not become a usable report, by stage and reason (marts.rejected_files).
REJECTED_SQL = "select stage, reason_code, count(*) from marts.rejected_files group by 1, 2 order by 1, 2"

HARD_FAILURES_SQL = """
select coalesce(a.agency_name, '?'), coalesce(cast(r.report_year as varchar), '?'), r.check_id, r.subject, r.detail,
       d.source_file
from marts.fct_check_result r
join marts.dim_check c using (check_id)
join marts.dim_report d using (report_id)
left join marts.dim_agency a on a.agency_id = d.agency_id
where r.status = 'fail' and c.severity = 'hard'
order by 1, 2, 3, 4
limit ?
"""


@dataclass
class BuildSummary:
    counts: dict[str, int | None] = field(default_factory=dict)
    hard_failures: list[tuple] = field(default_factory=list)
    hard_failures_total: int = 0
    rejected: list[tuple[str, str, int]] = field(default_factory=list)  # (stage, reason_code, files)


def print_line(text: str) -> None:
    """One line of the build's console output (stderr, so stdout stays free for data)."""
    print(text, file=sys.stderr, flush=True)


def read_summary(settings: Settings, failure_limit: int = 50) -> BuildSummary:
    summary = BuildSummary()
    if not settings.warehouse.exists():
        return summary
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        for label, sql in COUNTS.items():
            try:
                summary.counts[label] = con.execute(sql).fetchone()[0]
            except (duckdb.CatalogException, duckdb.BinderException):
                summary.counts[label] = None
        try:
            summary.rejected = con.execute(REJECTED_SQL).fetchall()
        except (duckdb.CatalogException, duckdb.BinderException):
            pass
        try:
            summary.hard_failures = con.execute(HARD_FAILURES_SQL, [failure_limit]).fetchall()
            summary.hard_failures_total = summary.counts.get("hard checks failing") or 0
        except (duckdb.CatalogException, duckdb.BinderException):
            pass
    finally:
        con.close()
    return summary


def print_summary(summary: BuildSummary, elapsed: float) -> None:
    print_line("")
    print_line(f"summary ({elapsed:.1f} s)")
    for label, value in summary.counts.items():
        print_line(f"  {label:<30} {'n/a' if value is None else value}")
    if summary.rejected:
        print_line(f"  {'files rejected (rejected_files)':<30} {sum(n for _, _, n in summary.rejected)}")
    for stage, reason_code, files in summary.rejected:
        print_line(f"    {stage + ' ' + reason_code:<28} {files}")
    if summary.hard_failures:
        print_line("")
        print_line(f"reports failing hard checks ({summary.hard_failures_total} failing results):")
        for agency, year, check_id, subject, detail, source_file in summary.hard_failures:
            print_line(f"  {agency} {year} {check_id} [{subject}] {detail}  ({source_file})")
        if summary.hard_failures_total > len(summary.hard_failures):
            print_line(f"  … and {summary.hard_failures_total - len(summary.hard_failures)} more (marts.fct_check_result)")
