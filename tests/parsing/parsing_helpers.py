"""Shared helpers for the parsing tests (no Dagster imports: these tests run on strings alone).

`tables_from_text`/`tables_from_bytes` run only the table matcher (`tables.extract_tables`) and return
its `TableResult`; the whole parser is `dagster_project.parsing.report.parse_text`/`parse_bytes`, which
return a `ParsedReport`. The seeds are read from tests/fixtures/seeds (tests/helpers.py), never from
the repository's default raw/ folder.
"""

from __future__ import annotations

import json

from dagster_project.parsing.tables import TableResult, extract_tables
from dagster_project.parsing.text import decode_bytes, to_lines
from tests.helpers import PROJECT_ROOT, REALWORLD, REALWORLD_RAW, SEEDS_DIR

__all__ = ["GOLDEN", "REALWORLD", "REALWORLD_RAW", "SEEDS_DIR", "TABLE_SEEDS", "by_code", "load_golden",
           "seed_text", "tables_from_bytes", "tables_from_text"]

GOLDEN = PROJECT_ROOT / "tests" / "golden"
TABLE_SEEDS = ["000_a401547b58a11ed1", "002_87d81dba6e927c9d", "003_8fda2105dcda898c", "004_70d6925fef033874"]


def tables_from_text(text: str) -> TableResult:
    """The tables of a decoded report (the table matcher alone, not the whole parser)."""
    return extract_tables(to_lines(text))


def tables_from_bytes(data: bytes) -> TableResult:
    """The tables of a report's bytes, decoded as ingestion decodes them."""
    return tables_from_text(decode_bytes(data)[0])


def seed_text(stem: str) -> str:
    return decode_bytes((SEEDS_DIR / f"{stem}.txt").read_bytes())[0]


def load_golden(stem: str) -> dict:
    return json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


def by_code(result: TableResult) -> dict:
    return {c.metric_code: c for c in result.cells}
