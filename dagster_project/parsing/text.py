"""Bytes -> text -> numbered, normalised lines.

Line numbers are the contract that maps every extracted value back to its source, so they are
defined once, here: the decoded text is split on '\\n' after turning '\\r\\n' and lone '\\r' into
'\\n'. Line N is what `cat -n` shows as N for that text. A form feed ('\\f', pdftotext's page break)
is NOT a line break: it stays inside its line's raw text and becomes nothing in the normalised text.
Debris lines (page numbers, site boilerplate) are dropped, but the surviving lines keep their
original numbers.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .model import Line


class DecodeError(ValueError):
    """The bytes are not text we can decode without guessing; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class SourceLine(Line):
    """A Line that also remembers its text before normalisation.

    Table cells need the exact source text (Cell.raw_text) while matching needs the normalised text;
    keeping both here avoids a second pass over the source. Subclassing keeps model.Line unchanged.
    """

    raw: str = ""


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without BOM: NUL bytes sit on one parity (ASCII, and the line breaks every report has).

    CJK-heavy text has few NULs, so newlines ('\n\0' in LE, '\0\n' in BE) are counted as well."""
    if len(data) % 2 or 0 not in data:
        return None
    sample = data[:20000]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    lo, hi = sample[0::2], sample[1::2]
    le = odd + 4 * sum(1 for a, b in zip(lo, hi) if a == 10 and b == 0)
    be = even + 4 * sum(1 for a, b in zip(lo, hi) if a == 0 and b == 10)
    if le > be * 3:
        codec = "utf-16-le"
    elif be > le * 3:
        codec = "utf-16-be"
    else:
        return None
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode a report's bytes; returns (text, encoding name). Raises DecodeError, never guesses silently.

    Order: BOMs (UTF-8, UTF-16), strict UTF-8, BOM-less UTF-16 by NUL pattern, strict GB18030 (a
    superset of GBK/GB2312), then charset_normalizer as a last resort. A result with control
    characters (other than tab, LF, CR, FF) is rejected: that is what mis-decoded binary looks like.
    """
    if not data:
        return "", "utf-8"
    candidates: list[tuple[str, str]] = []
    if data.startswith(codecs.BOM_UTF8):
        candidates.append(("utf-8-sig", "utf-8-sig"))
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates.append(("utf-16", "utf-16"))
    for name, codec in candidates:
        try:
            return _checked(data.decode(codec), name)
        except UnicodeDecodeError as exc:
            raise DecodeError(f"starts with a {name} BOM but does not decode as {name}: {exc}") from exc
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    text16 = _utf16_without_bom(data)
    if text16 is not None:
        return _checked(text16, "utf-16")
    if data.count(0):
        raise DecodeError("contains NUL bytes but no UTF-16 pattern: binary file?")
    try:
        return _checked(data.decode("gb18030"), "gb18030")
    except (UnicodeDecodeError, DecodeError):
        pass
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover
        raise DecodeError("not UTF-8, UTF-16 or GB18030, and charset_normalizer is unavailable") from None
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DecodeError("not UTF-8, UTF-16 or GB18030, and charset_normalizer found no encoding")
    return _checked(str(best), best.encoding)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    if _CONTROL_RE.search(text):
        raise DecodeError(f"decoded as {encoding} but contains control characters: binary or wrong encoding")
    return text, encoding


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------
BOOKMARK_RE = re.compile(r"\[bookmark:[^\]]*\]")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "\f": None})

# Traditional -> simplified for the characters that occur in template labels (D22 in docs/spec/templates.md: mirror sites
# convert whole reports to Traditional Chinese). Small on purpose: only what labels need.
TRAD_TO_SIMP = str.maketrans(
    "規範檔條項數總計結維糾審訴訟複復許處罰強費採購額國規穩護權屬於類內務資訊過執詢無機關現製補後請確訪舉報當獲繳納轉繼續辦開區這發廢決單萬業對減組織構會經係況動問題進條稅財標準佈頒設縣鄉鎮號鬥與為個們門請應讀備註記錄並書達屆劃議紀誌專產義險錢銷節體僅據實協營項點說問顯聯導響態總勢統計據狀傳給層級",
    "规范档条项数总计结维纠审诉讼复复许处罚强费采购额国规稳护权属于类内务资讯过执询无机关现制补后请确访举报当获缴纳转继续办开区这发废决单万业对减组织构会经系况动问题进条税财标准布颁设县乡镇号斗与为个们门请应读备注记录并书达届划议纪志专产义险钱销节体仅据实协营项点说问显联导响态总势统计据状传给层级",
)

