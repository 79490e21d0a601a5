"""Who reports, for which year, published when: read from every signal the report gives.

Every reader below proposes candidates `(value, source, line, rank)`; the best-ranked valid one wins
and `Metadata.sources` / `Metadata.evidence` record its signal and line, so a wrong value can be
traced to the sentence that produced it. No signal → None and a warning: never a guess.

Signals (the `source` names stored in `Metadata.sources`, parsed.reports and dim_report):

| source | where | example |
|---|---|---|
| title | a title in the first lines, either order, also inside a long line or behind navigation, or split over two lines | `X2019年度政府信息公开工作年度报告`, `2019年X政府信息公开工作年度报告` |
| html_heading | an HTML `<h1>`…`<h3>` that is a title | |
| html_title | the HTML `<title>`, split at `_`/`|`/` - ` | `X2023年…年度报告_栏目_站点` |
| crawler_header | a crawler's header line `标题: …` (and `发布时间: …` for the date) | |
| intro | the opening sentence | `特向社会公布X2020年…年度报告`, `全文包括X政府信息公开总体情况` |
| compilation | who compiled the report | `本报告由X根据…`, `由X编制`, `汇总X各有关单位…编制而成` |
| contact | the contact sentence | `请与X联系`, `请与X办公室联系` (→ X) |
| section1 | the first sentence of section 一 | `2024年，X坚持…` |
| signature | the signature block at the end, also at the end of a long line | `X 2021年2月10日` |
| path | the file's and its folders' names (`source_name`, crawler `本地目录: …/80560_<title>`) | |
| abbreviation | agency only: the full name an abbreviation stands for, `X（以下简称Y）` anywhere in the text | |
| statistics_period / year_heading | year only: `统计期限/时限/周期…为2024年1月1日`, `时间范围…`; a line starting `2019年度政府信息公开` | |
| label | date only: `时间:2018-02-06`, `发布日期:…` near the top | |

Ranking (lower wins; ties go to the earlier line):
- agency: title = html_heading 1, html_title 2, crawler_header 3, intro 4, compilation 5, contact 6,
  section1 7, signature 8, path 9. The title is the agency's formal self-naming; page titles and crawler
  headers repeat it but may carry the site's words; sentences name the agency in passing (the compiler
  may be the agency's office); the signature and folder names are the last resort.
- year: title = html_heading 1, html_title 2, crawler_header 3, intro 4, statistics_period 5,
  year_heading 6, section1 7, path 9. A statistics period disagreeing with the chosen year is a warning.
- published_on: label / crawler_header 1, signature 2 (a date outside [year, year + 2] is skipped).
- A full name given elsewhere in the text wins over an abbreviation (`市科委`, `区财政金融局`: a name
  starting with a bare level word 市/区/县/省…): `X（以下简称Y）` in the text, or another candidate
  ending with the abbreviation's core (`平潭综合实验区财政金融局` for `区财政金融局`).

What counts as a name: 2–30 Chinese characters, not starting with a pronoun (我/本/该/各…), not holding
report words (信息公开, 报告, 条例…), and either ending with an institutional suffix (the listed types,
or a generic ending such as 局/委/办/会/管委会/纪工委/中心) or being a place or zone: a division name
of cpca's list (`平潭县`, `上海市`) or ending with a zone word (`综合实验区`, `开发区`, `新区`, `片区`…).
No closed list of departments: `综合实验区`, `片区管理局`, `纪工委` pass by their endings.

Text forms: lines are matched in `match_form` (NFKC, no spaces between Chinese characters, so
`2024 年`, `30 号` from pdftotext read as `2024年`, `30号`) when short; long lines (crawler pages put
the whole page on one line) keep their spaces, which separate navigation from the title, with the
spaces around digits removed. Two short lines are joined when a title is split over them, and the
opening lines are joined before sentence patterns run (PDF hard wraps). Only the head (first
non-empty lines), the tail and lines with a keyword are normalised: never the whole text.

`template_version` and the region fields are filled by the orchestrator (tables.py, regions.py).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from .model import Line, Message, Metadata
from .sections import match_form

HEAD_LINES = 40  # non-empty lines searched for a title (HTML pages put ~25 lines of navigation first)
OPENING_LINES = 12  # the opening sentence and compilation/contact sentences sit in the first lines
TAIL_LINES = 8  # the signature block sits in the last non-empty lines
PERIOD_LINES = 40  # the statistics period is stated in the opening paragraphs
SECTION1_LINES = 3  # lines after the heading 一、 that hold its first sentence
MAX_AGENCY_CHARS = 30
SHORT_LINE = 60  # a line this short (in match_form) may be a title standing alone
TAIL_CHARS = 1500  # of a long last line, the stretch searched for the signature
OPENING_CHARS = 3000  # of the joined opening lines, the stretch searched for sentences

AGENCY_RANK: dict[str, int] = {
    "title": 1, "html_heading": 1, "html_title": 2, "crawler_header": 3, "intro": 4, "compilation": 5,
    "contact": 6, "section1": 7, "signature": 8, "path": 9,
}
YEAR_RANK: dict[str, int] = {
    "title": 1, "html_heading": 1, "html_title": 2, "crawler_header": 3, "intro": 4, "statistics_period": 5,
    "year_heading": 6, "section1": 7, "path": 9,
}
DATE_RANK: dict[str, int] = {"label": 1, "crawler_header": 1, "signature": 2}

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

# Endings that make a short line plausible as an agency name even when its type is not listed
# (`文体局`, `某某中心`, `管委会`, `纪工委`); they validate names but are too vague to be an agency_type.
GENERIC_AGENCY_ENDINGS: tuple[str, ...] = ("政府", "局", "厅", "委", "办", "署", "院", "中心", "处", "会", "部", "站", "所", "室", "公司", "集团")
# A report may name itself by its place or zone alone (`平潭综合实验区`, `某某经济开发区`).
ZONE_ENDINGS: tuple[str, ...] = (
    "综合实验区", "实验区", "试验区", "示范区", "开发区", "高新区", "新区", "合作区", "自贸区", "片区",
    "园区", "保税区", "功能区", "经济区", "街道", "镇", "乡",
)
NON_NAME_STARTS: tuple[str, ...] = ("我", "本", "该", "各", "全", "贵", "其", "此", "这", "上述", "有关", "相关", "关于", "根据", "按照", "依据")
NON_NAME_WORDS: tuple[str, ...] = ("信息公开", "政务公开", "报告", "年报", "条例", "通知", "要求", "办法", "意见", "规定", "工作要点")
LEVEL_WORDS = "省市区县州旗盟镇乡"  # a name starting with one of these alone is an abbreviation (`市科委`)
# Words after which a navigation or lead-in run ends and the name begins (`…部门文件X局2019年…`).
LEAD_INS = re.compile(r"特向社会公布|现向社会公布|现予公布|现将|现公布|公布|发布|印发|转发|当前位置|首页|文件|年报|栏目|正文")
HEADER_LINE = re.compile(r"^\s*(标题|发布时间|成文日期|文号|发布机构|栏目|原文链接|本地目录|来源|索引号|主题分类)\s*[:：]\s*(.*)$")

_YEAR = r"((?:19|20)\d{2})"
_NAME_CHARS = re.compile(r"^[\u4e00-\u9fff]{2,%d}$" % MAX_AGENCY_CHARS)
_STOP = r"\s,.。;:!?、()《》<>\"“”'‘’|_/\[\]【】\-"
_STOP_SET = frozenset(" \t\u3000,.。;:!?、()《》<>\"“”'‘’|_/[]【】-")
_TOKEN = r"[^%s]" % _STOP
_TITLE_WORDS = r"(?:政府信息公开|政务公开|信息公开)\s*(?:工作)?\s*(?:年度)?\s*(?:报告|年报)"
# what may follow a title inside a long line: a separator or the first sentence's opening words
_TITLE_END = r"(?=$|[\s,.。;:!?)》\"”_|]|根据|按照|依据|本报告|本年报|为|来源|时间|发布|一、)"
_TITLE_CORE = re.compile(r"(?<!\d)%s\s*年度?\s*%s%s" % (_YEAR, _TITLE_WORDS, _TITLE_END))
_YEAR_FIRST = re.compile(r"(?<!\d)%s\s*年度?\s*(?P<agency>[^%s\d]{2,40}?)\s*%s%s" % (_YEAR, _STOP, _TITLE_WORDS, _TITLE_END))
_TITLE_HINT = re.compile(r"公开|年报|报告")

_NAME = r"(%s{2,%d}?)" % (_TOKEN, MAX_AGENCY_CHARS)
_INTRO_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:特向社会公布|现向社会公布|现予公布|特发布|现发布|现公布)" + _NAME + _YEAR + r"年度?政府信息公开(?:工作)?(?:年度)?报告"),
    re.compile(r"全文包括" + _NAME + r"政府信息公开(?:工作)?总体情况"),
)
_COMPILATION_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"(?:由|是)" + _NAME + r"(?:根据|依据|按照|结合|汇总|组织编制|负责编制|编制)"),
    re.compile(r"汇总" + _NAME + r"(?:各有关单位|各单位|各部门|所属各|下属各|及其?所属)"),
)
_COMPILED_BY = re.compile(r"编制完成了?本报告|编制了本报告|编制本报告")  # `X编制完成了本报告`: X is the run before
_CONTACT = re.compile(r"请与" + _NAME + r"(?:联系|联络)")
_CONTACT_OFFICE = re.compile(r"(?:政务公开|政府信息公开|信息公开)?办公室$")
_SECTION1_HEADING = re.compile(r"一[、.]\s*(?:[^\d。]{0,10}?(?:总体情况|概述|概况|基本情况))")
_SECTION1 = re.compile(r"(?:^|(?<=[。\s]))" + _YEAR + r"年(?:度|以来)?[,，]?" + _NAME + r"(?:坚持|深入|认真|全面|紧紧|始终|围绕|严格|按照|持续|进一步|不断|高度|积极|聚焦|以习近平|以)")
_ABBREVIATION = re.compile(r"(%s{2,%d})[(]?(?:以下)?简称[:]?[\"“]?(%s{2,12}?)[\"”)]" % (_TOKEN, MAX_AGENCY_CHARS, _TOKEN))

_STATISTICS_PERIOD = re.compile(r"(?:统计(?:期限|时限|周期|时段|区间|范围|时间)|时间范围|数据期限)[^。;\d]{0,8}?" + _YEAR + r"年\d{1,2}月\d{1,2}日")
_YEAR_HEADING = re.compile(r"^" + _YEAR + r"年度?(?:政府信息公开|政务公开)")
_AGENCY_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,%d}$" % MAX_AGENCY_CHARS)

_LABELLED_DATE = re.compile(r"(?:发布|成文|印发|公开)?(?:时间|日期)[:]?" + _YEAR + r"(?:[-/.年])(\d{1,2})(?:[-/.月])(\d{1,2})")
_STANDALONE_DATE = re.compile(r"^" + _YEAR + r"(?:年(\d{1,2})月(\d{1,2})日|-(\d{1,2})-(\d{1,2}))$")
_CN_DIGIT = "〇○零一二三四五六七八九"
_CHINESE_DATE = re.compile(r"^([%s]{4})年([元正一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日$" % _CN_DIGIT)
_DATE_IN_LINE = r"(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日|[%s]{4}年[元正一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)" % _CN_DIGIT
_DATE_RE = re.compile(_DATE_IN_LINE)
_CHINESE_DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SPACE_AT_DIGITS = re.compile(r"(?<=\d)\s+(?=[年月日号])|(?<=[年月])\s+(?=\d)")
_PATH_PREFIX = re.compile(r"^\d+[_-]")
_HTML_TITLE_SPLIT = re.compile(r"\s*[_|｜]\s*|\s+[-–—]\s+|-(?=[^-]*$)")


@dataclass(frozen=True)
class Candidate:
    """One value a signal proposes for a metadata field."""

    value: object
    source: str  # a key of AGENCY_RANK / YEAR_RANK / DATE_RANK
    line: int | None  # 1-based line in the decoded text; None for a file path
    rank: int


@lru_cache(maxsize=4096)
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


@lru_cache(maxsize=4096)
def is_agency_name(name: str | None) -> bool:
    """A plausible self-name: an institution by its suffix, or a place / zone (see the docstring)."""
    if not name or not _NAME_CHARS.match(name):
        return False
    if name.startswith(NON_NAME_STARTS) and not _is_place(name):  # `贵单位`, `本局`; but 贵州省, 本溪市, 全椒县
        return False
    if any(word in name for word in NON_NAME_WORDS):
        return False
    if agency_type_of(name) is not None or (name.endswith(GENERIC_AGENCY_ENDINGS) and len(name) >= 3):
        return True
    if any(name.endswith(zone) and len(name) > len(zone) + 1 for zone in ZONE_ENDINGS):
        return True
    return _is_place(name)


def is_abbreviation(name: str) -> bool:
    """`市科委`, `区财政金融局`: a bare level word where a place name should stand."""
    return len(name) >= 3 and name[0] in LEVEL_WORDS and not name.startswith(("市场", "市政务")) and not _is_place(name)


def _is_place(name: str) -> bool:
    from .regions import names_in  # cpca's division names (indexed once, on first use)

    found = names_in(name)
    return bool(found) and any(name.startswith(place) for place, _ in found)


def clean_agency(token: str) -> str | None:
    """The agency name inside a run of text before a title's year, or None: the run itself when it
    is a name, else what follows its last lead-in word (`…部门文件X局`), else from its first place name."""
    token = token.strip(" 《》\"“”'")
    if token.endswith("人民"):  # `X人民政府信息公开…` read as `X人民` + `政府信息公开`
        token += "政府"
    if not token:
        return None
    leads = list(LEAD_INS.finditer(token))
    if not leads and is_agency_name(token):
        return token
    if leads:
        rest = token[leads[-1].end():]
        if is_agency_name(rest):
            return rest
    from .regions import names_in

    for place, _ in names_in(token):
        start = token.find(place)
        if start > 0 and is_agency_name(token[start:]):
            return token[start:]
    return None


def extract_metadata(
    lines: Sequence[Line], source_name: str = "", extra_titles: Iterable[tuple[str, int, str]] = ()
) -> tuple[Metadata, list[Message]]:
    """Agency name and type, report year and publication date, with the line and signal of each.

    `source_name`: the file's path relative to the raw folder (its folder and file names are a
    signal); `extra_titles`: (source, line, text) of titles outside the lines, e.g. the HTML
    `<title>` ('html_title') and headings ('html_heading')."""
    messages: list[Message] = []
    content = _non_empty(lines, HEAD_LINES + SECTION1_LINES)  # the head, never the whole text
    head = content[:HEAD_LINES]
    tail = _non_empty(reversed(lines), TAIL_LINES)[::-1]
    forms = _Forms()
    agencies: list[Candidate] = []
    years: list[Candidate] = []
    dates: list[Candidate] = []

    body_head = _read_header(head, forms, agencies, years, dates)
    _from_titles(body_head, forms, agencies, years)
    for source, line_no, text in extra_titles:
        _from_title_text(text, source, line_no, agencies, years, split_html=(source == "html_title"))
    _from_path(source_name, agencies, years)
    opening, opening_lines = _joined(body_head[:OPENING_LINES], forms)
    _from_sentences(opening[:OPENING_CHARS], opening_lines, agencies, years)
    _from_section1(content, forms, agencies, years)
    _from_signature(tail, forms, agencies, dates)
    period_lines = [(line.no, forms.compact(line)) for line in content[:PERIOD_LINES] if "统计" in line.text or "时间范围" in line.text]
    period = _year_from_statistics_period(period_lines)
    if period is not None:
        years.append(Candidate(period[0], "statistics_period", period[1], YEAR_RANK["statistics_period"]))
    for line in body_head:
        match = _YEAR_HEADING.match(forms.compact(line)) if line.text.lstrip()[:1].isdigit() else None
        if match:
            years.append(Candidate(int(match.group(1)), "year_heading", line.no, YEAR_RANK["year_heading"]))
            break

    metadata = Metadata()
    agency = _best(agencies)
    if agency is not None and is_abbreviation(str(agency.value)):
        full = _full_name(str(agency.value), agencies, lines)
        if full is not None:
            messages.append(Message("info", "agency_abbreviation", f"'{agency.value}' ({agency.source}) is written in full as '{full.value}' ({full.source})", full.line))
            agency = full
        else:
            messages.append(Message("info", "agency_abbreviation", f"'{agency.value}' ({agency.source}) looks abbreviated and the text gives no full name: kept as written", agency.line))
    year = _best(years)
    if year is not None and period is not None and period[0] != year.value:
        messages.append(Message("warning", "year_mismatch", f"{year.source} year {year.value} but statistics period starts in {period[0]}", period[1]))
    published = _publication_date(dates, year.value if year else None)

    for name, chosen in (("agency_name", agency), ("report_year", year), ("published_on", published)):
        if chosen is None:
            continue
        setattr(metadata, name, chosen.value)
        metadata.sources[name] = chosen.source
        if chosen.line is not None:
            metadata.evidence[name] = chosen.line
    metadata.agency_type = agency_type_of(metadata.agency_name)
    if agency is not None and metadata.agency_type is not None:
        metadata.sources["agency_type"] = agency.source
        if agency.line is not None:
            metadata.evidence["agency_type"] = agency.line
    if agency is None:
        messages.append(Message("warning", "agency_missing", "no agency name in a title, HTML title, crawler header, opening, compilation or contact sentence, section 一, signature or file name"))
    if year is None:
        messages.append(Message("warning", "year_missing", "no report year in a title, HTML title, crawler header, statistics period, heading, section 一 or file name"))
    return metadata, messages


def describe_sources(metadata: Metadata) -> str | None:
    """`agency '…' from title (line 3); year 2020 from statistics_period (line 5)` for the parse messages."""
    parts = []
    for name, label in (("agency_name", "agency"), ("report_year", "year"), ("published_on", "published_on")):
        source = metadata.sources.get(name)
        if source is None:
            continue
        line = metadata.evidence.get(name)
        where = f" (line {line})" if line is not None else ""
        value = getattr(metadata, name)
        parts.append(f"{label} {value!r} from {source}{where}" if name == "agency_name" else f"{label} {value} from {source}{where}")
    return "; ".join(parts) or None


# --- text forms --------------------------------------------------------------------------------


class _Forms:
    """Per-line caches of the two match forms, so a line is normalised at most once."""

    def __init__(self) -> None:
        self._compact: dict[int, str] = {}
        self._spaced: dict[int, str] = {}

    def compact(self, line: Line) -> str:
        form = self._compact.get(line.no)
        if form is None:
            form = self._compact[line.no] = match_form(line.text)
        return form

    def spaced(self, line: Line) -> str:
        form = self._spaced.get(line.no)
        if form is None:
            form = self._spaced[line.no] = spaced_form(line.text)
        return form


def spaced_form(text: str) -> str:
    """NFKC with whitespace runs kept as one space (they separate navigation from the title in long
    lines), except around digits: `2024 年`, `1 月` → `2024年`, `1月`."""
    text = unicodedata.normalize("NFKC", text).strip()
    text = re.sub(r"\s+", " ", text)
    return _SPACE_AT_DIGITS.sub("", text)


def _non_empty(lines: Iterable[Line], limit: int) -> list[Line]:
    """The first `limit` non-empty lines."""
    found: list[Line] = []
    for line in lines:
        if line.text and not line.text.isspace():
            found.append(line)
            if len(found) == limit:
                break
    return found


def _joined(lines: Sequence[Line], forms: _Forms) -> tuple[str, list[tuple[int, int]]]:
    """The lines' compact forms joined without separator (PDF hard wraps), with (offset, line no)."""
    parts: list[str] = []
    starts: list[tuple[int, int]] = []
    offset = 0
    for line in lines:
        form = forms.compact(line)
        starts.append((offset, line.no))
        parts.append(form)
        offset += len(form)
    return "".join(parts), starts


