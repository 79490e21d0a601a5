"""The dashboard's charts and the README SQL each one shows, shared by bootstrap.py (which built the
shipped export) and smoke.py (which checks the imported dashboard against the warehouse).

Each chart is a Superset table chart over a virtual dataset whose SQL is a query printed in the
README: the contract's questions 2 and 3 verbatim, and the two queries of "Connect your BI tool".
"""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
DASHBOARD_TITLE = "OGI reports: checks, 予以公开, carry-over, templates"
DASHBOARD_SLUG = "ogi-overview"
DATABASE_NAME = "ogi_snapshot"

# (dataset name, chart title, where its SQL is in the README, columns the chart sorts by)
CHARTS = [
    ("failing_reports_by_province_year", "Reports failing hard checks, by province and year",
     ("bi", 0), ["province", "report_year"]),
    ("share_granted_by_province_year", "Share of applications answered 予以公开, by province and year",
     ("contract", 1), ["province", "report_year"]),
    ("carried_over_x1", "Carried over = last year's carried forward (X-1, X-1c)",
     ("contract", 2), ["agency_name", "report_year", "subject"]),
    ("template_use_by_year", "Template use by year",
     ("bi", 1), ["report_year", "template_version"]),
]


def _sql_blocks(heading: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return [q.strip() for q in re.findall(r"```sql\n(.*?)```", section, flags=re.S)]


def readme_sql(where: tuple[str, int]) -> str:
    """The query as printed, without its final semicolon (Superset wraps it in a subquery)."""
    heading = {"contract": "### The contract's four questions, one query each",
               "bi": "### The dashboard's queries"}[where[0]]
    return _sql_blocks(heading)[where[1]].rstrip().rstrip(";")
