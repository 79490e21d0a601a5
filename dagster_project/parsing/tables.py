"""Tables 二/三/四 -> Cells under the metric codes of templates.py (D-numbers below are the deviations of
docs/spec/templates.md §11).

Two stages, so that a new text layout costs a tokenizer and never a new parser:

1. `tokenize` turns lines of ANY layout into one flat stream of tokens: LABEL cells, VALUE cells
   (numbers, markers), EMPTY cells and ROW breaks, each with its source line and exact raw text.
   Layouts handled per line: pipe-delimited cells (` |` terminators, `|||` fillers, whole rows on
   one line), tab-indented cells (continuation lines merged, D3), and space-aligned pdftotext lines
   (trailing numbers are values, the rest is the label). HTML grids are tokenized in html.py.
   Layouts that need several lines at once are tokenized by pre-passes in layouts/: converter
   markdown grids and HTML tables embedded in markdown (layouts/markdown.py), and pdftotext rows
   with blank cells, whose values are placed by column position (layouts/aligned.py).
2. `match_tokens` walks the stream once. It groups tokens into segments (a run of labels followed by
   a run of values), follows the table regions (table 二 blocks, table 三, table 四), and maps each
   segment to a template row: exact label, then label contained in the segment's labels (the latest
   match wins, so group labels such as '(三)不予公开' before a sub-row lose), then a truncated label,
   then a similar label (OCR damage, placement.py), then position (D4/D5). Values are positional
   within the row. Label-less value rows of table 三 are placed by template order only when their
   count and the identities agree (placement.py); table 四 printed as three 5-column tables is
   joined in the order its group labels (or, without labels, its totals) confirm.

The matcher never invents a value: a row it cannot place or a short row yields a Message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from .model import Cell, Line, Message
from .placement import similar_row, t3_identities
from .templates import (
    T2_BLOCKS,
    T3_ALL_ROWS,
    T3_COLUMNS,
    T3_ROW_VERSIONS,
    T3_ROWS,
    T4_COLUMNS,
    V2019_MARKERS,
    V2019_TRUNCATED_MARKER,
    V2021_MARKERS,
    Block,
    Column,
    Row,
    expected_template,
    marker_vote,
)
from .text import BOOKMARK_RE, TRAD_TO_SIMP
from .values import looks_like_value, parse_value

LABEL, VALUE, EMPTY, ROW = 0, 1, 2, 3


@dataclass(slots=True)
class Token:
    kind: int
    raw: str  # the cell exactly as in the source, without layout separators
    line: int


@dataclass
class TableResult:
    cells: list[Cell]
    messages: list[Message]
    markers: set[str]  # version markers seen in table labels (docs/spec/templates.md §10)
    t2_version: str | None  # 'v2019' | 'v2021' | None when table 二 is absent
    t3_version: str | None  # 'v2019' | 'v2021' | 'hybrid' | None
    table_lines: dict[str, int] = field(default_factory=dict)  # 't2'/'t3'/'t4' -> line where it starts


# ---------------------------------------------------------------------------------------------
# Label keys
# ---------------------------------------------------------------------------------------------
_DROP_RE = re.compile(r"[\s,，、.．:：;；。\"'“”‘’/()（）\[\]【】<>《》〔〕|｜·・_\-—–~`]+")
_ENUM_RE = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．,，]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．,，)）])\s*")
_PAREN_RE = re.compile(r"[(（][^)）]*(?:[)）]|$)")


@lru_cache(maxsize=16384)
def flat_key(raw: str) -> str:
    """Label text for substring search: NFKC, simplified, no whitespace or punctuation."""
    text = BOOKMARK_RE.sub("", raw) if "[bookmark" in raw else raw
    text = unicodedata.normalize("NFKC", text).translate(TRAD_TO_SIMP)
    return _DROP_RE.sub("", text)


@lru_cache(maxsize=16384)
def core_key(raw: str) -> str:
    """Label identity (docs/spec/templates.md §11 'Label matching advice'): flat_key without the leading enumerator
    ('一、', '(一)', '1.', '1、') and without parenthetical notes ('规章(设区的市…)')."""
    text = BOOKMARK_RE.sub("", raw) if "[bookmark" in raw else raw
    text = unicodedata.normalize("NFKC", text).translate(TRAD_TO_SIMP)
    text = re.sub(r"\s+", "", text)
    text = _ENUM_RE.sub("", text, count=1)
    if text.startswith(("(", "（")):  # the whole label is a note: keep it
        return _DROP_RE.sub("", text)
    return _DROP_RE.sub("", _PAREN_RE.sub("", text))


_ENUM_DIGIT_RE = re.compile(r"^\s*[(（]?\s*(\d+|[一二三四五六七八九十]+)")


def enum_of(raw: str) -> str | None:
    m = _ENUM_DIGIT_RE.match(unicodedata.normalize("NFKC", raw))
    return m.group(1) if m else None


# ---------------------------------------------------------------------------------------------
# Stage 1: lines -> tokens
# ---------------------------------------------------------------------------------------------
_PIPE_RE = re.compile(r"[|｜]")
_SPACE_SPLIT_RE = re.compile(r"[ \u3000\u00a0]{1,}")
_STRIP = " \t\f"
_FILLER = _STRIP + "|｜"


def tokenize(lines: list[Line]) -> list[Token]:
    """Flatten lines of any text layout into tokens (see module docstring)."""
    out: list[Token] = []
    append = out.append
    last_tab_cell = False  # previous line was a tab-indented cell with content (for D3 continuations)
    from .layouts import layout_tokens  # layouts/ import this module: import when first needed

    pre = layout_tokens(lines)  # multi-line layouts (converter markdown, pdftotext columns), by line
    for line in lines:
        if pre is not None and line.no in pre:
            out.extend(pre[line.no])
            last_tab_cell = False
            continue
        raw = getattr(line, "raw", None) or line.text
        if "\f" in raw:
            raw = raw.replace("\f", "")
        no = line.no
        if "|" in raw or "｜" in raw:
            last_tab_cell = False
            parts = _PIPE_RE.split(raw)
            if not raw.strip(_FILLER):  # filler line: '|', '|||'
                for _ in range(len(parts) - 1):
                    append(Token(EMPTY, "", no))
                continue
            leading = not parts[0].strip(_STRIP)
            if leading:
                parts = parts[1:]
            if parts and not parts[-1].strip(_STRIP):
                parts = parts[:-1]
            if leading or len(parts) > 1:
                append(Token(ROW, "", no))
            for p in parts:
                cell = p.strip(_STRIP)
                append(Token(_cell_kind(cell), cell, no) if cell else Token(EMPTY, "", no))
            continue
        if "\t" in raw:
            parts = raw.split("\t")
            if not parts[0].strip(_STRIP):
                parts = parts[1:]
            had_content = False
            for p in parts:
                cell = p.strip(" \f")
                if not cell.strip():
                    append(Token(EMPTY, "", no))
                else:
                    had_content = True
                    append(Token(_cell_kind(cell), cell, no))
            last_tab_cell = had_content
            continue
        stripped = raw.strip(_STRIP)
        if not stripped:
            last_tab_cell = False
            append(Token(ROW, "", no))
            continue
        if last_tab_cell and out and out[-1].kind == LABEL and not looks_like_value(stripped):
            prev = out[-1]  # D3: a tab cell continued on the next line ('本年新\n制作数量')
            out[-1] = Token(LABEL, prev.raw + "\n" + stripped, prev.line)
            continue
        last_tab_cell = False
        append(Token(ROW, "", no))
        _tokenize_spaced(stripped, no, append)
    return out


@lru_cache(maxsize=65536)
def _cell_kind(cell: str) -> int:
    """VALUE or LABEL for a non-empty cell (cached: labels and small numbers recur in every report)."""
    return VALUE if looks_like_value(cell) else LABEL


def _tokenize_spaced(text: str, no: int, append) -> None:
    """A line without cell separators: trailing value-looking words are cells, the rest is a label."""
    words = _SPACE_SPLIT_RE.split(text)
    k = len(words)
    while k > 0 and looks_like_value(words[k - 1]):
        k -= 1
    if k > 0:
        if k == len(words):
            label = text
        else:
            # the label is the text up to the first trailing value word, as printed
            pos = len(text)
            for w in reversed(words[k:]):
                pos = text.rfind(w, 0, pos)
            label = text[:pos].rstrip(" \u3000\u00a0")
        append(Token(LABEL, label, no))
    for w in words[k:]:
        append(Token(VALUE, w, no))


# ---------------------------------------------------------------------------------------------
# Stage 2: tokens -> cells
# ---------------------------------------------------------------------------------------------
@dataclass(slots=True)
class Segment:
    labels: list[Token]
    values: list[Token]  # VALUE / EMPTY / ROW tokens in order
    label_from: int = -1  # index of the first label token of the row label (set by _match_row)

    def cells(self) -> list[Token]:
        return [t for t in self.values if t.kind != ROW]

    def has_numbers(self) -> bool:
        return any(t.kind == VALUE for t in self.values)


def segments_of(tokens: list[Token]) -> list[Segment]:
    segs: list[Segment] = []
    labels: list[Token] = []
    values: list[Token] = []
    for t in tokens:
        if t.kind == LABEL:
            if values and any(v.kind != ROW for v in values):
                segs.append(Segment(labels, values))
                labels, values = [], []
            elif values:
                values = []
            labels.append(t)
        else:
            values.append(t)
    segs.append(Segment(labels, values))
    return segs


_BLOCK_RE = re.compile(r"^第二十条第?([一二三四五六七八九十]?)项?")
_T3_HEADER_KEYS = frozenset(core_key(x) for x in (
    "申请人情况", "自然人", "法人或其他组织", "总计", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他",
))
_T4_GROUP_KEYS = frozenset(("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉"))
_T3_START_KEYS = ("本列数据的勾稽关系", "申请人情况", "收到和处理政府信息公开申请情况", "行政机关收到和处理政府信息公开申请情况")
_END_RE = re.compile(r"^\s*五\s*[、.,]")  # the heading after table 四: 五、存在的主要问题…


@dataclass(frozen=True)
class _RowIndex:
    """Lookup tables for matching labels to one ordered set of rows."""

    rows: tuple[Row, ...]
    exact: dict[str, int]  # core key -> row index
    contains: tuple[tuple[str, int], ...]  # (alias key of >= 4 chars, row index)
    enums: tuple[str | None, ...]
    keys: tuple[tuple[str, ...], ...] = ()  # core keys of label + aliases, per row (similarity)

    @classmethod
    def build(cls, rows: tuple[Row, ...]) -> "_RowIndex":
        exact: dict[str, int] = {}
        contains: list[tuple[str, int]] = []
        for i, r in enumerate(rows):
            for label in (r.label,) + r.aliases:
                k = core_key(label)
                exact.setdefault(k, i)
                if len(k) >= 4:
                    contains.append((k, i))
        keys = tuple(tuple(dict.fromkeys(core_key(x) for x in (r.label,) + r.aliases)) for r in rows)
        return cls(rows, exact, tuple(contains), tuple(enum_of(r.label) for r in rows), keys)


_T3_INDEX = _RowIndex.build(T3_ALL_ROWS)
_T2_INDEX = {
    b.code: _RowIndex.build(tuple(dict.fromkeys(r for v in ("v2019", "v2021") for bb in T2_BLOCKS[v] if bb.code == b.code for r in bb.rows)))
    for b in T2_BLOCKS["v2019"]
}
_BLOCK_BY_NUMERAL = {v: {b.numeral: b for b in T2_BLOCKS[v]} for v in T2_BLOCKS}
_BLOCK_ORDER = ("一", "五", "六", "八", "九")


def _match_row(seg: Segment, index: _RowIndex, filled: set[int], expected: int, allow_position: bool) -> tuple[int | None, str]:
    """Index of the template row this segment's labels name, and how it was decided.

    Side effect: `seg.label_from` is set to the first label token of the matched row label."""
    labels = seg.labels
    if not labels:
        return (expected, "position") if allow_position and expected < len(index.rows) and expected not in filled else (None, "")
    last = core_key(labels[-1].raw)
    i = index.exact.get(last)
    if i is not None and i not in filled:
        return i, "exact"
    tail = labels[-6:]
    flat = "".join(flat_key(t.raw) for t in tail)
    best: tuple[int, int, int] | None = None  # (position, length, row)
    for alias, i in index.contains:
        if i in filled:
            continue
        pos = flat.rfind(alias)
        if pos >= 0 and (best is None or (pos, len(alias)) > best[:2]):
            best = (pos, len(alias), i)
    if best is not None:
        pos, k = best[0], 0
        for k, t in enumerate(tail):
            pos -= len(flat_key(t.raw))
            if pos < 0:
                break
        seg.label_from = len(labels) - len(tail) + k
        return best[2], "contains"
    if len(last) >= 2:
        hits = [i for i, r in enumerate(index.rows) if i not in filled and last in core_key(r.label)]
        if hits:
            return min(hits, key=lambda i: (i < expected, abs(i - expected))), "truncated"
    i = similar_row(last, index.keys, filled, expected)  # OCR damage (placement.py)
    if i is not None:
        return i, "similar"
    if allow_position and expected < len(index.rows) and expected not in filled:
        target = core_key(index.rows[expected].label)
        overlap = len(set(last) & set(target))
        same_enum = enum_of(labels[-1].raw) is not None and enum_of(labels[-1].raw) == index.enums[expected]
        if (last and overlap * 2 >= len(set(last))) or same_enum:
            return expected, "position"
    return None, ""


def _label_raw(seg: Segment) -> str:
    """The row label as printed (label pieces joined by ' / '), for audit."""
    return " / ".join(t.raw.replace("\n", "") for t in seg.labels[seg.label_from:])


class _Matcher:
    def __init__(self, version_hint: str | None):
        self.cells: list[Cell] = []
        self.messages: list[Message] = []
        self.markers: set[str] = set()
        self.table_lines: dict[str, int] = {}
        self.state = "pre"
        self.version_hint = version_hint
        self.t2_version: str | None = None
        self.block: Block | None = None
        self.block_numeral_idx = -1
        self.t2_filled: dict[str, set[int]] = {}
        self.t3_filled: set[int] = set()
        self.t3_started_rows = False
        self.t4_labels: list[Token] = []
        self.t4_done = False
        self.t3_last = -1  # index of the last table-三 row filled (label-less rows are placed after it)
        self.t3_row_cells: dict[int, list[Token]] = {}  # filled row index -> its 7 cells (identity checks)
        self.t3_pending: list[tuple[int, list[list[Token]]]] = []  # (t3_last, label-less value rows)
        self.t4_parts: list[tuple[str | None, list[Token]]] = []  # table 四 printed as 5-column pieces
        self.t4_mark = 0  # len(t4_labels) when the last piece was read

    # -- helpers ----------------------------------------------------------------------------
    def _emit(self, code: str, col: Column, tok: Token, label_raw: str | None) -> None:
        value, state, unit, yuan = parse_value(tok.raw, col.value_type, col.unit)
        if col.value_type == "money" and yuan is None and value is not None and value == 0:
            yuan = Decimal(0)  # zero is zero in any unit; the template printed no unit (采购总金额)
        if type(tok) is Token:  # the common case: a text or HTML cell, no page or box
            self.cells.append(Cell(code, value, state, tok.raw, tok.line, unit, yuan, label_raw))
        else:  # PDF tokens (pdf.PdfToken) carry provenance
            self.cells.append(Cell(code, value, state, tok.raw, tok.line, unit, yuan, label_raw,
                                   page=getattr(tok, "page", None), bbox=getattr(tok, "bbox", None),
                                   read_by=getattr(tok, "read_by", None)))
        if isinstance(tok, glued.GluedCell):  # cut out of a digit run without separators: state, run, deciding checks
            tok.annotate(self.cells[-1], code, self.messages)
        elif state == "unparseable":
            self.messages.append(Message("warning", "unparseable_value", f"{code}: cannot read {tok.raw!r} as {col.value_type}", tok.line))

    def _take(self, seg: Segment, n: int, what: str) -> list[Token] | None:
        cells = seg.cells()
        line = seg.labels[-1].line if seg.labels else (cells[0].line if cells else None)
        if len(cells) < n:
            self.messages.append(Message("warning", "short_row", f"{what}: {len(cells)} value cells found where the template has {n}; row not stored", line))
            return None
        extra = [t for t in cells[n:] if t.kind == VALUE]
        if extra:
            self.messages.append(Message("warning", "extra_values", f"{what}: {len(extra)} values beyond the template's {n} columns ignored", line))
        return cells[:n]

    def _markers_of(self, tok: Token) -> None:
        found = _markers_in(tok.raw)
        if found:
            self.markers.update(found)

    def _version_t2(self) -> str:
        vote = marker_vote(self.markers)
        return vote if vote in ("v2019", "v2021") else self.version_hint or "v2021"

    # -- regions ----------------------------------------------------------------------------
    def _region_switch(self, tok: Token) -> bool:
        """Move between tables on headings and table heads; True when `tok` opened something."""
        block, opens_t3, opens_t4, ends = _region_marks(tok.raw)
        if block is not None and self.state in ("pre", "t2"):
            self.state = "t2"
            self.table_lines.setdefault("t2", tok.line)
            self._open_block(block, tok)
            return True
        if opens_t3 and self.state in ("pre", "t2"):
            self.state = "t3"
            self.table_lines.setdefault("t3", tok.line)
            return True
        if opens_t4 and self.state in ("t2", "t3"):
            self.state = "t4"
            self.table_lines.setdefault("t4", tok.line)
            return True
        if ends and self.state != "pre":
            self.state = "done"
            return True
        return False

    def _open_block(self, numeral: str, tok: Token) -> None:
        if self.t2_version is None:
            self.t2_version = self._version_t2()
        if numeral:
            idx = _BLOCK_ORDER.index(numeral) if numeral in _BLOCK_ORDER else -1
        else:  # D5: '第二十条第()' — the numeral was lost, the next block in order is meant
            idx = self.block_numeral_idx + 1
            self.messages.append(Message("info", "t2_block_by_position", "block header without its numeral; taken as the next block", tok.line))
        self.block_numeral_idx = idx
        numeral = _BLOCK_ORDER[idx] if 0 <= idx < len(_BLOCK_ORDER) else ""
        self.block = _BLOCK_BY_NUMERAL["v2019"].get(numeral)
        if self.block is None:
            self.messages.append(Message("warning", "t2_unknown_block", f"unknown table 二 block {tok.raw!r}", tok.line))

    # -- rows ---------------------------------------------------------------------------------
    def feed(self, seg: Segment) -> None:
        start = 0
        for i, tok in enumerate(seg.labels):
            self._markers_of(tok)
            if self._region_switch(tok):
                start = i + 1
        if start:
            seg = Segment(seg.labels[start:], seg.values)
        if self.state == "t2":
            self._feed_t2(seg)
        elif self.state == "t3":
            self._feed_t3(seg)
        elif self.state == "t4":
            self._feed_t4(seg)

    def _feed_t2(self, seg: Segment) -> None:
        if self.block is None or not seg.values:
            return
        version = self.t2_version or self._version_t2()
        block = _BLOCK_BY_NUMERAL[version].get(self.block.numeral)
        if block is None:
            if seg.has_numbers():
                self.messages.append(Message("warning", "t2_block_not_in_version", f"block {self.block.header} does not exist in {version}", seg.labels[-1].line if seg.labels else None))
            return
        index = _T2_INDEX[block.code]
        filled = self.t2_filled.setdefault(block.code, set())
        row_codes = [r.code for r in block.rows]
        expected = next((i for i, r in enumerate(index.rows) if i not in filled and r.code in row_codes), len(index.rows))
        i, how = _match_row(seg, index, filled, expected, allow_position=seg.has_numbers())
        if i is None or index.rows[i].code not in row_codes:
            if seg.has_numbers():
                self.messages.append(Message("warning", "t2_unmatched_row", f"table 二 {block.header}: row {_label_raw(seg)!r} is not in the {version} template; values not stored", seg.labels[-1].line if seg.labels else None))
            return
        row = index.rows[i]
        if how == "position":
            self.messages.append(Message("info", "row_by_position", f"table 二 row {_label_raw(seg)!r} taken as {row.label} by position", seg.labels[-1].line if seg.labels else None))
        elif how == "similar":
            self.messages.append(Message("info", "row_by_similarity", f"table 二 row {_label_raw(seg)!r} taken as {row.label} by label similarity", seg.labels[-1].line))
        cells = self._take(seg, len(block.columns), f"table 二 {block.header} {row.label}")
        if cells is None:
            return
        filled.add(i)
        label = _label_raw(seg) or None
        for col, tok in zip(block.columns, cells):
            self._emit(f"t2.{block.code}.{row.code}.{col.code}", col, tok, label)

    def _feed_t3(self, seg: Segment) -> None:
        if not seg.values:
            return
        if len(seg.labels) >= 2 and all(_is_t3_header(t) for t in seg.labels):
            # a column header, also when repeated on a new page: rows right under it have no label
            # of their own; they are placed like label-less rows (finish), never by the header's 总计
            rows = _value_rows(seg.values) if seg.has_numbers() else []
            if rows:
                self.t3_started_rows = True
                self.t3_pending.append((self.t3_last, rows))
            return
        rows = _value_rows(seg.values) if seg.has_numbers() else []
        if len(rows) >= 2 and all(len(r) >= len(T3_COLUMNS) for r in rows):
            # several full value rows under one label run: label-less rows (a value table printed
            # apart from its label column). A label on one line keeps its own first row; the others
            # are placed in finish(), by template order when row count and identities agree.
            if seg.labels and len({t.line for t in seg.labels}) == 1:
                self._feed_t3(Segment(seg.labels, rows[0]))
                rows = rows[1:]
            self.t3_started_rows = True
            self.t3_pending.append((self.t3_last, rows))
            return
        if not self.t3_started_rows:
            if not seg.has_numbers():
                return  # header fillers before the first data row
            if seg.labels and core_key(seg.labels[-1].raw) in _T3_HEADER_KEYS:
                return
        expected = next((i for i in range(len(T3_ALL_ROWS)) if i not in self.t3_filled and i > max(self.t3_filled, default=-1)), len(T3_ALL_ROWS))
        # the v2019 single row and the v2021 sub-rows are alternatives: skip over them for the guess
        i, how = _match_row(seg, _T3_INDEX, self.t3_filled, expected, allow_position=seg.has_numbers())
        if i is None:
            if seg.has_numbers():
                self.messages.append(Message("warning", "t3_unmatched_row", f"table 三: row {_label_raw(seg)!r} matches no template row; values not stored", seg.labels[-1].line if seg.labels else None))
            return
        row = T3_ALL_ROWS[i]
        if how == "position":
            self.messages.append(Message("info", "row_by_position", f"table 三 row {_label_raw(seg)!r} taken as {row.label} by position", seg.labels[-1].line if seg.labels else None))
        elif how == "similar":
            self.messages.append(Message("info", "row_by_similarity", f"table 三 row {_label_raw(seg)!r} taken as {row.label} by label similarity", seg.labels[-1].line))
        cells = self._take(seg, len(T3_COLUMNS), f"table 三 {row.label}")
        if cells is None:
            return
        self.t3_started_rows = True
        self.t3_filled.add(i)
        self.t3_last = i
        self.t3_row_cells[i] = cells
        label = _label_raw(seg) or None
        for col, tok in zip(T3_COLUMNS, cells):
            self._emit(f"t3.{row.code}.{col.code}", col, tok, label)

    def _feed_t4(self, seg: Segment) -> None:
        self.t4_labels.extend(seg.labels)
        if self.t4_done or not seg.has_numbers():
            return
        vals = seg.values
        first = next(i for i, t in enumerate(vals) if t.kind == VALUE)
        j = first
        while j > 0 and vals[j - 1].kind == EMPTY:
            j -= 1
        start = j if j > 0 and vals[j - 1].kind == ROW else first  # leading blanks count only inside a known row
        row = Segment([], vals[start:])
        piece = row.cells()
        rows = _value_rows(vals[start:])
        if self.t4_parts or len(piece) in (5, 10) or (len(rows) == 3 and all(len(r) == 5 for r in rows)):
            for r in rows if all(len(r) == 5 for r in rows) else [piece]:  # table 四 printed in 5-column tables
                if not self.t4_done:
                    self._t4_piece(r)
            return
        cells = self._take(row, len(T4_COLUMNS), "table 四")
        self.t4_done = True
        self.state = "done"
        if cells is None:
            return
        headers = [t for t in self.t4_labels if core_key(t.raw) not in _T4_GROUP_KEYS and not t.raw.startswith(("四", "4"))]
        heads = [t.raw for t in headers[-15:]] if len(headers) >= 15 else None
        for k, (col, tok) in enumerate(zip(T4_COLUMNS, cells)):
            self._emit(f"t4.{col.code}", col, tok, heads[k] if heads else None)

    def _t4_piece(self, piece: list[Token]) -> None:
        """Collect table 四 printed in 5-column pieces; store them when the 15 columns are complete,
        in the order the group labels (行政复议 / 未经复议直接起诉 / 复议后起诉) say, or, for pieces
        without a group label, in template order when each piece's 总计 is the sum of its parts."""
        groups = [_t4_group(t) for t in self.t4_labels[self.t4_mark:]]
        self.t4_mark = len(self.t4_labels)
        group = next((g for g in reversed(groups) if g), None)
        for k in range(0, len(piece), 5):
            self.t4_parts.append((group if k == 0 else None, piece[k:k + 5]))
        if sum(len(p) for _, p in self.t4_parts) < len(T4_COLUMNS):
            return
        self.t4_done = True
        self.state = "done"
        line = piece[0].line if piece else None
        order = ("review", "lit_direct", "lit_after_review")
        problem = None
        if len(self.t4_parts) != 3 or any(len(p) != 5 for _, p in self.t4_parts):
            problem = f"{sum(len(p) for _, p in self.t4_parts)} values in pieces of {[len(p) for _, p in self.t4_parts]}"
        else:
            for k, (g, p) in enumerate(self.t4_parts):
                if g is not None and g != order[k]:
                    problem = f"piece {k + 1} is labelled {g}, the template has {order[k]} there"
                    break
                nums = [_count(t) for t in p]
                if g is None and (any(v is None for v in nums) or sum(nums[:4]) != nums[4]):
                    problem = f"piece {k + 1} has no group label and its 总计 is not the sum of its parts"
                    break
        if problem:
            self.messages.append(Message("warning", "t4_pieces_unplaced", f"table 四 printed in pieces not stored: {problem}", line))
            return
        cells = [t for _, p in self.t4_parts for t in p]
        for col, tok in zip(T4_COLUMNS, cells):
            self._emit(f"t4.{col.code}", col, tok, None)

    def _place_label_less(self) -> None:
        """Place buffered label-less table-三 rows by template order, only when row count and the
        identities agree (placement.t3_identities); otherwise leave them with a message."""
        gaps: dict[tuple[int, int], list[list[Token]]] = {}
        for after, rows in self.t3_pending:
            nxt = min((i for i in self.t3_filled if i > after), default=len(T3_ALL_ROWS))
            gaps.setdefault((after, nxt), []).extend(rows)
        order = [v for v in (self.t2_version or self.version_hint, "v2021", "v2019") if v]
        reasons: list[str] = []
        for version in dict.fromkeys(order):
            idx = [T3_ALL_ROWS.index(r) for r in T3_ROWS[version]]
            plan: list[tuple[int, list[Token]]] = []
            for (after, nxt), rows in gaps.items():
                slots = [i for i in idx if after < i < nxt and i not in self.t3_filled]
                if len(slots) != len(rows):
                    reasons.append(f"{version}: {len(rows)} rows where the template leaves {len(slots)} rows to fill")
                    plan = []
                    break
                bad = next((r for r in rows if len(r) < len(T3_COLUMNS) or any(t.kind == VALUE for t in r[len(T3_COLUMNS):])), None)
                if bad is not None:
                    reasons.append(f"a row has {len(bad)} cells where the template has {len(T3_COLUMNS)} (line {bad[0].line})")
                    plan = []
                    break
                plan.extend(zip(slots, rows))
            if not plan:
                continue
            table = {T3_ALL_ROWS[i].code: c for i, c in self.t3_row_cells.items()}
            table.update({T3_ALL_ROWS[i].code: c for i, c in plan})
            why = t3_identities(table, [T3_ALL_ROWS[i].code for i, _ in plan], version)
            if why is not None:
                reasons.append(f"{version}: {why}")
                continue
            for i, cells in plan:
                self.t3_filled.add(i)
                for col, tok in zip(T3_COLUMNS, cells):
                    self._emit(f"t3.{T3_ALL_ROWS[i].code}.{col.code}", col, tok, None)
            rows_txt = ", ".join(T3_ALL_ROWS[i].code for i, _ in plan[:3]) + ("…" if len(plan) > 3 else "")
            self.messages.append(Message("info", "t3_rows_by_order", f"table 三: {len(plan)} label-less value rows placed by {version} template order ({rows_txt}); row count and identities T3-1/T3-2/T3-3 agree", plan[0][1][0].line))
            return
        n = sum(len(r) for _, r in self.t3_pending)
        first = self.t3_pending[0][1][0][0].line
        self.messages.append(Message("warning", "t3_label_less_rows", f"table 三: {n} value rows without labels not stored: {'; '.join(reasons)}", first))

    # -- completeness ---------------------------------------------------------------------------
    def finish(self) -> TableResult:
        if self.t3_pending:
            self._place_label_less()
        if self.t4_parts and not self.t4_done:
            n = sum(len(p) for _, p in self.t4_parts)
            self.messages.append(Message("warning", "t4_pieces_unplaced", f"table 四: {n} values in 5-column pieces where the template has {len(T4_COLUMNS)}; not stored", self.t4_parts[0][1][0].line))
        t3_version = None
        codes = {T3_ALL_ROWS[i].code for i in self.t3_filled}
        has19 = "other_processing" in codes
        has21 = bool(codes & {"other_overdue_correction", "other_unpaid_fee", "other_other"})
        if has19 and has21:
            t3_version = "hybrid"
        elif has19:
            t3_version = "v2019"
        elif has21:
            t3_version = "v2021"
        elif self.t3_filled:
            t3_version = self.t2_version or self._version_t2()
        if self.t2_version is None and "t2" in self.table_lines:
            self.t2_version = self._version_t2()
        if has19 and self.t2_version == "v2021":
            self.messages.append(Message("warning", "t3_hybrid_other_processing",
                                         "table 三 prints the 2019 single row （六）其他处理 in a report whose table 二 is v2021; "
                                         "stored as t3.other_processing.*, the three v2021 sub-rows are not invented", self.table_lines.get("t3")))
        self._missing_messages(t3_version)
        return TableResult(self.cells, self.messages, self.markers, self.t2_version, t3_version, self.table_lines)

    def _missing_messages(self, t3_version: str | None) -> None:
        if not self.table_lines:
            self.messages.append(Message("info", "no_tables", "no table 二/三/四 found (prose-only report?)"))
            return
        if "t2" in self.table_lines and self.t2_version:
            for b in T2_BLOCKS[self.t2_version]:
                filled = {_T2_INDEX[b.code].rows[i].code for i in self.t2_filled.get(b.code, set())}
                for r in b.rows:
                    if r.code not in filled:
                        self.messages.append(Message("warning", "t2_missing_row", f"table 二 {b.header} row {r.label} not found (table starts at line {self.table_lines['t2']})", self.table_lines["t2"]))
        else:
            self.messages.append(Message("warning", "t2_missing", "table 二 not found"))
        if "t3" in self.table_lines:
            version = t3_version if t3_version in ("v2019", "v2021") else None
            filled = {T3_ALL_ROWS[i].code for i in self.t3_filled}
            for r in T3_ALL_ROWS:
                in_version = (version in T3_ROW_VERSIONS[r.code]) if version else len(T3_ROW_VERSIONS[r.code]) == 2
                if in_version and r.code not in filled:
                    self.messages.append(Message("warning", "t3_missing_row", f"table 三 row {r.label} not found (table starts at line {self.table_lines['t3']})", self.table_lines["t3"]))
        else:
            self.messages.append(Message("warning", "t3_missing", "table 三 not found"))
        if "t4" not in self.table_lines:
            self.messages.append(Message("warning", "t4_missing", "table 四 not found"))
        elif not any(c.metric_code.startswith("t4.") for c in self.cells):
            self.messages.append(Message("warning", "t4_missing_values", f"table 四 values not found (table starts at line {self.table_lines['t4']})", self.table_lines["t4"]))


