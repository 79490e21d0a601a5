"""Layout pre-passes for `tables.tokenize`: layouts that need more than one line to tokenize.

`tables.tokenize` reads most layouts one line at a time. Two families cannot be read that way:

- converter markdown and OCR text (markdown.py): a pipe table is a grid whose label columns are only
  known from the whole block (marker leaves merged cells blank, docling repeats them), and an
  embedded HTML <table> (MinerU) spans lines and needs html.py's rowspan/colspan grid;
- pdftotext -layout rows with blank cells (aligned.py): which column a value belongs to is only
  known from the header line(s) and the complete rows around it.

Both produce the same Token stream as every other layout, keyed by source line, so one matcher
(`tables.match_tokens`) still does all the mapping. `layout_tokens` returns None (the common case,
checked cheaply) when no line needs a pre-pass.
"""

from __future__ import annotations

from .aligned import aligned_tokens
from .markdown import markdown_tokens


def layout_tokens(lines) -> dict | None:
    """{line number: tokens replacing that line's own tokenization}, or None when nothing applies."""
    out: dict = {}
    markdown_tokens(lines, out)
    aligned_tokens(lines, out)
    return out or None
