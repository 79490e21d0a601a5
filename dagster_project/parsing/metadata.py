"""Who reports, for which year, published when: read from the report's own words.

Why several sources in a fixed order: the title is the agency's formal self-naming, so it wins;
reports without a usable title name themselves in the opening sentence (`特向社会公布晋安区民政局
2020年…`, `全文包括临河区民政局政府信息公开总体情况`); the signature block at the end
(`遂宁市安居区人民政府` above `2021年2月10日`) is the last resort. Every field records the line it
came from in `Metadata.evidence`, so a wrong value can be traced to its source.

`template_version` and the region fields are filled by the orchestrator (tables.py, regions.py).
"""

from __future__ import annotations

import datetime as dt
import re

from .model import Line, Message, Metadata
from .sections import match_form

HEAD_LINES = 12  # the title and opening sentence sit in the first non-empty lines
TAIL_LINES = 8  # the signature block sits in the last non-empty lines
PERIOD_LINES = 40  # the statistics period is stated in the opening paragraphs
MAX_AGENCY_CHARS = 30

# Institutional suffixes, matched longest first: agency_type is the longest one the name ends with.
# Why a list and not "the text after the place name": place names are not delimited in Chinese, and
# a list keeps `人民政府办公室` apart from `办公室` and `人民政府`.
AGENCY_TYPES: tuple[str, ...] = tuple(
    sorted(
        {
            "人民政府", "人民政府办公室", "人民政府办公厅", "办公室", "办公厅", "街道办事处", "办事处",
            "民政局", "统计局", "生态环境局", "财政局", "教育局", "教育体育局", "公安局", "司法局",
            "人力资源和社会保障局", "人力资源社会保障局", "自然资源局", "自然资源和规划局", "规划局",
            "住房和城乡建设局", "住房城乡建设局", "交通运输局", "水利局", "水务局", "农业农村局",
            "商务局", "文化和旅游局", "文化广电和旅游局", "文化广电旅游局", "卫生健康委员会",
            "卫生健康局", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局", "税务局",
            "医疗保障局", "林业局", "林业和草原局", "体育局", "发展和改革委员会", "发展和改革局",
            "工业和信息化局", "科学技术局", "民族宗教事务局", "城市管理局", "城市管理综合执法局",
            "综合行政执法局", "行政审批局", "行政审批服务局", "政务服务管理局", "政务服务和大数据管理局",
            "数据局", "大数据局", "信访局", "档案局", "人民防空办公室", "机关事务管理局",
            "国有资产监督管理委员会", "住房公积金管理中心", "气象局", "地震局", "粮食和物资储备局",
            "投资促进局", "外事办公室", "侨务办公室", "乡村振兴局", "残疾人联合会", "管理委员会",
            "委员会", "人民政府研究室", "研究室",
        },
        key=len,
        reverse=True,
    )
)

_YEAR = r"((?:19|20)\d{2})"
# 'X2020年政府信息公开工作年度报告' (X may be empty when the title is split over two lines)
_TITLE = re.compile(r"^[《\"“]?(.{0,%d}?)%s年度?(?:政府信息公开|政务公开|信息公开)[^。,;]{0,12}?(?:年度报告|年报)[》\"”]?$" % (MAX_AGENCY_CHARS, _YEAR))
_AGENCY_TEXT = r"([^,。;:()《》\"“”、]{2,%d}?)" % MAX_AGENCY_CHARS
_INTRO_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:特向社会公布|现向社会公布|现予公布|特发布|现发布|现公布)" + _AGENCY_TEXT + _YEAR + r"年度?政府信息公开工作年度报告"),
    re.compile(r"全文包括" + _AGENCY_TEXT + r"政府信息公开(?:工作)?总体情况"),
)
_STATISTICS_PERIOD = re.compile(r"统计期限(?:为|是)?(?:自|从)?" + _YEAR + r"年\d{1,2}月\d{1,2}日")
_YEAR_HEADING = re.compile(r"^" + _YEAR + r"年度?(?:政府信息公开|政务公开)")
_AGENCY_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,%d}$" % MAX_AGENCY_CHARS)

_LABELLED_DATE = re.compile(r"(?:发布|成文|印发|公开)?(?:时间|日期)[:]?" + _YEAR + r"(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})")
_STANDALONE_DATE = re.compile(r"^" + _YEAR + r"(?:年(\d{1,2})月(\d{1,2})日|-(\d{1,2})-(\d{1,2}))$")
_CHINESE_DATE = re.compile(r"^([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$")
_CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


# Endings that make a short line plausible as an agency name even when its type is not listed
# (`文体局`, `某某中心`); they validate names but are too vague to be an agency_type.
GENERIC_AGENCY_ENDINGS: tuple[str, ...] = ("政府", "局", "厅", "委", "办", "署", "院", "中心", "处", "会", "部", "站", "所", "室")


def agency_type_of(agency_name: str | None) -> str | None:
    """The longest listed institutional suffix the name ends with (民政局, 人民政府 …); None when
    the name ends with an unlisted one, rather than a vague `局`."""
    if not agency_name:
        return None
    for suffix in AGENCY_TYPES:
        if agency_name.endswith(suffix) and len(agency_name) > len(suffix):
            return suffix
    return None


def looks_like_agency(text: str) -> bool:
    """A short run of Chinese characters ending with an institutional suffix."""
    return bool(_AGENCY_LINE.match(text)) and (agency_type_of(text) is not None or text.endswith(GENERIC_AGENCY_ENDINGS))


