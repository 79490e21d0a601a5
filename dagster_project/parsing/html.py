"""HTML reports: tables become cell grids, the rest becomes lines.

The stdlib parser is enough (lxml is not installed) and tolerates the broken markup portals emit.
Each <table> is expanded into a grid honouring rowspan/colspan (docs/spec/templates.md §4.1/§5 layouts, D16); the
grid is then tokenized exactly like a text layout (one ROW token per <tr>, one token per cell that
starts at that grid position), so tables.py's single matcher does the rest. Line numbers are the
source lines of the cells' <td>/<th> tags (HTMLParser.getpos()).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from .tables import EMPTY, LABEL, ROW, VALUE, TableResult, Token, match_tokens
from .text import SourceLine, normalise_line
from .values import looks_like_value

_SKIP = frozenset({"script", "style", "head", "title", "noscript"})
_HEADINGS = frozenset({"h1", "h2", "h3"})
_BLOCK = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "table"})


@dataclass
class HtmlCell:
    text: str  # cell text with <p>/<br> boundaries as '\n', entities decoded (&nbsp; -> U+00A0)
    line: int  # source line of the <td>/<th> tag
    rowspan: int = 1
    colspan: int = 1


@dataclass
class HtmlTable:
    rows: list[list[HtmlCell]]
    line: int

    def grid(self) -> list[list[tuple[HtmlCell, bool] | None]]:
        """Row-major grid; each slot holds (cell, is_origin). Spanned slots repeat the cell."""
        grid: list[list[tuple[HtmlCell, bool] | None]] = []
        for r, row in enumerate(self.rows):
            while len(grid) <= r:
                grid.append([])
            c = 0
            for cell in row:
                while c < len(grid[r]) and grid[r][c] is not None:
                    c += 1
                for dr in range(cell.rowspan):
                    while len(grid) <= r + dr:
                        grid.append([])
                    target = grid[r + dr]
                    for dc in range(cell.colspan):
                        while len(target) <= c + dc:
                            target.append(None)
                        target[c + dc] = (cell, dr == 0 and dc == 0)
                c += cell.colspan
        return grid


@dataclass
class HtmlDocument:
    lines: list[SourceLine] = field(default_factory=list)  # text outside tables, by source line
    tables: list[HtmlTable] = field(default_factory=list)
    order: list[tuple[str, int]] = field(default_factory=list)  # ('line', i) / ('table', i) in document order
    # for metadata.py: the <title> text and the h1..h3 headings outside tables, with their source lines
    title: SourceLine | None = None
    headings: list[SourceLine] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = HtmlDocument()
        self.skip = 0
        self.tables: list[HtmlTable] = []  # open tables (nested ones are flattened into their cell text)
        self.cell: HtmlCell | None = None
        self.cell_parts: list[str] = []
        self.text_parts: list[str] = []
        self.text_line = 0
        self.title_parts: list[str] | None = None  # collecting <title> text
        self.title_line = 0
        self.heading_from: int | None = None  # index into doc.lines where an open h1..h3 starts

    # outside-table text -------------------------------------------------------------------
    def _flush_text(self) -> None:
        text = "".join(self.text_parts).strip()
        self.text_parts = []
        if text:
            for k, piece in enumerate(text.split("\n")):
                if piece.strip():
                    self.doc.order.append(("line", len(self.doc.lines)))
                    self.doc.lines.append(SourceLine(self.text_line + k, normalise_line(piece.strip()), piece.strip()))

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _SKIP:
            self.skip += 1
            if tag == "title" and self.doc.title is None:
                self.title_parts, self.title_line = [], self.getpos()[0]
            return
        line = self.getpos()[0]
        if tag == "table":
            if not self.tables:
                self._flush_text()
            self.tables.append(HtmlTable([], line))
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables:
            a = dict(attrs)
            self.cell = HtmlCell("", line, _span(a.get("rowspan")), _span(a.get("colspan")))
            self.cell_parts = []
            if not self.tables[-1].rows:
                self.tables[-1].rows.append([])
            self.tables[-1].rows[-1].append(self.cell)
        elif tag in _BLOCK:
            if self.cell is not None:
                self.cell_parts.append("\n")
            elif not self.tables:
                self._flush_text()
                if tag in _HEADINGS:
                    self.heading_from = len(self.doc.lines)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skip -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            if tag == "title" and self.title_parts is not None:
                title = " ".join("".join(self.title_parts).split())
                if title:
                    self.doc.title = SourceLine(self.title_line, normalise_line(title), title)
                self.title_parts = None
            return
        if tag in ("td", "th") and self.cell is not None:
            self.cell.text = "".join(self.cell_parts).strip(" \t\r\n")
            self.cell = None
        elif tag == "table" and self.tables:
            t = self.tables.pop()
            if not self.tables:
                self.doc.order.append(("table", len(self.doc.tables)))
                self.doc.tables.append(t)
        elif tag in _BLOCK:
            if self.cell is not None:
                self.cell_parts.append("\n")
            elif not self.tables:
                self._flush_text()
                if tag in _HEADINGS and self.heading_from is not None:
                    self.doc.headings.extend(self.doc.lines[self.heading_from :])
                    self.heading_from = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            if self.title_parts is not None:
                self.title_parts.append(data)
            return
        if self.cell is not None:
            self.cell_parts.append(data.replace("\r", "").replace("\n", ""))
        elif not self.tables:
            if not self.text_parts:
                self.text_line = self.getpos()[0]
            self.text_parts.append(data.replace("\r", "").replace("\n", ""))

    def close(self) -> None:
        super().close()
        self._flush_text()


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(str(value).strip()), 200))
    except (TypeError, ValueError):
        return 1


def parse_html(text: str) -> HtmlDocument:
    p = _Parser()
    p.feed(text)
    p.close()
    return p.doc


def html_tokens(doc: HtmlDocument) -> list[Token]:
    """Document-order tokens: outside text as labels, each table row as ROW + its origin cells."""
    out: list[Token] = []
    for kind, i in doc.order:
        if kind == "line":
            ln = doc.lines[i]
            out.append(Token(ROW, "", ln.no))
            out.append(Token(LABEL, ln.raw, ln.no))
            continue
        for row in doc.tables[i].grid():
            out.append(Token(ROW, "", row[0][0].line if row and row[0] else doc.tables[i].line))
            for slot in row:
                if slot is None or not slot[1]:
                    continue
                cell = slot[0]
                raw = cell.text
                if not raw.strip(" \t\n\u00a0\u3000"):
                    out.append(Token(EMPTY, raw, cell.line))
                else:
                    out.append(Token(VALUE if looks_like_value(raw) else LABEL, raw, cell.line))
    return out


def extract_tables_html(text: str) -> tuple[TableResult, list[SourceLine]]:
    """Tables 二/三/四 of an HTML report, plus its non-table text as lines for prose parsing."""
    table_result, lines, _doc = extract_html(text)
    return table_result, lines


def extract_html(text: str) -> tuple[TableResult, list[SourceLine], HtmlDocument]:
    """As extract_tables_html, plus the document (its <title> and headings feed metadata.py)."""
    doc = parse_html(text)
    return match_tokens(html_tokens(doc)), doc.lines, doc


def title_signals(doc: HtmlDocument) -> list[tuple[str, int, str]]:
    """(source, line, text) of the <title> and the h1..h3 headings, for metadata.extract_metadata."""
    signals = [("html_heading", line.no, line.raw) for line in doc.headings]
    if doc.title is not None:
        signals.append(("html_title", doc.title.no, doc.title.raw))
    return signals