def _line_at(starts: list[tuple[int, int]], offset: int) -> int | None:
    line_no = None
    for start, no in starts:
        if start > offset:
            break
        line_no = no
    return line_no


# --- readers -----------------------------------------------------------------------------------


def _read_header(head: list[Line], forms: _Forms, agencies: list[Candidate], years: list[Candidate], dates: list[Candidate]) -> list[Line]:
    """Crawler header lines (`标题: …`, `发布时间: …`, `本地目录: …`) become candidates; the other
    head lines are returned for the title and sentence readers."""
    body: list[Line] = []
    for line in head:
        match = HEADER_LINE.match(line.text) if ":" in line.text or "：" in line.text else None
        if match is None:
            body.append(line)
            continue
        label, value = match.group(1), match.group(2).strip()
        if label == "标题":
            _from_title_text(value, "crawler_header", line.no, agencies, years)
        elif label == "本地目录":
            _from_path(value, agencies, years, line.no)
    body_numbers = {line.no for line in body}
    for line in head:
        if "时间" in line.text or "日期" in line.text:
            parsed = _labelled_date(forms.compact(line))
            if parsed:
                source = "label" if line.no in body_numbers else "crawler_header"
                dates.append(Candidate(parsed, source, line.no, DATE_RANK[source]))
    return body