@lru_cache(maxsize=16384)
def _region_marks(raw: str) -> tuple[str | None, bool, bool, bool]:
    """What a label cell can open or close, whatever the matcher's state: (table 二 block numeral
    or None, opens table 三, opens table 四, ends the tables). Cached per label text."""
    fk = flat_key(raw)
    ck = core_key(raw)
    m = _BLOCK_RE.match(fk)
    opens_t3 = fk.startswith(_T3_START_KEYS) or ck in _T3_START_KEYS
    opens_t4 = ck.startswith("行政复议") or ("行政复议" in ck and "行政诉讼" in ck and ck.endswith("情况"))
    ends = _END_RE.match(unicodedata.normalize("NFKC", raw.strip())) is not None
    return (m.group(1) if m else None), opens_t3, opens_t4, ends


@lru_cache(maxsize=16384)
def _markers_in(raw: str) -> tuple[str, ...]:
    """The version markers a label cell contains (cached: the same labels recur in every report)."""
    fk = flat_key(raw)
    found = tuple(m for m in V2021_MARKERS + V2019_MARKERS if m in fk)
    if core_key(raw) == V2019_TRUNCATED_MARKER:  # truncated v2019 header (D4, seed 003)
        found += (V2019_TRUNCATED_MARKER,)
    return found


