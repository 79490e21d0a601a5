"""Region resolution against cpca's division list, with text clues for ambiguous names."""

from __future__ import annotations

import pytest
from parsing_helpers import REALWORLD_RAW, SEEDS_DIR

from dagster_project.parsing.metadata import extract_metadata
from dagster_project.parsing.regions import names_in, resolve_region
from dagster_project.parsing.text import to_lines


def region(agency: str, text: str = ""):
    return resolve_region(agency, to_lines(text))


SEEDS = {
    "000": ("福建省", "福州市", "晋安区", "350111"),
    "001": ("山东省", "枣庄市", "台儿庄区", "370405"),
    "002": ("上海市", "上海市", "普陀区", "310107"),  # municipality: city reported as 上海市, not 市辖区
    "003": ("四川省", "遂宁市", "安居区", "510904"),
    "004": ("内蒙古自治区", "巴彦淖尔市", "临河区", "150802"),
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_regions(prefix):
    lines = to_lines(next(SEEDS_DIR.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8"))
    metadata, _ = extract_metadata(lines)
    found, messages = resolve_region(metadata.agency_name, lines)
    assert (found.province, found.city, found.district, found.adcode) == SEEDS[prefix]
    assert found.decided_by == "agency_name"
    assert messages == []


@pytest.mark.skipif(not REALWORLD_RAW.exists(), reason="shared real-world reports not available")
@pytest.mark.parametrize(
    "name, expected",
    [
        ("17_huaian_2024.txt", ("江苏省", "淮安市", None, "320800")),  # city-level agency: no district
        ("18_hongze_2023.txt", ("江苏省", "淮安市", "洪泽区", "320813")),
        ("19_hongze_2024.txt", ("江苏省", "淮安市", "洪泽区", "320813")),
    ],
)
def test_realworld_regions(name, expected):
    lines = to_lines((REALWORLD_RAW / name).read_text(encoding="utf-8"))
    metadata, _ = extract_metadata(lines)
    found, _ = resolve_region(metadata.agency_name, lines)
    assert (found.province, found.city, found.district, found.adcode) == expected


def test_putuo_with_zhoushan_phone_is_zhejiang():
    found, messages = region("普陀区民政局", "如有疑问请联系(电话:0580-3012345)。")
    assert (found.province, found.city, found.district, found.adcode) == ("浙江省", "舟山市", "普陀区", "330903")
    assert found.decided_by == "phone_area_code" and messages == []


def test_putuo_with_zhoushan_named_in_text_is_zhejiang():
    found, _ = region("普陀区民政局", "本报告可在舟山市普陀区人民政府网站查阅。")
    assert (found.adcode, found.decided_by) == ("330903", "text_city")


def test_putuo_with_shanghai_postcode():
    found, _ = region("普陀区民政局", "地址:某路1号,邮编:200333。")
    assert (found.adcode, found.city, found.decided_by) == ("310107", "上海市", "postcode")


def test_putuo_without_clues_is_flagged_and_not_guessed():
    """Policy: keep the district name (it is certain) but no province/city/adcode, and warn.
    A guessed adcode would silently join the agency to another place's reports."""
    found, messages = region("普陀区民政局", "本年度工作顺利。")
    assert (found.province, found.city, found.district, found.adcode) == (None, None, "普陀区", None)
    assert found.candidates == ["310107", "330903"]
    assert [m.code for m in messages] == ["region_ambiguous"]


def test_gulou_decided_by_fuzhou_area_code():
    found, _ = region("鼓楼区民政局", "电话:0591-87654321")
    assert (found.adcode, found.city) == ("350102", "福州市")


def test_city_named_in_agency_narrows_district():
    found, _ = region("南京市鼓楼区人民政府")
    assert (found.adcode, found.decided_by) == ("320106", "agency_name")


def test_city_level_and_province_level_agencies():
    assert region("淮安市人民政府")[0].adcode == "320800"
    found, _ = region("福建省民政厅")
    assert (found.province, found.city, found.adcode) == ("福建省", None, "350000")


def test_agency_without_place_name():
    found, messages = region("区民政局")
    assert found.adcode is None and [m.code for m in messages] == ["region_unknown"]
    assert region(None)[0].adcode is None


def test_only_maximal_names_count():
    assert [name for name, _ in names_in("西城区民政局")] == ["西城区"]  # not 城区


def test_deciding_clue_is_kept_as_evidence():
    found, _ = region("普陀区民政局", "第一行。\n电话:0580-3012345")
    assert found.evidence_text == "0580-3012345"
    from dagster_project.parsing.report import parse_text

    report = parse_text("普陀区民政局2020年政府信息公开工作年度报告\n一、总体情况\n联系电话:0580-3012345。\n")
    assert (report.metadata.adcode, report.metadata.evidence["region"]) == ("330903", 3)
