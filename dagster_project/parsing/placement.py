"""Placing rows whose labels are damaged or missing (converter markdown, OCR text).

Two rules the matcher (tables.py) calls when exact, contained and truncated labels all fail:

- `similar_row`: an OCR-damaged label ('属于国家泌密', '其他法律行攻法规禁止公开', dropped characters)
  is matched to the template row whose normalised label (core key) is most similar by difflib's
  ratio, when the ratio is >= SIMILARITY_MIN and beats the runner-up by SIMILARITY_MARGIN. On a tie
  the expected (next) row wins if it is among the tied rows; otherwise nothing is matched. Only
  label text is compared, never numbers.
- `t3_identities`: label-less value rows of table 三 (a value table printed apart from its label
  column, placeholder headers `数据1…`) are placed by template order only when their count equals
  the number of template rows they must fill AND the table's identities hold with them in place:
  per column 一+二 = 七+四 (T3-1) and 七 = Σ(一..六) (T3-2), and per placed row Σ six applicant
  columns = 总计 (T3-3). Blank counts as 0 here (docs/spec/templates.md §7.4); any other non-number fails the check.
"""

from __future__ import annotations

from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from .templates import T3_COLUMNS, T3_ROWS

SIMILARITY_MIN = 0.75
SIMILARITY_MARGIN = 0.1
MIN_KEY_CHARS = 3  # shorter keys ('其他', '总计') are too short to compare by similarity

_OUTCOME_EXCLUDED = ("new_received", "carried_over", "total_processed", "carried_forward")


@lru_cache(maxsize=8192)
def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def similar_row(key: str, row_keys: tuple[tuple[str, ...], ...], filled: set[int], expected: int) -> int | None:
    """Index of the unfilled row whose keys (label + aliases, as core keys) `key` resembles most."""
    if len(key) < MIN_KEY_CHARS:
        return None
    scored = sorted(
        ((max(_ratio(key, k) for k in keys), i) for i, keys in enumerate(row_keys) if i not in filled and keys),
        reverse=True,
    )
    if not scored or scored[0][0] < SIMILARITY_MIN:
        return None
    best = scored[0][0]
    tied = [i for r, i in scored if best - r < SIMILARITY_MARGIN]
    if len(tied) == 1:
        return tied[0]
    return expected if expected in tied else None


def _num(tok) -> Decimal | None:
    from .values import clean_cell, parse_value

    if tok is None:
        return None
    if clean_cell(tok.raw) == "":
        return Decimal(0)
    value, state, _, _ = parse_value(tok.raw, "count", "件")
    return value if state == "number" else None


def t3_identities(rows: dict[str, list], placed: list[str], version: str) -> str | None:
    """None when T3-1, T3-2 (all columns) and T3-3 (placed rows) hold; else the reason.

    rows: row code -> 7 tokens (every row of the table, placed rows included)."""
    codes = [r.code for r in T3_ROWS[version]]
    missing = [c for c in codes if c not in rows]
    if missing:
        return f"rows {', '.join(missing[:3])}{'…' if len(missing) > 3 else ''} are missing, the identities cannot be checked"
    vals: dict[str, list[Decimal]] = {}
    for code in codes:
        got = [_num(t) for t in rows[code][: len(T3_COLUMNS)]]
        if len(got) < len(T3_COLUMNS) or any(v is None for v in got):
            return f"row {code} has a cell that is not a number or blank"
        vals[code] = got  # type: ignore[assignment]
    outcomes = [c for c in codes if c not in _OUTCOME_EXCLUDED]
    for j, col in enumerate(T3_COLUMNS):
        lhs = vals["new_received"][j] + vals["carried_over"][j]
        rhs = vals["total_processed"][j] + vals["carried_forward"][j]
        if lhs != rhs:
            return f"T3-1 fails in column {col.code} ({lhs} != {rhs})"
        parts = sum(vals[c][j] for c in outcomes)
        if parts != vals["total_processed"][j]:
            return f"T3-2 fails in column {col.code} ({vals['total_processed'][j]} != {parts})"
    for code in placed:
        if sum(vals[code][:6]) != vals[code][6]:
            return f"T3-3 fails in placed row {code}"
    return None
