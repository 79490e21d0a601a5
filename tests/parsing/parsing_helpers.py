"""Shared helpers for the parsing tests (no Dagster imports: these tests run on strings alone)."""

from __future__ import annotations

import json
from pathlib import Path

from dagster_project.parsing.tables import TableResult, extract_tables
from dagster_project.parsing.text import decode_bytes, to_lines

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "raw"
GOLDEN = ROOT / "tests" / "golden"
REALWORLD = Path(__file__).resolve().parents[1] / "fixtures" / "realworld"
TABLE_SEEDS = ["000_a401547b58a11ed1", "002_87d81dba6e927c9d", "003_8fda2105dcda898c", "004_70d6925fef033874"]


def parse_text(text: str) -> TableResult:
    return extract_tables(to_lines(text))


def parse_bytes(data: bytes) -> TableResult:
    return parse_text(decode_bytes(data)[0])


def seed_text(stem: str) -> str:
    return decode_bytes((RAW / f"{stem}.txt").read_bytes())[0]


def load_golden(stem: str) -> dict:
    return json.loads((GOLDEN / f"{stem}.json").read_text(encoding="utf-8"))


def by_code(result: TableResult) -> dict:
    return {c.metric_code: c for c in result.cells}
