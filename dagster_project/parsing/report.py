"""One raw report in, one ParsedReport out: the parser's only entry points.

Why a catch-all: the pipeline parses tens of thousands of files written by thousands of agencies;
one odd file must become a `failed` row with a message naming the problem, never a crashed run.
Every step below runs inside `parse_text`'s guard, and `parse_bytes` guards decoding too.

parse_status says how far the report can be trusted:
- ok: everything its template requires was read (v2019/v2021: every table cell, agency, year;
  pre2019: agency, year, sections);
- partial: something is missing; a message says what and where;
- failed: nothing useful (empty, undecodable, not a report).
"""

from __future__ import annotations

import re
import traceback
from decimal import Decimal

from . import html as html_module
from . import pdf as pdf_module
from . import tables, templates
from . import text as text_module
from .metadata import describe_sources, extract_metadata
from .model import Cell, Message, Metadata, ParsedReport, Section
from .prose import extract_prose_metrics
from .regions import apply_region, resolve_region
from .sections import extract_sections

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".xhtml")
MAX_LISTED_MISSING = 8

_CJK = re.compile(r"[\u4e00-\u9fff]")


def parse_bytes(data: bytes, source_name: str = "") -> ParsedReport:
    """Decode (text.decode_bytes, the one decoder: ingestion uses it too), then parse_decoded."""
    try:
        if not data:
            return failed_report("empty_input", "the file is empty")
        if pdf_module.is_pdf(data, source_name):
            return parse_pdf(data, source_name)
        decoded, _encoding = text_module.decode_bytes(data)
    except text_module.DecodeError as exc:
        return parse_decoded(None, source_name, decode_error=_describe(exc, ""))
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise"
        return failed_report("parser_exception", _describe(exc, source_name))
    return parse_decoded(decoded, source_name)


def parse_decoded(text: str | None, source_name: str = "", decode_error: str | None = None, pdf: bytes | None = None) -> ParsedReport:
    """Parse a report whose bytes were decoded earlier: the pipeline decodes once, at ingestion, with
    text.decode_bytes and stores the text (or the decoder's reason, or a PDF's bytes), so that every
    report is parsed by the same rules as `parse_bytes`: a PDF from its bytes, undecodable bytes as
    `failed` with code `decode_failed`, a file named *.html as HTML even when its head does not
    look like it. Never raises."""
    if pdf is not None:
        return parse_pdf(pdf, source_name)
    if text is None:
        prefix = f"{source_name}: " if source_name else ""
        return failed_report("decode_failed", f"{prefix}the bytes could not be decoded as text ({decode_error or 'no reason recorded'})")
    return parse_text(text, source_name, force_html=source_name.lower().endswith(HTML_SUFFIXES))


def parse_text(text: str, source_name: str = "", force_html: bool = False) -> ParsedReport:
    """Parse decoded report text (plain or HTML). Never raises: an internal error yields a
    `failed` report whose message names the exception and where it happened."""
    try:
        return _parse(text, source_name, force_html)
    except Exception as exc:  # noqa: BLE001
        return failed_report("parser_exception", _describe(exc, source_name))


def parse_pdf(data: bytes, source_name: str = "", ocr: bool | None = None) -> ParsedReport:
    """Parse a PDF: its text (pdf.read_pdf, the same text ingestion stores) for metadata, sections
    and prose, and its tables from character positions and ruling lines, through the one matcher.

    Pages without a text layer are read by OCR when the `ocr` extra is installed (ocr=None: use it
    when available; False: never); a PDF with no text at all and no OCR is `failed` (`pdf_scanned`).
    Never raises."""
    try:
        ocr_reader = None
        if ocr is not False:
            from . import ocr as ocr_module

            ocr_reader = ocr_module.page_reader() if ocr_module.available() else None
            if ocr and ocr_reader is None:
                return failed_report("ocr_unavailable", f"{source_name}: OCR requested but the ocr extra is not installed")
        doc = pdf_module.read_pdf(data, ocr=ocr_reader)
        if not doc.text.strip():
            if doc.pages_without_text:
                return failed_report("pdf_scanned", _scanned_reason(doc, source_name))
            return failed_report("empty_input", f"{source_name}: the PDF has no text")
        lines = text_module.to_lines(doc.text)
        result = _parse_lines(doc.text, lines, tables.match_tokens(doc.tokens), source_name)
        _page_prose_cells(result, doc)
        if doc.ocr_pages:
            result.messages.append(Message("info", "pdf_ocr", f"pages {_pages(doc.ocr_pages)} have no text layer and were read by OCR: their values have read_by = 'ocr'"))
        missing = sorted(set(doc.pages_without_text) - set(doc.ocr_pages))
        if missing:
            result.messages.append(Message("warning", "pdf_pages_without_text", f"pages {_pages(missing)} have no text layer (scanned?) and were not read: install the ocr extra"))
        return result
    except pdf_module.PdfError as exc:
        return failed_report(exc.code, f"{source_name + ': ' if source_name else ''}{exc.reason}")
    except Exception as exc:  # noqa: BLE001
        return failed_report("parser_exception", _describe(exc, source_name))