def _is_t3_header(tok: Token) -> bool:
    """A table-三 column header cell (自然人 … 总计, 申请人情况) or the 勾稽 note cell."""
    return core_key(tok.raw) in _T3_HEADER_KEYS or "勾稽关系" in flat_key(tok.raw)


def _value_rows(values: list[Token]) -> list[list[Token]]:
    """The cells of a label-less segment, one list per ROW; rows without a value are dropped
    unless they are a full row of blanks."""
    rows: list[list[Token]] = []
    cur: list[Token] = []
    for t in values:
        if t.kind == ROW:
            if cur:
                rows.append(cur)
            cur = []
        else:
            cur.append(t)
    if cur:
        rows.append(cur)
    return [r for r in rows if len(r) >= len(T3_COLUMNS) or any(t.kind == VALUE for t in r)]


def _t4_group(tok: Token) -> str | None:
    fk = flat_key(tok.raw)
    if "直接起诉" in fk:
        return "lit_direct"
    if "复议后起诉" in fk:
        return "lit_after_review"
    if "行政复议" in fk and "诉讼" not in fk:
        return "review"
    return None


def _count(tok: Token) -> Decimal | None:
    value, state, _, _ = parse_value(tok.raw, "count", "件")
    return value if state == "number" else (Decimal(0) if state == "blank" else None)