def _title_matches(form: str) -> list[tuple[str | None, int]]:
    """(agency or None, year) of every title in a text form, agency-first titles first. The agency
    of an agency-first title is the run of text before the year back to a separator."""
    found: list[tuple[str | None, int]] = []
    for match in _TITLE_CORE.finditer(form):
        stop = match.start()
        token = form[_run_start(form, stop, 60) : stop]
        found.append((clean_agency(token) if token else None, int(match.group(1))))
    for match in _YEAR_FIRST.finditer(form):
        found.append((clean_agency(match.group("agency")), int(match.group(1))))
    return found


def _run_start(text: str, stop: int, longest: int = MAX_AGENCY_CHARS) -> int:
    """Where the run of name characters ending at `stop` begins (back to a separator)."""
    start, lowest = stop, max(0, stop - longest)
    while start > lowest and text[start - 1] not in _STOP_SET:
        start -= 1
    return start


def _from_title_text(text: str, source: str, line_no: int | None, agencies: list[Candidate], years: list[Candidate], split_html: bool = False) -> None:
    parts = _HTML_TITLE_SPLIT.split(text) if split_html else [text]
    for part in parts:
        form = match_form(part)
        if not form or not _TITLE_HINT.search(form):
            continue
        matches = _title_matches(form)
        if matches:
            agency, year = matches[0]
            if agency is not None:
                agencies.append(Candidate(agency, source, line_no, AGENCY_RANK[source]))
            years.append(Candidate(year, source, line_no, YEAR_RANK[source]))
            return


