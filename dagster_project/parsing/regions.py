"""Province, city, district and 6-digit adcode of a reporting agency.

Why cpca's data file and not `cpca.transform`: the file (cpca/resources/adcodes.csv, the
maintained division list cpca ships) is all we need, and indexing it once makes a lookup a few
dict probes, where `cpca.transform` costs milliseconds per call.

Why clues: district names repeat across the country (普陀区 is in 上海市 and in 舟山市; 鼓楼区
in 福州, 南京, 徐州, 开封). The agency name decides when it names one place; otherwise the text
decides, in this order: a city or province named in the text, the telephone area code, the
postcode, the website domain. If none decides, the district name is kept but province, city and
adcode stay None with a warning: a wrong adcode would silently join an agency to another
place's reports, a missing one only leaves a gap the warehouse can fill later.

Municipalities (北京, 上海, 天津, 重庆): the division list names their city level `市辖区`/`县`;
we report the municipality itself as the city (`上海市`), which is what analysts group by.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .model import Line, Message, Metadata

MUNICIPALITY_PROVINCE_CODES = frozenset({"11", "12", "31", "50"})
# Names in the division list that are placeholders, not places.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
# Suffixes stripped to get the short form a text uses ("舟山" for 舟山市), longest first.
SHORT_NAME_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟")

# Telephone area code → 4-digit city prefix of the adcode. Only codes we can state with confidence:
# major cities plus those of the seeds and the ambiguous-district examples.
AREA_CODE_CITY: dict[str, str] = {
    "010": "1101", "021": "3101", "022": "1201", "023": "5001",
    "020": "4401", "024": "2101", "025": "3201", "027": "4201", "028": "5101", "029": "6101",
    "0311": "1301", "0351": "1401", "0371": "4101", "0378": "4102", "0411": "2102", "0431": "2201",
    "0451": "2301", "0471": "1501", "0478": "1508", "0510": "3202", "0512": "3205", "0516": "3203",
    "0517": "3208", "0531": "3701", "0532": "3702", "0551": "3401", "0571": "3301", "0574": "3302",
    "0580": "3309", "0591": "3501", "0592": "3502", "0632": "3704", "0731": "4301", "0755": "4403",
    "0771": "4501", "0791": "3601", "0825": "5109", "0851": "5201", "0871": "5301", "0891": "5401",
    "0931": "6201", "0951": "6401", "0971": "6301", "0991": "6501",
}
# Postcode prefix → adcode prefix (3 digits → city, 2 digits → province); only confident entries.
POSTCODE_PREFIX: dict[str, str] = {
    "200": "3101", "201": "3101", "202": "3101", "100": "1101", "300": "1201", "400": "5001",
    "350": "3501", "361": "3502", "223": "3208", "210": "3201", "221": "3203", "316": "3309",
    "277": "3704", "629": "5109", "015": "1508", "475": "4102", "310": "3301",
    "35": "35", "36": "35", "31": "33", "21": "32", "22": "32", "25": "37", "26": "37", "27": "37",
    "61": "51", "62": "51", "63": "51", "64": "51", "01": "15",
}
# Fragments of government website hosts → adcode prefix (pinyin city names that are unambiguous).
DOMAIN_FRAGMENT: dict[str, str] = {
    "shanghai": "3101", "beijing": "1101", "tianjin": "1201", "chongqing": "5001", "fuzhou": "3501",
    "fzja": "3501", "zhoushan": "3309", "huaian": "3208", "suining": "5109", "zaozhuang": "3704",
    "bynr": "1508", "nanjing": "3201", "xuzhou": "3203", "kaifeng": "4102",
}

_PHONE = re.compile(r"(?<!\d)[(（]?(0\d{2,3})[)）-] ?\d{7,8}(?!\d)")
_POSTCODE = re.compile(r"(?:邮编|邮政编码)[:]?(\d{6})(?!\d)")
_HOST = re.compile(r"[A-Za-z0-9.-]+\.gov\.cn", re.IGNORECASE)


@dataclass
class Region:
    province: str | None = None
    city: str | None = None
    district: str | None = None
    adcode: str | None = None
    decided_by: str | None = None  # agency_name | text_city | text_province | phone_area_code | postcode | website
    candidates: list[str] = field(default_factory=list)  # adcodes still possible when undecided
    evidence_text: str | None = None  # the text clue that decided (a place name, phone, postcode, host)


@dataclass(frozen=True)
class _Index:
    names: dict[str, tuple[str, ...]]  # place name → adcodes (6 digits)
    name_of: dict[str, str]  # adcode → name
    max_len: int


@lru_cache(maxsize=1)
def _index() -> _Index:
    """Built once, on first use (not at import: most imports never resolve a region)."""
    import cpca  # only for the path of its bundled data

    path = Path(cpca.__file__).parent / "resources" / "adcodes.csv"
    names: dict[str, list[str]] = {}
    name_of: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code, name = row["adcode"][:6], row["name"]
            name_of[code] = name
            if name not in PLACEHOLDER_NAMES:
                names.setdefault(name, []).append(code)
    return _Index({k: tuple(sorted(v)) for k, v in names.items()}, name_of, max(map(len, names)))


def level_of(adcode: str) -> str:
    if adcode.endswith("0000"):
        return "province"
    if adcode.endswith("00"):
        return "city"
    return "district"


def short_name(name: str) -> str:
    for suffix in SHORT_NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def names_in(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Place names contained in `text`, keeping only maximal matches (新城区, not 城区)."""
    index = _index()
    found: list[tuple[int, int, str]] = []
    for start in range(len(text)):
        for end in range(min(len(text), start + index.max_len), start + 1, -1):
            if text[start:end] in index.names:
                found.append((start, end, text[start:end]))
                break
    maximal = [f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and o != f for o in found)]
    return [(name, index.names[name]) for _, _, name in maximal]