def _doc_version_hint(tokens: list[Token]) -> str | None:
    text = "".join(flat_key(t.raw) for t in tokens if t.kind == LABEL and len(t.raw) < 60)
    vote = marker_vote(text)
    return vote if vote in ("v2019", "v2021") else None


def match_tokens(tokens: list[Token]) -> TableResult:
    matcher = _Matcher(_doc_version_hint(tokens))
    for seg in segments_of(tokens):
        matcher.feed(seg)
    return matcher.finish()


def extract_tables(lines: list[Line]) -> TableResult:
    """Every cell of tables 二/三/四 found in `lines` (from text.to_lines), with messages for gaps.

    A report whose tables come out incomplete gets a second look for table rows whose cells lost their
    separators (glued.py); its tokens are used when it found such rows."""
    result = match_tokens(tokenize(lines))
    if any(m.code in glued.NEEDS_GLUED for m in result.messages):
        tokens = glued.tokenize_glued(lines, tokenize)
        if tokens is not None:
            result = match_tokens(tokens)
    return result


# ---------------------------------------------------------------------------------------------
# Template version (docs/spec/templates.md §10)
# ---------------------------------------------------------------------------------------------
_SINGLE_OTHER_RE = re.compile(r"\(六\)其他处理[\s|]*(?:\d+|[/\-—]+)(?=[\s|]|$)")