def _from_titles(head: list[Line], forms: _Forms, agencies: list[Candidate], years: list[Candidate]) -> None:
    """The first title of the head lines: a short line (alone, joined with the next when split mid-word,
    with the agency on the line above when it stands alone there), or a title inside a long line."""
    for position, line in enumerate(head):
        if "年" not in line.text:
            continue  # cheap test first: a title's line holds its year (`2019年`), most lines have none
        following_text = head[position + 1].text if position + 1 < len(head) else ""
        if not _TITLE_HINT.search(line.text) and not _TITLE_HINT.search(following_text):
            continue  # a title split over two lines has its hint word in one of them
        compact = forms.compact(line)
        if len(compact) <= SHORT_LINE:
            matches = [m for m in _title_matches(compact) if _is_whole_title(compact, m)]
            year_line = agency_line = line.no
            if not matches and position + 1 < len(head):
                following = forms.compact(head[position + 1])
                if len(following) <= SHORT_LINE:
                    joined = compact + following
                    matches = [m for m in _title_matches(joined) if _is_whole_title(joined, m)]
                    if matches and str(matches[0][1]) not in compact:
                        year_line = head[position + 1].no  # `X` / `2020年…报告`: the year is on the second line
            if matches:
                agency, year = matches[0]
                if agency is None:
                    for previous in reversed(head[max(0, position - 2) : position]):
                        text = forms.compact(previous)
                        if looks_like_agency(text) or is_agency_name(text):
                            agency, agency_line = text, previous.no
                            break
                if agency is not None:
                    agencies.append(Candidate(agency, "title", agency_line, AGENCY_RANK["title"]))
                years.append(Candidate(year, "title", year_line, YEAR_RANK["title"]))
                return
        else:
            spaced = forms.spaced(line)
            for agency, year in _title_matches(spaced):
                if agency is not None:  # a year without a name inside a sentence is someone's notice
                    agencies.append(Candidate(agency, "title", line.no, AGENCY_RANK["title"]))
                    years.append(Candidate(year, "title", line.no, YEAR_RANK["title"]))
                    return