def _page_prose_cells(result: ParsedReport, doc) -> None:
    """Prose figures come from text lines, not cells: their page is the page of their source line
    (line N of doc.text is on 1 + the form feeds before it); they have no cell box."""
    pending = [c for c in result.cells if c.page is None and c.source_line]
    if not pending:
        return
    page_of, page = [0], 1  # page_of[line number]
    for line in doc.text.split("\n"):
        page += line.count("\f")
        page_of.append(page)
    ocr_pages = set(doc.ocr_pages)
    for c in pending:
        if c.source_line < len(page_of):
            c.page = page_of[c.source_line]
            c.read_by = "ocr" if c.page in ocr_pages else "pdf_text"


def _scanned_reason(doc, source_name: str) -> str:
    prefix = f"{source_name}: " if source_name else ""
    return (f"{prefix}scanned PDF: none of its {doc.page_count} pages has a text layer; "
            "install the ocr extra (pip install -e .[ocr]) to read it by OCR")


def _pages(pages: list[int]) -> str:
    return ", ".join(map(str, pages[:20])) + (" …" if len(pages) > 20 else "")


def failed_report(code: str, text: str, metadata: Metadata | None = None) -> ParsedReport:
    return ParsedReport(metadata or Metadata(), [], [], [Message("error", code, text)], "failed")


def _describe(exc: BaseException, source_name: str) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    location = f" at {where.filename.rsplit('/', 1)[-1]}:{where.lineno}" if where else ""
    prefix = f"{source_name}: " if source_name else ""
    return f"{prefix}{type(exc).__name__}: {exc}{location}"


def _parse(text: str, source_name: str, force_html: bool) -> ParsedReport:
    if not isinstance(text, str) or not text.strip():
        return failed_report("empty_input", "the text is empty")
    if not _CJK.search(text[:200_000]):
        return failed_report("not_a_report", "the text contains no Chinese characters")
    if force_html or text_module.looks_like_html(text):
        # HTML: tables come from the cell grid, everything else from the text between the tables
        table_result, lines, doc = html_module.extract_html(text)
        extra_titles = html_module.title_signals(doc)
    else:
        lines = text_module.to_lines(text)
        table_result = tables.extract_tables(lines)
        extra_titles = []
    return _parse_lines(text, lines, table_result, source_name, extra_titles)


def _parse_lines(text: str, lines, table_result: tables.TableResult, source_name: str = "", extra_titles=()) -> ParsedReport:
    """Everything after the tables, shared by every input form (text, HTML, PDF)."""
    if not _CJK.search(text[:200_000]):
        return failed_report("not_a_report", "the text contains no Chinese characters")
    messages: list[Message] = []

    # source_name (the path under the raw folder) and the HTML <title>/headings are metadata signals
    metadata, metadata_messages = extract_metadata(lines, source_name, extra_titles)
    messages += metadata_messages
    described = describe_sources(metadata)
    if described:
        messages.append(Message("info", "metadata_source", described, metadata.evidence.get("agency_name", metadata.evidence.get("report_year"))))
    region, region_messages = resolve_region(metadata.agency_name, lines)
    apply_region(metadata, region)
    region_line = _region_evidence_line(region, metadata, lines)
    if region_line is not None:
        metadata.evidence["region"] = region_line
    messages += region_messages

    sections, section_messages = extract_sections(lines)
    messages += section_messages

    table_cells = list(table_result.cells)
    messages += list(table_result.messages)
    metadata.template_version = tables.detect_template_version(lines, metadata.report_year, table_result)

    prose_cells, prose_messages = extract_prose_metrics(lines)
    messages += prose_messages
    messages += _prose_table_mismatches(prose_cells, table_cells)

    status, status_messages = _status(metadata, sections, table_result)
    messages += status_messages
    return ParsedReport(metadata, table_cells + prose_cells, sections, messages, status)


