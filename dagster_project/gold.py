"""Hand-checked gold files (the format of the shared real-world corpus) as metric codes.

Why here and not in a test: the accuracy benchmark and the real-report tests score the same gold
against the same codes; one reader keeps them from drifting. A gold file names cells by their
printed labels (`（三）不予公开/1.属于国家秘密`, `第二十条第（一）项/规章/本年新制作数量`), so the mapping goes
through the template catalogue (parsing/templates.py), never through a second list of labels.

Gold files also hold figures the warehouse has no metric code for (pre-2019 prose items and the
old statistics table): `GoldReport.uncoded` keeps them so a scorer can say how many it left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .parsing.templates import T2_BLOCKS, T3_COLUMNS, T3_ROWS, T4_COLUMNS

# Gold `template` field -> the table versions of templates.py
_TEMPLATE = {"2019": "v2019", "2021": "v2021"}
# The gold of pdftotext reports may record a printed single 2019 （六）其他处理 row as the three
# v2021 sub-rows, all zero (its README says so): a parser that keeps what was printed is right.
SINGLE_OTHER_SUBROWS = ("other_overdue_correction", "other_unpaid_fee", "other_other")


@dataclass
class GoldReport:
    stem: str
    path: Path
    raw_files: list[str]  # file names (beside the gold folder) the values were read from
    agency: str | None
    report_year: int | None
    template: str | None
    cells: dict[str, str] = field(default_factory=dict)  # metric code -> expected value as text
    uncoded: dict[str, object] = field(default_factory=dict)  # label -> value(s) without a metric code
    source_inconsistent: list[str] = field(default_factory=list)


def _t2_code(key: str) -> str:
    """'第二十条第（一）项/规章/本年新制作数量' -> 't2.art20_1.regulations.newly_made' (either version)."""
    header, row_label, col_label = key.split("/", 2)
    for blocks in T2_BLOCKS.values():
        for block in blocks:
            if block.header != header:
                continue
            row = next((r for r in block.rows if row_label == r.label or row_label in r.aliases), None)
            col = next((c for c in block.columns if col_label == c.label or col_label in c.aliases), None)
            if row is not None and col is not None:
                return f"t2.{block.code}.{row.code}.{col.code}"
    raise KeyError(f"gold table2 key {key!r} names no cell of either template")


def _t3_row_code(label: str) -> str:
    last = label.rsplit("/", 1)[-1]
    for rows in T3_ROWS.values():
        for row in rows:
            if row.label == last:
                return row.code
    raise KeyError(f"gold table3 row {label!r} is not a template row")


def _canonical(value) -> str:
    """A gold value as the text of its number (`'3'`, `'12.5'`), so Decimal('3.0') == '3'."""
    return format(Decimal(str(value)).normalize(), "f")


def load_gold(path: Path) -> GoldReport:
    data = json.loads(path.read_text(encoding="utf-8"))
    gold = GoldReport(
        stem=path.stem,
        path=path,
        raw_files=list(data.get("raw") or [path.stem + ".txt"]),
        agency=data.get("agency"),
        report_year=data.get("report_year"),
        template=_TEMPLATE.get(str(data.get("template"))) or data.get("template"),
        source_inconsistent=list((data.get("notes") or {}).get("source_inconsistent") or []),
    )
    for label, values in (data.get("table3") or {}).items():
        row = _t3_row_code(label)
        for col, value in zip(T3_COLUMNS, values):
            gold.cells[f"t3.{row}.{col.code}"] = _canonical(value)
    for col, value in zip(T4_COLUMNS, data.get("table4") or []):
        gold.cells[f"t4.{col.code}"] = _canonical(value)
    for key, value in (data.get("table2") or {}).items():
        gold.cells[_t2_code(key)] = str(value)
    for part in ("prose", "pre2019_table"):
        for label, value in (data.get(part) or {}).items():
            gold.uncoded[f"{part}/{label}"] = value
    return gold


def gold_files(folder: Path) -> list[Path]:
    """Every gold JSON under `folder` (a `gold/` folder sits beside the raw files it describes)."""
    return sorted(p for p in folder.rglob("*.json") if p.parent.name == "gold")


def raw_paths(gold: GoldReport) -> list[Path]:
    """The raw files a gold file describes, looked up beside its gold folder (and in `raw/`), plus
    the published PDF of the same stem in `pdf/` when there is one (the same values, read from the
    PDF itself)."""
    base = gold.path.parent.parent
    found = []
    for name in gold.raw_files:
        for candidate in (base / name, base / "raw" / name):
            if candidate.is_file():
                found.append(candidate)
                break
    pdf = base / "pdf" / f"{gold.stem}.pdf"
    if pdf.is_file() and pdf not in found:
        found.append(pdf)
    return found


def found_texts(value: Decimal | None, value_state: str, raw_text: str) -> tuple[str, ...]:
    """What a parsed cell says, in the gold's terms: its number (for numbers) and its raw text."""
    if value_state in ("number", "inferred") and value is not None:
        return (format(value.normalize(), "f"), raw_text.strip())
    return (raw_text.strip(),)


def accepts(code: str, expected: str, found: dict[str, tuple[str, ...]]) -> bool:
    """True when `found` (code -> found_texts) holds the gold value for `code`.

    The one tolerated difference: gold that writes a printed single 2019 （六）其他处理 row as three
    zero v2021 sub-rows, where the parser kept the printed row (t3.other_processing.*)."""
    if expected in found.get(code, ()):
        return True
    parts = code.split(".")
    if len(parts) == 3 and parts[1] in SINGLE_OTHER_SUBROWS and expected == "0" and code not in found:
        return f"t3.other_processing.{parts[2]}" in found
    return False