_DASHED_PAGE_RE = re.compile(r"^\s*[-—–－]\s*\d{1,3}\s*[-—–－]\s*$|^\s*第\s*\d{1,3}\s*页(\s*[/,，]?\s*共\s*\d{1,3}\s*页)?\s*$")
_BARE_PAGE_RE = re.compile(r"^\s*\d{1,3}\s*$")
_BOILERPLATE = frozenset({"扫一扫在手机上查看当前页面", "打印本页", "关闭窗口", "【打印本页】", "【关闭窗口】", "分享到:"})
_BOILERPLATE_LEN = 2 * max(map(len, _BOILERPLATE))  # longer lines cannot be boilerplate, even spaced out
_PAGE_MARK_START = "-—–－第"  # first characters of the page marks _DASHED_PAGE_RE matches


@lru_cache(maxsize=16384)
def normalise_line(raw: str) -> str:
    """Matching form of a line: no bookmark debris, NFKC (full-width -> half-width, NBSP -> space),
    ASCII quotes, no form feed, no trailing whitespace. Leading indentation is kept because table
    layouts use it (tab-indented cells, space-aligned columns)."""
    text = BOOKMARK_RE.sub("", raw) if "[bookmark" in raw else raw
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).rstrip()


def split_lines(text: str) -> list[str]:
    """The decoded text as numbered lines: index i holds line i+1 (see module docstring)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def to_lines(text: str) -> list[SourceLine]:
    """Numbered, normalised lines without debris. Empty lines are kept (layouts use them as row
    separators); page numbers and portal boilerplate are dropped.

    A bare number line ('1') is a page number only next to a page break or at the very end of the
    text: inside a cell-per-line table the same line is a value.
    """
    raws = split_lines(text)
    last_content = next((i for i in range(len(raws) - 1, -1, -1) if raws[i].strip()), -1)
    out: list[SourceLine] = []
    for i, raw in enumerate(raws):
        norm = normalise_line(raw)
        stripped = norm.strip()
        if stripped:
            if (stripped[0] in _PAGE_MARK_START and _DASHED_PAGE_RE.match(stripped)) or (
                len(stripped) <= _BOILERPLATE_LEN and stripped.replace(" ", "") in _BOILERPLATE
            ):
                continue
            if len(stripped) <= 3 and _BARE_PAGE_RE.match(stripped) and "\t" not in raw and "|" not in raw and (
                i == last_content
                or "\f" in raw
                or (i + 1 < len(raws) and raws[i + 1].startswith("\f"))
            ):
                continue
        out.append(SourceLine(i + 1, norm, raw))
    return out


_HTML_RE = re.compile(r"<(?:html|body|table|tr|td|div|p)\b[^>]*>", re.IGNORECASE)


_MARKDOWN_RE = re.compile(r"^(?:#{1,6}[ \t]|[ \t]*\|[^\n]*\|[^\n]*\|[ \t]*$)", re.MULTILINE)


def looks_like_html(text: str) -> bool:
    """True when the text is an HTML page or fragment (several structural tags near the start).

    Converter markdown (MinerU) embeds merged-cell tables as HTML <table> lines between markdown
    headings and pipe tables: such a text is markdown, read as text (tables.tokenize expands the
    embedded tables, layouts/markdown.py); only a text that starts as an HTML document is HTML."""
    head = text[:20000]
    if head.lstrip().lower().startswith(("<!doctype html", "<html")):
        return True
    if len(_HTML_RE.findall(head)) < 3:
        return False
    return _MARKDOWN_RE.search(head) is None