def _is_whole_title(form: str, match: tuple[str | None, int]) -> bool:
    """A short line is a title when the title is the line (or starts it, with a date or source after)."""
    agency, year = match
    stripped = form.lstrip("《\"“")
    return stripped.startswith(str(year)) or (agency is not None and stripped.startswith(agency))


def _from_path(source_name: str, agencies: list[Candidate], years: list[Candidate], line_no: int | None = None) -> None:
    """Crawlers name folders after the title (`…/80560_X2019年度…年度报告/page.txt`)."""
    if not source_name:
        return
    for part in reversed(re.split(r"[\\/]", source_name)):
        stem = _PATH_PREFIX.sub("", part.rsplit(".", 1)[0] if "." in part else part)
        if stem and _TITLE_HINT.search(stem):
            before = len(years)
            _from_title_text(stem, "path", line_no, agencies, years)
            if len(years) > before:
                return


def _from_sentences(opening: str, starts: list[tuple[int, int]], agencies: list[Candidate], years: list[Candidate]) -> None:
    """Opening (intro), compilation and contact sentences of the joined opening lines."""
    for pattern in _INTRO_PATTERNS if ("公布" in opening or "发布" in opening or "全文包括" in opening) else ():
        for match in pattern.finditer(opening):
            name = clean_agency(match.group(1))
            if name:
                line_no = _line_at(starts, match.start(1))
                agencies.append(Candidate(name, "intro", line_no, AGENCY_RANK["intro"]))
                if pattern.groups >= 2:
                    years.append(Candidate(int(match.group(2)), "intro", _line_at(starts, match.start(2)), YEAR_RANK["intro"]))
                break
    found = False
    if "编制" in opening or "汇总" in opening:
        for pattern in _COMPILATION_PATTERNS:
            for match in pattern.finditer(opening):
                name = clean_agency(match.group(1))
                if name:
                    agencies.append(Candidate(name, "compilation", _line_at(starts, match.start(1)), AGENCY_RANK["compilation"]))
                    found = True
                    break
            if found:
                break
        for match in _COMPILED_BY.finditer(opening) if not found else ():
            start = _run_start(opening, match.start())
            name = clean_agency(opening[start : match.start()])
            if name:
                agencies.append(Candidate(name, "compilation", _line_at(starts, start), AGENCY_RANK["compilation"]))
                break
    for match in _CONTACT.finditer(opening) if "请与" in opening else ():
        name = _contact_name(match.group(1))
        if name:
            agencies.append(Candidate(name, "contact", _line_at(starts, match.start(1)), AGENCY_RANK["contact"]))
            break


