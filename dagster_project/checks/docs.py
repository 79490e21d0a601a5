"""The front page of the data docs folder: which reports fail which checks, in plain HTML.

GX's own Data Docs (in `gx/` beside this page) show each expectation with its unexpected `diff`
values and the report labels of the failing rows; this page adds what a reader looks for first: the
failing reports with agency, year, check, subject and the readable detail, hard checks first, and a
per-check count of pass / fail / incomplete / inferred (the check's identity chose how a glued digit
run splits, parsing/glued.py). Static, no JavaScript, every value HTML-escaped.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import duckdb

from dagster_project.checks.gx_runner import GX_SITE_FOLDER

MAX_LISTED = 5000

SQL_COUNTS = """
select c.check_id, c.severity, c.suite, c.description,
       count(*) filter (where r.status = 'pass'), count(*) filter (where r.status = 'fail'),
       count(*) filter (where r.status = 'incomplete'), count(*) filter (where r.status = 'inferred'),
       count(distinct r.report_id) filter (where r.status = 'fail')
from checks.catalogue as c
left join checks.results as r using (check_id)
group by all
order by c.suite, c.check_id
"""

SQL_FAILURES = """
select coalesce(a.agency_name, '?') as agency, d.report_year, r.check_id, c.severity, r.subject, r.detail,
       d.source_file, r.report_id
from checks.results as r
join checks.catalogue as c using (check_id)
join marts.dim_report as d using (report_id)
left join marts.dim_agency as a on a.agency_id = d.agency_id
where r.status = 'fail'
order by case c.severity when 'hard' then 0 else 1 end, agency, d.report_year, r.check_id, r.subject
limit ?
"""

STYLE = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.hard{color:#b00020;font-weight:bold}.soft{color:#a66300}.num{text-align:right}
code{font-size:90%}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def write_index(con: duckdb.DuckDBPyConnection, data_docs_dir: Path) -> Path:
    counts = con.execute(SQL_COUNTS).fetchall()
    failures = con.execute(SQL_FAILURES, [MAX_LISTED]).fetchall()
    total_fail = con.execute("select count(*) from checks.results where status = 'fail'").fetchall()[0][0]
    reports = con.execute("select count(distinct report_id) from checks.results").fetchall()[0][0]
    failing_reports = con.execute(
        "select count(distinct report_id) from checks.results where status = 'fail'").fetchall()[0][0]
    parts = [
        "<!doctype html><html lang='zh'><head><meta charset='utf-8'>",
        "<title>OGI arithmetic checks</title>", f"<style>{STYLE}</style></head><body>",
        "<h1>Arithmetic checks · 勾稽关系检查</h1>",
        f"<p>{reports} reports checked; <b id='failing-report-count'>{failing_reports}</b> reports with failing checks "
        f"({total_fail} failing results). Great Expectations Data Docs: "
        f"<a href='{GX_SITE_FOLDER}/index.html'>suites and validation results</a>.</p>",
        "<h2>Checks</h2><table><tr><th>check</th><th>severity</th><th>suite</th><th>description</th>"
        "<th>pass</th><th>fail</th><th>incomplete</th><th>inferred</th><th>failing reports</th></tr>",
    ]
    for check_id, severity, suite, description, n_pass, n_fail, n_inc, n_inferred, n_rep in counts:
        parts.append(f"<tr class='check' data-check-id='{_e(check_id)}'><td>{_e(check_id)}</td>"
                     f"<td class='{_e(severity)}'>{_e(severity)}</td><td>{_e(suite)}</td>"
                     f"<td>{_e(description)}</td><td class='num pass'>{n_pass}</td><td class='num fail'>{n_fail}</td>"
                     f"<td class='num incomplete'>{n_inc}</td><td class='num inferred'>{n_inferred}</td>"
                     f"<td class='num'>{n_rep}</td></tr>")
    parts.append("</table><h2>Failing reports</h2>")
    if not failures:
        parts.append("<p id='no-failures'>No report fails any check.</p>")
    else:
        parts.append("<table id='failures'><tr><th>agency</th><th>year</th><th>check</th><th>severity</th>"
                     "<th>subject</th><th>detail</th><th>source file</th><th>report_id</th></tr>")
        for agency, year, check_id, severity, subject, detail, source_file, report_id in failures:
            parts.append(f"<tr class='failure' data-report-id='{_e(report_id)}' data-check-id='{_e(check_id)}'>"
                         f"<td>{_e(agency)}</td><td>{_e(year)}</td><td>{_e(check_id)}</td>"
                         f"<td class='{_e(severity)}'>{_e(severity)}</td><td>{_e(subject)}</td><td>{_e(detail)}</td>"
                         f"<td>{_e(source_file)}</td><td><code>{_e(report_id)}</code></td></tr>")
        parts.append("</table>")
        if total_fail > len(failures):
            parts.append(f"<p>… and {total_fail - len(failures)} more failing results (marts.fct_check_result).</p>")
    parts.append("</body></html>")
    data_docs_dir.mkdir(parents=True, exist_ok=True)
    target = data_docs_dir / "index.html"
    tmp = data_docs_dir / ".index.html.tmp"
    tmp.write_text("\n".join(parts), encoding="utf-8")
    os.replace(tmp, target)
    return target