def detect_template_version(lines: list[Line], report_year: int | None, tables: TableResult | None = None) -> str:
    """pre2019 / v2019 / v2021 / hybrid / unknown.

    Markers of both versions, or a v2021 table 二 with the 2019 single （六）其他处理 row, give
    'hybrid'. Without markers: a year <= 2018 is pre2019; a later report without tables is
    'unknown' (`nonconforming_prose` of docs/spec/templates.md §10 step 4).
    """
    if tables is not None:
        markers = tables.markers
        single_other = tables.t3_version in ("v2019", "hybrid")
    else:
        joined = "".join(_DROP_RE.sub("", ln.text) for ln in lines if len(ln.text) < 200)
        markers = {m for m in V2021_MARKERS + V2019_MARKERS if m in joined}
        single_other = any(_SINGLE_OTHER_RE.search(ln.text) for ln in lines if "其他处理" in ln.text)
        if any(core_key(ln.text) == V2019_TRUNCATED_MARKER for ln in lines if V2019_TRUNCATED_MARKER in ln.text):
            markers.add(V2019_TRUNCATED_MARKER)
    vote = marker_vote(markers)
    if vote == "both" or (vote == "v2021" and single_other):
        return "hybrid"
    if vote is not None:
        return vote
    if report_year is not None and expected_template(report_year) == "pre2019":
        return "pre2019"
    return "unknown"


from . import glued  # noqa: E402  (last: glued.py builds on this module's tokens and keys)
