"""What a parsed report is: plain dataclasses shared by every parsing module.

The parser returns one `ParsedReport` per raw report. The Dagster assets turn lists of them into
Arrow tables (see `dagster_project/parsed_store.py`), so every field here becomes a warehouse column. Keeping the
model free of Dagster and DuckDB lets analysts and tests call the parser on a string alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# value_state values of the contract (docs/spec/warehouse.md, fct_report_metric). `inferred`: a table cell recovered from a digit
# run that lost its cell separators, where exactly one split satisfies the table's identities
# (glued.py); raw_text is then the whole run and `inferred_by` names the checks that decided it.
VALUE_STATES = ("number", "blank", "na_marker", "unparseable", "inferred")


@dataclass(slots=True)
class Line:
    """One normalised line of the decoded text; `no` is its 1-based line number in the decoded text.

    Not frozen: a report has hundreds of lines and a frozen dataclass costs three times as much to
    build; nothing mutates a Line after text.to_lines (or html.py) made it."""

    no: int
    text: str


@dataclass(slots=True)
class Cell:
    """One extracted value under a metric code of templates.py (or `prose.<name>`)."""

    metric_code: str
    value: Decimal | None  # the number as published, in `unit`; None unless value_state == "number"
    value_state: str  # one of VALUE_STATES
    raw_text: str  # exactly as it stood in the source cell, before any cleaning
    source_line: int  # 1-based line in the decoded text
    unit: str | None = None  # 件/项/万元/元/条…; for money the unit as written (or the header's)
    value_yuan: Decimal | None = None  # money only: value normalised to 元
    label_raw: str | None = None  # the row/column label as found, for audit
    approximate: bool = False  # prose only: "215余条"
    # PDF input only (None for text and HTML): the 1-based page and the cell's box as
    # (x0, y0, x1, y1) in PDF points, origin at the page's top-left corner, y growing downwards.
    page: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    read_by: str | None = None  # PDF only: 'pdf_text' (text layer) | 'ocr' (rendered page read by OCR)
    # value_state 'inferred' only: the check ids whose identities chose the split ('T3-3,T4-1'), None
    # when the digit count alone decided (e.g. '0000000' for 7 cells). See glued.py.
    inferred_by: str | None = None


@dataclass
class Section:
    section_code: str  # s1_overview … s6_other, or pre2019 codes (see sections.py)
    title: str
    body: str
    line_start: int  # 1-based, the title line
    line_end: int  # 1-based, inclusive


@dataclass
class Message:
    level: str  # "info" | "warning" | "error"
    code: str  # short machine code, e.g. "t3_missing_rows"
    text: str  # human sentence saying what is missing and where
    line: int | None = None


@dataclass
class Metadata:
    agency_name: str | None = None
    agency_type: str | None = None  # e.g. 民政局, 人民政府
    report_year: int | None = None
    published_on: str | None = None  # ISO date "2021-02-10"
    template_version: str = "unknown"
    province: str | None = None
    city: str | None = None
    district: str | None = None
    adcode: str | None = None  # 6 digits
    evidence: dict[str, int] = field(default_factory=dict)  # field name -> source line
    # field name -> the signal that gave it (title, html_title, crawler_header, path, intro,
    # compilation, contact, section1, signature, statistics_period …; see metadata.py)
    sources: dict[str, str] = field(default_factory=dict)


@dataclass
class ParsedReport:
    metadata: Metadata
    cells: list[Cell]
    sections: list[Section]
    messages: list[Message]
    parse_status: str  # ok | partial | failed (report.py says when)