def extract_metadata(lines: list[Line]) -> tuple[Metadata, list[Message]]:
    """Agency name and type, report year and publication date, with the line of each."""
    messages: list[Message] = []
    # Only the lines that can hold metadata are normalised (the title and opening sentence, the
    # statistics period, the signature): the whole text would cost more than everything else here.
    content = [line for line in lines if line.text.strip()]
    head = [(line.no, match_form(line.text)) for line in content[:HEAD_LINES]]
    tail = [(line.no, match_form(line.text)) for line in content[-TAIL_LINES:]]
    non_empty = [(line.no, match_form(line.text)) for line in content[:PERIOD_LINES] if "统计" in line.text]
    metadata = Metadata()

    agency, agency_line, year, year_line = _from_title(head)
    if agency is None:
        agency, agency_line, intro_year, intro_line = _from_intro(head)
        if year is None and intro_year is not None:
            year, year_line = intro_year, intro_line
    if agency is None:
        agency, agency_line = _from_signature(tail)
    if year is None:
        year, year_line = _year_from_period_or_heading(head, non_empty)

    period_year = _year_from_statistics_period(non_empty)
    if year is not None and period_year is not None and period_year[0] != year:
        messages.append(Message("warning", "year_mismatch", f"title year {year} but statistics period starts in {period_year[0]}", period_year[1]))

    published, published_line = _publication_date(head, tail, year)

    metadata.agency_name = agency
    metadata.agency_type = agency_type_of(agency)
    metadata.report_year = year
    metadata.published_on = published
    for name, line_no in (("agency_name", agency_line), ("report_year", year_line), ("published_on", published_line)):
        if line_no is not None:
            metadata.evidence[name] = line_no
    if agency_line is not None and metadata.agency_type is not None:
        metadata.evidence["agency_type"] = agency_line
    if agency is None:
        messages.append(Message("warning", "agency_missing", "no agency name in title, opening sentence or signature"))
    if year is None:
        messages.append(Message("warning", "year_missing", "no report year in title, statistics period or headings"))
    return metadata, messages


def _from_title(head: list[tuple[int, str]]) -> tuple[str | None, int | None, int | None, int | None]:
    for position, (line_no, text) in enumerate(head):
        match = _TITLE.match(text)
        if match is None:
            continue
        year = int(match.group(2))
        agency = match.group(1).strip() or None
        if agency is not None and looks_like_agency(agency):
            return agency, line_no, year, line_no
        # title split over lines: the agency stands alone on the line above
        for previous_no, previous in reversed(head[max(0, position - 2) : position]):
            if looks_like_agency(previous):
                return previous, previous_no, year, line_no
        return None, None, year, line_no
    return None, None, None, None


def _from_intro(head: list[tuple[int, str]]) -> tuple[str | None, int | None, int | None, int | None]:
    for line_no, text in head:
        for pattern in _INTRO_PATTERNS:
            match = pattern.search(text)
            if match and looks_like_agency(match.group(1)):
                year = int(match.group(2)) if pattern.groups >= 2 else None
                return match.group(1), line_no, year, (line_no if year else None)
    return None, None, None, None


def _from_signature(tail: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    for line_no, text in reversed(tail):
        if looks_like_agency(text):
            return text, line_no
    return None, None


def _year_from_statistics_period(non_empty: list[tuple[int, str]]) -> tuple[int, int] | None:
    for line_no, text in non_empty:
        match = _STATISTICS_PERIOD.search(text)
        if match:
            return int(match.group(1)), line_no
    return None


def _year_from_period_or_heading(head: list[tuple[int, str]], non_empty: list[tuple[int, str]]) -> tuple[int | None, int | None]:
    period = _year_from_statistics_period(non_empty)
    if period is not None:
        return period
    for line_no, text in head:
        match = _YEAR_HEADING.match(text)
        if match:
            return int(match.group(1)), line_no
    return None, None


def _publication_date(head: list[tuple[int, str]], tail: list[tuple[int, str]], year: int | None) -> tuple[str | None, int | None]:
    """A labelled date near the top (`时间:2018-02-06`) or a date line of its own at the end."""
    candidates: list[tuple[int, int, int, int]] = []
    for line_no, text in head:
        match = _LABELLED_DATE.search(text)
        if match:
            candidates.append((int(match.group(1)), int(match.group(2)), int(match.group(3)), line_no))
    for line_no, text in reversed(tail):
        parsed = _standalone_date(text)
        if parsed:
            candidates.append((*parsed, line_no))
    for y, m, d, line_no in candidates:
        if year is not None and not (year <= y <= year + 2):
            continue  # a date outside the publication window is something else (a deadline, a quote)
        try:
            return dt.date(y, m, d).isoformat(), line_no
        except ValueError:
            continue
    return None, None


def _standalone_date(text: str) -> tuple[int, int, int] | None:
    match = _STANDALONE_DATE.match(text)
    if match:
        month, day = (match.group(2), match.group(3)) if match.group(2) else (match.group(4), match.group(5))
        return int(match.group(1)), int(month), int(day)
    match = _CHINESE_DATE.match(text)
    if match:
        year = int("".join(str(_CHINESE_DIGITS[c]) for c in match.group(1)))
        return year, _small_chinese_number(match.group(2)), _small_chinese_number(match.group(3))
    return None


def _small_chinese_number(text: str) -> int:
    """一 … 三十一 (months and days)."""
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CHINESE_DIGITS[text[1]]
    if text.endswith("十"):
        return _CHINESE_DIGITS[text[0]] * 10
    if "十" in text:
        return _CHINESE_DIGITS[text[0]] * 10 + _CHINESE_DIGITS[text[2]]
    return _CHINESE_DIGITS[text]
