"""One pass of the checks over the whole corpus: identities → GX → checks.* → Data Docs.

Called by the Dagster asset (defs/check_assets.py) and by the benchmark; returns what the asset checks
report (counts per check, the first failing reports) and the integrity facts the blocking check needs.
"""

from __future__ import annotations

import ast
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project import dbt_state
from dagster_project.checks import catalogue as cat
from dagster_project.checks import docs, gx_runner, identities, scope, store
from dagster_project.settings import EXPECTATIONS_DIR


@dataclass
class CheckRun:
    identity_rows: int
    status_counts: dict[str, int]
    per_check: dict[str, dict]  # check_id -> {pass, fail, incomplete, inferred, failing_reports, first_failures}
    gx: gx_runner.GxRun
    disagreements: int
    reports_with_tables: int
    reports_with_tables_unchecked: int
    timings: dict[str, float] = field(default_factory=dict)
    docs_index: Path | None = None
    skipped: bool = False  # inputs unchanged since the last pass: results reused, nothing written
    reports_evaluated: int = 0  # reports whose rows this pass computed (all, or the scope of scope.py)

    def integrity_errors(self) -> list[str]:
        """Why the results cannot be trusted (empty when they can): a suite GX could not evaluate or
        did not validate, rows where GX's verdict and the SQL comparison disagree, reports with table
        cells but no result. The one blocking asset check (`results_complete`) fails on any of them."""
        errors = list(self.gx.errors)
        if self.disagreements:
            errors.append(f"{self.disagreements} rows where GX and the SQL comparison disagree")
        if self.reports_with_tables_unchecked:
            errors.append(f"{self.reports_with_tables_unchecked} reports with table cells have no check result")
        missing_suites = [s for s in cat.SUITES if s not in self.gx.suites]
        if missing_suites:
            errors.append(f"suites not validated: {', '.join(missing_suites)}")
        return errors


SQL_PER_CHECK = """
select check_id,
       count(*) filter (where status = 'pass'), count(*) filter (where status = 'fail'),
       count(*) filter (where status = 'incomplete'), count(distinct report_id) filter (where status = 'fail'),
       count(*) filter (where status = 'inferred')
from checks.results group by check_id
"""

# The first failing (agency, year, subject, detail) per check, in a stable order (chk_reports labels
# a report whose agency is unknown with '?').
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


# What the results depend on, summarised cheaply in one scan per table: the facts the identities
# read, the reports (version, year, agency), the agency names in the details. Fixed SQL text.
SQL_INPUT_SUMMARY = f"""
select (select count(*) || ':' || coalesce(sum(hash(report_id, metric_code, value, value_state, approximate, inferred_by)), 0)
        from {identities.FACTS}),
       (select count(*) || ':' || coalesce(sum(hash(report_id, agency_id, report_year, template_version)), 0)
        from {identities.REPORTS}),
       (select count(*) || ':' || coalesce(sum(hash(agency_id, agency_name)), 0) from {identities.AGENCIES})
"""


def input_fingerprint(con: duckdb.DuckDBPyConnection, expectations_dir: Path) -> str:
    """Changes when anything a result depends on changes: the facts, reports and agencies; the
    catalogue as data (every check, rule, term, label and template cell the details and TPL-2 use,
    so a label changed in parsing/templates.py changes the results); the code that evaluates them
    (the checks package and every project module it imports); the GX suites.

    The three marts count by the fingerprint of the dbt build that made them (dbt_state.py) when
    there is one: the same then means the same rows, known without reading them; otherwise (marts
    built by hand, or a build whose tests failed) by a scan of their rows."""
    h = hashlib.sha256(static_fingerprint(expectations_dir).encode())
    versions = dbt_state.relation_versions(con, [identities.FACTS, identities.REPORTS, identities.AGENCIES])
    summary = ("built", sorted(versions.items())) if versions else ("rows", con.execute(SQL_INPUT_SUMMARY).fetchall())
    h.update(repr(summary).encode())
    return h.hexdigest()


