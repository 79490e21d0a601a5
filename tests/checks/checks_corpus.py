"""Build test corpora by editing ONE cell of a seed's text (no hand-written reports).

`edit_cell` finds the cell through the real parser (its source_line), then rewrites only that value:
seeds 000/002/003 print one cell per line, seed 004 one table row per line (`| a | b | … |`), where the
n-th value field of the line is replaced.
"""

from __future__ import annotations

import re

from dagster_project.parsing.tables import extract_tables
from dagster_project.parsing.text import decode_bytes, to_lines
from tests.helpers import REALWORLD_RAW, SEEDS_DIR

__all__ = ["REALWORLD_RAW", "SEED", "bump", "cells", "edit_cell", "seed_text"]
SEED = {
    "000": "000_a401547b58a11ed1.txt",
    "001": "001_0610a0a9de2dcfc8.txt",
    "002": "002_87d81dba6e927c9d.txt",
    "003": "003_8fda2105dcda898c.txt",
    "004": "004_70d6925fef033874.txt",
}
_VALUE_FIELD = re.compile(r"[-+]?[\d.]+(万元|元)?|[增减]\d+")


def seed_text(key: str) -> str:
    return decode_bytes((SEEDS_DIR / SEED[key]).read_bytes())[0]


def cells(text: str) -> dict:
    return {c.metric_code: c for c in extract_tables(to_lines(text)).cells}


def edit_cell(text: str, metric_code: str, new: str) -> str:
    """`text` with the value of `metric_code` replaced by `new` (a number, or '' for a blank cell)."""
    found = cells(text)
    cell = found[metric_code]
    lines = text.split("\n")
    i = cell.source_line - 1
    line = lines[i]
    same_line = [c for c in found.values() if c.source_line == cell.source_line and c.metric_code.split(".")[0] == metric_code.split(".")[0]]
    if len(same_line) == 1:
        assert cell.raw_text.strip() in line, (metric_code, line)
        lines[i] = line.replace(cell.raw_text.strip(), new, 1)
    else:
        fields = line.split("|")
        value_idx = [k for k, f in enumerate(fields) if _VALUE_FIELD.fullmatch(f.strip())]
        order = [c.metric_code for c in sorted(same_line, key=lambda c: list(found).index(c.metric_code))]
        k = value_idx[order.index(metric_code)]
        fields[k] = f" {new} "
        lines[i] = "|".join(fields)
    out = "\n".join(lines)
    got = cells(out).get(metric_code)
    if new == "":
        assert got is None or got.value_state == "blank", (metric_code, got)
    else:
        assert got is not None and got.raw_text.strip() == new, (metric_code, got)
    return out


def bump(text: str, metric_code: str, delta: int = 1) -> str:
    value = cells(text)[metric_code].value
    return edit_cell(text, metric_code, str(int(value) + delta))