def _contact_name(text: str) -> str | None:
    """`请与X办公室联系` names X (its office answers the questions); `请与X联系` names X."""
    stripped = _CONTACT_OFFICE.sub("", text)
    if stripped != text and is_agency_name(stripped):
        return stripped
    return clean_agency(text)


def _from_section1(content: list[Line], forms: _Forms, agencies: list[Candidate], years: list[Candidate]) -> None:
    """`一、总体情况` then `2024年，X坚持…`: the first sentence of section 一 names the agency."""
    for index, line in enumerate(content[:HEAD_LINES]):
        text = line.text
        if "一" not in text or not ("总体" in text or "概" in text or "基本情况" in text):
            continue
        form = forms.compact(line)
        heading = _SECTION1_HEADING.search(form)
        if heading is None:
            continue
        following = content[index + 1 : index + 1 + SECTION1_LINES]
        joined, starts = _joined(following, forms)
        rest = form[heading.end():]
        starts = [(0, line.no)] + [(offset + len(rest), no) for offset, no in starts]
        match = _SECTION1.search((rest + joined)[:400])
        if match:
            name = clean_agency(match.group(2))
            if name:
                agencies.append(Candidate(name, "section1", _line_at(starts, match.start(2)), AGENCY_RANK["section1"]))
            years.append(Candidate(int(match.group(1)), "section1", _line_at(starts, match.start(1)), YEAR_RANK["section1"]))
        return


