"""The cell value grammar (docs/spec/templates.md §6): raw cell text -> (value, value_state, unit, value_yuan).

Rules that matter downstream:
- Never invent or repair a number. Anything outside the grammar is `unparseable` with raw_text kept.
- Blank and N/A markers are different states: blank usually means 0 (the warehouse decides, §7.4),
  a marker such as `/` means "not applicable" and must never become 0.
- Decimal all the way: 2876.4869万元 keeps its 4 decimal places.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

BOOKMARK_RE = re.compile(r"\[bookmark:[^\]]*\]")
# Whitespace of any width, including NBSP / ideographic space (NFKC maps both to a plain space).
_SPACE_RE = re.compile(r"\s+")
# Thousands separators: a comma between digits followed by exactly three digits.
_THOUSANDS_RE = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")
_NUMBER_RE = re.compile(r"^(?P<sign>[+\-增减]?)(?P<num>\d+(?:\.\d+)?)(?P<unit>万元|亿元|元|件|项|条|个)?$")
NA_MARKERS = frozenset({"/", "-", "—", "--", "——", "–", "无", "不适用", "\\"})
_YUAN_FACTOR = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000)}
VALUE_TYPES = ("count", "signed_count", "money")

ParsedValue = tuple[Decimal | None, str, str | None, Decimal | None]


@lru_cache(maxsize=4096)
def clean_cell(raw: str) -> str:
    """Cell text as the grammar sees it: debris removed, NFKC, no whitespace, no thousands commas."""
    text = BOOKMARK_RE.sub("", raw)
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE_RE.sub("", text)
    return _THOUSANDS_RE.sub("", text)


@lru_cache(maxsize=16384)
def looks_like_value(raw: str) -> bool:
    """True when a cell reads as a table value (number, marker or blank) rather than a label."""
    text = clean_cell(raw)
    return text == "" or text in NA_MARKERS or _NUMBER_RE.match(text) is not None


@lru_cache(maxsize=8192)
def parse_value(raw: str, value_type: str, header_unit: str | None) -> ParsedValue:
    """Parse one cell. Returns (value, value_state, unit, value_yuan).

    `header_unit` is the unit printed in the column header (万元 for the v2021 fee column, 件/项 for
    counts); a unit written in the cell wins over it. value_yuan is set for money only.
    增/减 words are a sign only in signed_count columns (本年增/减); elsewhere they are unparseable.
    An ASCII sign or a fraction in a count column is kept as published: the arithmetic checks
    (T2-1, T3-5) flag it, the parser does not judge it.
    """
    if value_type not in VALUE_TYPES:
        raise ValueError(f"unknown value_type {value_type!r}")
    text = clean_cell(raw)
    if text == "":
        return None, "blank", header_unit, None
    if text in NA_MARKERS:
        return None, "na_marker", header_unit, None
    m = _NUMBER_RE.match(text)
    if m is None:
        return None, "unparseable", header_unit, None
    sign, unit = m["sign"], m["unit"]
    if sign in ("增", "减") and value_type != "signed_count":
        return None, "unparseable", header_unit, None
    if unit in _YUAN_FACTOR and value_type != "money":
        return None, "unparseable", header_unit, None
    if unit in ("件", "项", "条", "个") and value_type == "money":
        return None, "unparseable", header_unit, None
    try:
        value = Decimal(m["num"])
    except InvalidOperation:  # pragma: no cover - the regex only lets digits through
        return None, "unparseable", header_unit, None
    if sign in ("-", "减"):
        value = -value
    unit = unit or header_unit
    value_yuan = None
    if value_type == "money" and unit in _YUAN_FACTOR:
        value_yuan = value * _YUAN_FACTOR[unit]
    return value, "number", unit, value_yuan