# Suffixes a name may drop when it leads an agency's name (`平潭综合实验区` for 平潭县's zone).
SHORT_FORM_SUFFIXES = ("自治县", "自治旗", "县", "市", "区", "旗")


@lru_cache(maxsize=1)
def _short_index() -> dict[str, tuple[str, ...]]:
    """Short forms of district- and city-level names (平潭 → 平潭县) → adcodes."""
    short: dict[str, set[str]] = {}
    for name, codes in _index().names.items():
        for suffix in SHORT_FORM_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                short.setdefault(name[: -len(suffix)], set()).update(c for c in codes if level_of(c) != "province")
                break
    return {k: tuple(sorted(v)) for k, v in short.items() if v}


def leading_short_name(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """The longest short place form the text starts with, when it names one place only; used only
    as a fallback when no full place name is in the text (a zone or body named after its county:
    `平潭综合实验区`). A short form shared by several places (朝阳) decides nothing."""
    index = _short_index()
    for end in range(min(len(text), 6), 1, -1):
        codes = index.get(text[:end])
        if codes:
            return [(text[:end], codes)] if len(codes) == 1 else []
    return []


def region_of(adcode: str, decided_by: str | None) -> Region:
    """Names of the province, city and district of an adcode."""
    index = _index()
    province = index.name_of.get(adcode[:2] + "0000")
    level = level_of(adcode)
    city = None
    if level != "province":
        city = province if adcode[:2] in MUNICIPALITY_PROVINCE_CODES else index.name_of.get(adcode[:4] + "00")
    district = index.name_of.get(adcode) if level == "district" else None
    return Region(province, city, district, adcode, decided_by)


def resolve_region(agency_name: str | None, lines: list[Line]) -> tuple[Region, list[Message]]:
    """Region of the agency named `agency_name`, using the report text for disambiguation."""
    messages: list[Message] = []
    if not agency_name:
        return Region(), [Message("info", "region_unknown", "no agency name to read a place from")]
    matches = names_in(agency_name)
    if not matches:
        matches = leading_short_name(agency_name)
        if matches:
            full = ", ".join(sorted({_index().name_of[c] for c in matches[0][1]}))
            messages.append(Message("info", "region_short_name", f"'{matches[0][0]}' at the start of '{agency_name}' read as {full}"))
    codes_by_level: dict[str, set[str]] = {"province": set(), "city": set(), "district": set()}
    for _, codes in matches:
        for code in codes:
            codes_by_level[level_of(code)].add(code)

    candidates: set[str] = set()
    for level in ("district", "city", "province"):
        if codes_by_level[level]:
            candidates = _narrow_by_parents(codes_by_level[level], codes_by_level, level)
            break
    if not candidates:
        return Region(), [Message("warning", "region_unknown", f"no place name in agency name '{agency_name}'")]
    if len(candidates) == 1:
        return region_of(next(iter(candidates)), "agency_name"), messages

    text = "\n".join(line.text for line in lines)
    for clue, found in _clues(text, candidates):
        narrowed = {code for code in candidates if any(code.startswith(p) for p in found)}
        if len(narrowed) == 1:
            region = region_of(next(iter(narrowed)), clue)
            region.evidence_text = next(t for p, t in found.items() if region.adcode.startswith(p))
            return region, messages
        if narrowed:
            candidates = narrowed
    undecided = sorted(candidates)
    district_names = sorted({_index().name_of[c] for c in undecided})
    messages.append(
        Message("warning", "region_ambiguous", f"'{agency_name}' may be any of {', '.join(undecided)}; no clue in the text decides")
    )
    region = Region(district=district_names[0] if len(district_names) == 1 and level_of(undecided[0]) == "district" else None)
    region.candidates = undecided
    return region, messages


def apply_region(metadata: Metadata, region: Region) -> None:
    metadata.province, metadata.city, metadata.district, metadata.adcode = region.province, region.city, region.district, region.adcode


def _narrow_by_parents(codes: set[str], by_level: dict[str, set[str]], level: str) -> set[str]:
    """Keep the codes that lie inside a city/province also named in the agency name."""
    narrowed = codes
    if level == "district" and by_level["city"]:
        inside = {c for c in narrowed if any(c[:4] == p[:4] for p in by_level["city"])}
        narrowed = inside or narrowed
    if level in ("district", "city") and by_level["province"]:
        inside = {c for c in narrowed if any(c[:2] == p[:2] for p in by_level["province"])}
        narrowed = inside or narrowed
    return narrowed


def _clues(text: str, candidates: set[str]):
    """(clue name, {adcode prefix: the text that points to it}), strongest clue first."""
    index = _index()
    for clue, width in (("text_city", 4), ("text_province", 2)):
        found: dict[str, str] = {}
        for code in candidates:
            name = index.name_of.get(code[:width] + "0" * (6 - width))
            if name and name not in PLACEHOLDER_NAMES:
                for form in (name, short_name(name)):
                    if form in text:
                        found[code[:width]] = form
                        break
        yield clue, found
    yield "phone_area_code", {AREA_CODE_CITY[m.group(1)]: m.group(0) for m in _PHONE.finditer(text) if m.group(1) in AREA_CODE_CITY}
    postcodes: dict[str, str] = {}
    for match in _POSTCODE.finditer(text):
        code = match.group(1)
        prefix = POSTCODE_PREFIX.get(code[:3]) or POSTCODE_PREFIX.get(code[:2])
        if prefix:
            postcodes.setdefault(prefix, code)
    yield "postcode", postcodes
    hosts = " ".join(_HOST.findall(text)).lower()
    yield "website", {prefix: fragment for fragment, prefix in DOMAIN_FRAGMENT.items() if fragment in hosts}