def _region_evidence_line(region, metadata: Metadata, lines) -> int | None:
    """The agency's line when its name decided the region, else the first line holding the clue."""
    if region.decided_by == "agency_name":
        return metadata.evidence.get("agency_name")
    if region.evidence_text:
        return next((line.no for line in lines if region.evidence_text in line.text), None)
    return None


def _status(metadata: Metadata, sections: list[Section], table_result: tables.TableResult) -> tuple[str, list[Message]]:
    """ok / partial / failed, with a message for everything that is missing.

    A hybrid report (v2021 table 二 with the 2019 single （六）其他处理 row, seen in real reports)
    is held to what each of its tables' own version requires; tables.py flags the hybrid itself.
    """
    table_cells = table_result.cells
    if metadata.agency_name is None and metadata.report_year is None and not sections and not table_cells:
        return "failed", [Message("error", "not_a_report", "no agency, no year, no section and no table: not a readable report")]
    missing: list[Message] = []
    if metadata.agency_name is None:
        missing.append(Message("warning", "agency_missing", "agency name not found"))
    if metadata.report_year is None:
        missing.append(Message("warning", "year_missing", "report year not found"))
    version = metadata.template_version
    if version in templates.VERSIONS_TABLES:
        missing += _missing_cells({code: version for code in templates.TABLES}, table_cells, sections)
    elif version == "hybrid" and table_result.t2_version in templates.VERSIONS_TABLES and table_result.t3_version in templates.VERSIONS_TABLES:
        table_versions = {"t2": table_result.t2_version, "t3": table_result.t3_version, "t4": table_result.t2_version}
        missing += _missing_cells(table_versions, table_cells, sections)
    elif version == "pre2019":
        if not sections:
            missing.append(Message("warning", "sections_missing", "pre-2019 report without recognisable sections"))
    else:
        missing.append(Message("warning", "template_unrecognised", f"template version '{version}': no template's table set could be confirmed"))
    return ("partial" if missing else "ok"), missing


def _missing_cells(table_versions: dict[str, str], table_cells: list[Cell], sections: list[Section]) -> list[Message]:
    """One message per table that lacks cells its version requires, naming the section and lines."""
    found = {cell.metric_code for cell in table_cells}
    messages: list[Message] = []
    for table_code, version in table_versions.items():
        section_code = templates.TABLES[table_code].section_code
        expected = templates.expected_codes(table_code, version)
        lacking = [code for code in expected if code not in found]
        if not lacking:
            continue
        section = next((s for s in sections if s.section_code == section_code), None)
        where = f"section {section.title} (lines {section.line_start}–{section.line_end})" if section else "no such section found"
        listed = ", ".join(lacking[:MAX_LISTED_MISSING]) + (" …" if len(lacking) > MAX_LISTED_MISSING else "")
        messages.append(
            Message("warning", f"{table_code}_cells_missing", f"{templates.TABLES[table_code].name} lacks {len(lacking)} of {len(expected)} {version} cells ({where}): {listed}", section.line_start if section else None)
        )
    return messages


def _prose_table_mismatches(prose_cells: list[Cell], table_cells: list[Cell]) -> list[Message]:
    table_values = {c.metric_code: c.value for c in table_cells if c.value_state == "number"}
    prose_by_code = {c.metric_code: c for c in prose_cells}
    messages = []
    # a mismatch is reported and both values are kept (D20 in docs/spec/templates.md): which one is
    # right is the analyst's call; the checks P-1…P-6 grade the same pairs
    for _check_id, metric, _table, pairs in templates.PROSE_TABLE_PAIRS:
        prose_code, table_codes = f"prose.{metric}", tuple(code for code, _ in pairs)
        prose_cell = prose_by_code.get(prose_code)
        if prose_cell is None or prose_cell.approximate or any(code not in table_values for code in table_codes):
            continue
        table_value = sum((table_values[code] for code in table_codes), Decimal(0))
        if table_value != prose_cell.value:
            messages.append(
                Message("warning", "prose_table_mismatch", f"{prose_code} = {prose_cell.value} in prose but {' + '.join(table_codes)} = {table_value} in the table; both kept", prose_cell.source_line)
            )
    return messages
