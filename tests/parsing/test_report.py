"""The orchestrator: whole seeds, deviations D19–D21 of docs/spec/templates.md, and garbage that must never raise."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import pytest
from parsing_helpers import REALWORLD_RAW, SEEDS_DIR

from dagster_project.parsing.report import parse_bytes, parse_text


def seed_path(prefix: str) -> Path:
    return next(SEEDS_DIR.glob(f"{prefix}_*.txt"))


def cell_values(report, prefix: str) -> dict[str, Decimal]:
    return {c.metric_code: c.value for c in report.cells if c.metric_code.startswith(prefix)}


# prefix: (agency, type, year, published_on, province, city, district, adcode, version, table cell count)
# table cells: v2019 t2 22 + t3 161 + t4 15 = 198; v2021 t2 10 + t3 175 + t4 15 = 200
SEEDS = {
    "000": ("晋安区民政局", "民政局", 2020, None, "福建省", "福州市", "晋安区", "350111", "v2019", 198),
    "001": ("台儿庄区民政局", "民政局", 2017, "2018-02-06", "山东省", "枣庄市", "台儿庄区", "370405", "pre2019", 0),
    "002": ("上海市普陀区民政局", "民政局", 2020, None, "上海市", "上海市", "普陀区", "310107", "v2019", 198),
    "003": ("遂宁市安居区人民政府", "人民政府", 2020, "2021-02-10", "四川省", "遂宁市", "安居区", "510904", "v2019", 198),
    "004": ("临河区民政局", "民政局", 2024, "2025-01-22", "内蒙古自治区", "巴彦淖尔市", "临河区", "150802", "v2021", 200),
}


@pytest.mark.parametrize("prefix", sorted(SEEDS))
def test_seed_reports_parse_ok(prefix):
    report = parse_bytes(seed_path(prefix).read_bytes(), seed_path(prefix).name)
    m = report.metadata
    assert (m.agency_name, m.agency_type, m.report_year, m.published_on, m.province, m.city, m.district, m.adcode, m.template_version) == SEEDS[prefix][:9]
    table_cells = [c for c in report.cells if not c.metric_code.startswith("prose.")]
    assert len(table_cells) == SEEDS[prefix][9]
    assert report.parse_status == "ok"
    assert len(report.sections) == 6
    assert not [msg for msg in report.messages if msg.level == "error"]


def test_d21_prose_only_pre2019_report_is_ok_without_tables():
    report = parse_text(seed_path("001").read_text(encoding="utf-8"), "001")
    assert report.metadata.template_version == "pre2019"
    assert [c for c in report.cells if not c.metric_code.startswith("prose.")] == []
    assert cell_values(report, "prose.") == {
        "prose.proactive_items_cumulative": Decimal(215),
        "prose.requests_received": Decimal(0),
        "prose.fees_collected": Decimal(0),
        "prose.review_cases": Decimal(0),
        "prose.litigation_cases": Decimal(0),
    }
    assert [s.section_code for s in report.sections] == ["s1_overview", "s2_proactive", "s3_requests", "p_fees", "s4_review_litigation", "s5_problems"]
    assert report.parse_status == "ok"


def test_d20_prose_contradicting_table_keeps_both_and_warns():
    """Seed 003's table says 8 new applications; make the prose say 5."""
    text = seed_path("003").read_text(encoding="utf-8").replace("处理依申请公开8件", "受理政府信息公开申请5件")
    report = parse_text(text, "003-d20")
    values = {c.metric_code: c.value for c in report.cells}
    assert values["prose.requests_received"] == 5
    assert values["t3.new_received.total"] == 8
    assert [m.code for m in report.messages if m.code == "prose_table_mismatch"] == ["prose_table_mismatch"]
    assert report.parse_status == "ok"  # a contradiction is a finding, not a parse failure


@pytest.mark.skipif(not REALWORLD_RAW.exists(), reason="shared real-world reports not available")
def test_d20_real_report_prose_17_vs_table_95():
    report = parse_bytes((REALWORLD_RAW / "19_hongze_2024.txt").read_bytes(), "19_hongze_2024.txt")
    values = {c.metric_code: c.value for c in report.cells}
    assert (values["prose.requests_received"], values["t3.new_received.total"]) == (17, 95)
    assert any(m.code == "prose_table_mismatch" for m in report.messages)