def static_fingerprint(expectations_dir: Path) -> str:
    """The part of input_fingerprint that is not data: catalogue, code, suites. While it is unchanged,
    a pass may evaluate only the reports whose data changed (scope.py); otherwise it is a full pass."""
    h = hashlib.sha256()
    h.update(repr((cat.catalogue_rows(), cat.rule_rows(), cat.term_rows(), cat.nonneg_metrics(),
                   cat.expected_cells(), cat.TABLE_LABEL)).encode())
    for path in code_files() + sorted(expectations_dir.glob("*.json")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def code_files() -> list[Path]:
    """The source files of the checks package and of every project module they import, transitively
    (read from the import statements, so a new dependency is covered without listing it here)."""
    root = Path(cat.__file__).resolve().parents[2]  # the directory holding the dagster_project package
    todo = sorted(Path(cat.__file__).parent.glob("*.py"))
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for node in ast.walk(ast.parse(path.read_bytes())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                if name.split(".")[0] == "dagster_project":
                    base = root.joinpath(*name.split("."))
                    todo.extend(p for p in (base.with_suffix(".py"), base / "__init__.py") if p.is_file())
    return sorted(seen)


def inputs_unchanged(con: duckdb.DuckDBPyConnection, data_docs_dir: Path | None, fingerprint: str) -> bool:
    """True when run_checks would reuse the last pass (same inputs and code as `fingerprint`, from
    input_fingerprint, and Data Docs present): then it only reads, and may be given a read-only
    connection. Reads only."""
    last = store.last_run(con)
    docs_present = data_docs_dir is None or (data_docs_dir / "index.html").exists()
    return last is not None and docs_present and last[0] == fingerprint


def run_checks(con: duckdb.DuckDBPyConnection, data_docs_dir: Path | None,
               expectations_dir: Path = EXPECTATIONS_DIR, first_failures: int = 5,
               fingerprint: str | None = None) -> CheckRun:
    """One pass (or the reuse of the last one); `fingerprint`: input_fingerprint of this database's
    inputs when the caller already computed it (it may scan every fact)."""
    timings = {}
    fingerprint = fingerprint or input_fingerprint(con, expectations_dir)
    last = store.last_run(con)
    docs_present = data_docs_dir is None or (data_docs_dir / "index.html").exists()
    skipped = last is not None and last[0] == fingerprint and docs_present
    t0 = time.monotonic()
    reports_evaluated = 0
    if skipped and "summary" in last[1]:
        # Same inputs, same code: the stored results are what a new pass would write, and the figures
        # the asset checks report are the ones the pass recorded (reading them again from 6 M result
        # rows and 17 M facts took 2 s of an idle run at 100,000 reports).
        integrity = last[1]
        gx = gx_runner.GxRun({s: gx_runner.SuiteRun(s, r, u, ok, 0.0, e, errs)
                              for s, (r, u, ok, e, errs) in integrity["suites"].items()})
        summary = integrity["summary"]
        timings["reused"] = time.monotonic() - t0
        return CheckRun(summary["identity_rows"], summary["status_counts"], summary["per_check"], gx,
                        integrity["disagreements"], summary["reports_with_tables"], summary["reports_unchecked"],
                        timings, data_docs_dir / "index.html" if data_docs_dir is not None else None, True, 0)
    if skipped:  # a pass recorded by older code, without its summary
        integrity = last[1]
        con.execute(identities.SQL_REPORTS)  # the report labels the summary below prints
        n = con.execute("select count(*) from checks.results").fetchall()[0][0]
        status_counts = dict(con.execute("select status, count(*) from checks.results group by status").fetchall())
        gx = gx_runner.GxRun({s: gx_runner.SuiteRun(s, r, u, ok, 0.0, e, errs)
                              for s, (r, u, ok, e, errs) in integrity["suites"].items()})
        disagreements = integrity["disagreements"]
        timings["reused"] = time.monotonic() - t0
    else:
        static = static_fingerprint(expectations_dir)
        scoped = last is not None and last[1].get("static") == static and scope.has_inputs(con)
        if scoped:
            scope.affected_reports(con)
        else:
            scope.full_scope(con)
        reports_evaluated = con.execute("select count(*) from chk_scope").fetchall()[0][0]
        timings["scope"] = time.monotonic() - t0
        t0 = time.monotonic()
        n = identities.build_identity_table(con)
        timings["identities"] = time.monotonic() - t0
        t0 = time.monotonic()
        gx = gx_runner.validate(con, data_docs_dir, expectations_dir)
        timings["gx"] = time.monotonic() - t0
        t0 = time.monotonic()
        status_counts = store.write(con, scoped)
        disagreements = store.disagreements(con)
        if gx.errors or disagreements:
            # results that cannot be trusted are not a base to scope the next pass on: it runs in full
            scope.forget_inputs(con)
        timings["write"] = time.monotonic() - t0
    per_check = {c.check_id: {"pass": 0, "fail": 0, "incomplete": 0, "inferred": 0, "failing_reports": 0, "first_failures": []}
                 for c in cat.CHECKS}
    for check_id, n_pass, n_fail, n_inc, n_rep, n_inferred in con.execute(SQL_PER_CHECK).fetchall():
        per_check[check_id].update({"pass": n_pass, "fail": n_fail, "incomplete": n_inc, "inferred": n_inferred,
                                    "failing_reports": n_rep})
    for check_id, agency, year, subject, detail, report_id in con.execute(SQL_FIRST_FAILURES, [first_failures]).fetchall():
        per_check[check_id]["first_failures"].append(
            {"report": agency, "year": year, "subject": subject, "detail": detail, "report_id": report_id})
    with_tables, unchecked = con.execute(SQL_TABLE_REPORTS).fetchall()[0]
    docs_index = None
    if data_docs_dir is not None:
        t0 = time.monotonic()
        docs_index = data_docs_dir / "index.html" if skipped else docs.write_index(con, data_docs_dir)
        timings["docs_index"] = time.monotonic() - t0
    identities.drop_temp_tables(con)
    con.execute(f"drop table if exists {gx_runner.UNEXPECTED_TABLE}")
    if not skipped and not gx.errors and not disagreements:
        store.record_run(con, fingerprint, {
            "suites": {s: [r.rows_validated, r.unexpected_rows, r.success, r.expectations, r.errors]
                       for s, r in gx.suites.items()},
            "disagreements": disagreements,
            "static": static,
            # what a reuse of this pass reports (above), without reading the results again
            "summary": {"identity_rows": sum(status_counts.values()), "status_counts": status_counts, "per_check": per_check,
                        "reports_with_tables": with_tables, "reports_unchecked": unchecked},
        })
    return CheckRun(n, status_counts, per_check, gx, disagreements, with_tables, unchecked, timings, docs_index,
                    skipped, reports_evaluated)