def _from_signature(tail: list[Line], forms: _Forms, agencies: list[Candidate], dates: list[Candidate]) -> None:
    """The signature block: a name line of its own (above the date), or `X 2021年2月10日` at the end
    of a long line; its date is a publication-date candidate."""
    found_name = found_date = False
    for line in reversed(tail):
        compact = forms.compact(line)
        if not found_date:
            parsed = _standalone_date(compact)
            if parsed:
                dates.append(Candidate(parsed, "signature", line.no, DATE_RANK["signature"]))
                found_date = True
                continue
        if not found_name and len(compact) <= MAX_AGENCY_CHARS + 2 and (looks_like_agency(compact) or is_agency_name(compact)):
            agencies.append(Candidate(compact, "signature", line.no, AGENCY_RANK["signature"]))
            found_name = True
            continue
        if len(compact) > MAX_AGENCY_CHARS and not (found_name and found_date) and "日" in line.text[-TAIL_CHARS:]:
            spaced = forms.spaced(line)[-TAIL_CHARS:]
            for match in reversed(list(_DATE_RE.finditer(spaced))):
                stop = match.start()
                while stop > 0 and spaced[stop - 1] == " ":
                    stop -= 1
                start = stop
                while start > max(0, stop - MAX_AGENCY_CHARS) and spaced[start - 1] not in _STOP_SET:
                    start -= 1
                if start > 0 and spaced[start - 1] not in _STOP_SET:
                    continue  # the run before the date is longer than a name: a sentence
                name = clean_agency(spaced[start:stop])
                if name is None:
                    continue
                if not found_name:
                    agencies.append(Candidate(name, "signature", line.no, AGENCY_RANK["signature"]))
                    found_name = True
                if not found_date:
                    parsed = _standalone_date(match.group(0))
                    if parsed:
                        dates.append(Candidate(parsed, "signature", line.no, DATE_RANK["signature"]))
                        found_date = True
                break
        if found_name:
            return