def test_d19_heading_variants_parse_into_standard_codes():
    text = seed_path("000").read_text(encoding="utf-8")
    text = text.replace("\n二、主动公开政府信息情况\n", "\n二、行政机关主动公开政府信息情况\n")
    text = text.replace("\n五、存在的主要问题及改进情况\n", "\n五、政府信息公开工作存在的主要问题及改进情况\n")
    report = parse_text(text)
    assert [s.section_code for s in report.sections] == ["s1_overview", "s2_proactive", "s3_requests", "s4_review_litigation", "s5_problems", "s6_other"]
    assert report.sections[1].title == "二、行政机关主动公开政府信息情况"
    assert report.parse_status == "ok"


def test_missing_table_rows_make_partial_with_location():
    lines = seed_path("004").read_text(encoding="utf-8").split("\n")
    damaged = "\n".join(line for line in lines if not line.startswith(("2.重复申请", "3.要求提供公开出版物")))
    report = parse_text(damaged)
    assert report.parse_status == "partial"
    (message,) = [m for m in report.messages if m.code == "t3_cells_missing"]
    assert "t3.not_processed_duplicate.natural_person" in message.text and "三、收到和处理政府信息公开申请情况" in message.text


def test_missing_agency_makes_partial():
    text = seed_path("001").read_text(encoding="utf-8").replace("台儿庄区民政局", "")
    report = parse_text(text)
    assert report.metadata.agency_name is None
    assert report.parse_status == "partial"
    assert any(m.code == "agency_missing" for m in report.messages)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        bytes(range(256)) * 40,
        bytes([0x80, 0xFF, 0x81, 0x00, 0xFF, 0xFE, 0x80]) * 50,
        "just some english text".encode(),
        "\n\n   \n".encode(),
    ],
    ids=["empty", "binary", "not-text", "english", "blank"],
)
def test_garbage_bytes_fail_with_a_message(data):
    report = parse_bytes(data, "junk.bin")
    assert report.parse_status == "failed"
    assert report.messages and report.messages[0].level == "error"


def test_html_without_table_is_not_ok():
    html = "<html><body><div><p>某某网站首页</p><p>新闻动态</p><p>联系我们</p></div></body></html>"
    report = parse_bytes(html.encode("utf-8"), "page.html")
    assert report.parse_status in ("failed", "partial")
    assert report.messages


def test_two_megabytes_of_random_text_never_raises():
    rng = random.Random(7)
    alphabet = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会一二三四五六七八九十、。，|\t\n 0123456789"
    text = "".join(rng.choice(alphabet) for _ in range(2_000_000))
    report = parse_text(text, "random.txt")
    assert report.parse_status in ("failed", "partial")
    assert report.messages


def test_parse_text_never_raises_on_internal_errors(monkeypatch):
    from dagster_project.parsing import report as report_module

    def broken(lines):
        raise RuntimeError("boom")

    monkeypatch.setattr(report_module, "extract_sections", broken)
    report = parse_text(seed_path("000").read_text(encoding="utf-8"), "000")
    assert report.parse_status == "failed"
    assert "RuntimeError: boom" in report.messages[0].text


def test_non_string_input_fails_cleanly():
    assert parse_text(None).parse_status == "failed"  # type: ignore[arg-type]


def test_the_pipeline_entry_point_for_decoded_reports_follows_parse_bytes():
    """parse_decoded (what the parse asset calls on ingested text) gives what parse_bytes gives."""
    from dagster_project.parsing.report import parse_bytes, parse_decoded
    from dagster_project.parsing.text import decode_bytes

    html = "<p>某某县民政局2020年政府信息公开工作年度报告</p>".encode("gb18030")
    text, _ = decode_bytes(html)
    by_bytes, by_text = parse_bytes(html, "a/report.html"), parse_decoded(text, "a/report.html")
    assert by_text.metadata == by_bytes.metadata
    assert [(m.code, m.text) for m in by_text.messages] == [(m.code, m.text) for m in by_bytes.messages]

    broken = parse_bytes(b"\x00\x01\x02\x03 not text", "b/x.txt")
    stored = parse_decoded(None, "b/x.txt", decode_error="contains NUL bytes but no UTF-16 pattern: binary file?")
    assert (broken.parse_status, broken.messages[0].code) == (stored.parse_status, stored.messages[0].code) == ("failed", "decode_failed")
    assert stored.messages[0].text == "b/x.txt: the bytes could not be decoded as text (contains NUL bytes but no UTF-16 pattern: binary file?)"