def _year_from_statistics_period(period_lines: list[tuple[int, str]]) -> tuple[int, int] | None:
    for line_no, text in period_lines:
        match = _STATISTICS_PERIOD.search(text)
        if match:
            return int(match.group(1)), line_no
    return None


# --- choosing ----------------------------------------------------------------------------------


def _best(candidates: list[Candidate]) -> Candidate | None:
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.rank, c.line if c.line is not None else 10**9))


def _full_name(abbreviation: str, agencies: list[Candidate], content: Sequence[Line]) -> Candidate | None:
    """The full name of an abbreviated agency: `X（以下简称Y）` anywhere in the text, else the best
    other candidate that ends with the abbreviation's core (`区财政金融局` → `…实验区财政金融局`)."""
    for line in content:
        if "简称" not in line.text:
            continue
        for match in _ABBREVIATION.finditer(match_form(line.text)):
            if match.group(2) == abbreviation:
                full = clean_agency(match.group(1))
                if full is not None and not is_abbreviation(full):
                    return Candidate(full, "abbreviation", line.no, 0)
    core = abbreviation[1:]
    others = [c for c in agencies if str(c.value) != abbreviation and str(c.value).endswith(core) and not is_abbreviation(str(c.value))]
    return _best(others)


def _publication_date(dates: list[Candidate], year: int | None) -> Candidate | None:
    """The best-ranked date inside the publication window [year, year + 2]."""
    for candidate in sorted(dates, key=lambda c: (c.rank, c.line or 0)):
        y, m, d = candidate.value  # type: ignore[misc]
        if year is not None and not (year <= y <= year + 2):
            continue  # a date outside the publication window is something else (a deadline, a quote)
        try:
            return Candidate(dt.date(y, m, d).isoformat(), candidate.source, candidate.line, candidate.rank)
        except ValueError:
            continue
    return None


def _labelled_date(text: str) -> tuple[int, int, int] | None:
    match = _LABELLED_DATE.search(text)
    return (int(match.group(1)), int(match.group(2)), int(match.group(3))) if match else None


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
    """一 … 三十一 (months and days); 元/正 (元月, 正月) is 1."""
    if text in ("元", "正"):
        return 1
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CHINESE_DIGITS[text[1]]
    if text.endswith("十"):
        return _CHINESE_DIGITS[text[0]] * 10
    if "十" in text:
        return _CHINESE_DIGITS[text[0]] * 10 + _CHINESE_DIGITS[text[2]]
    return _CHINESE_DIGITS[text]
