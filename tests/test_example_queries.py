"""The contract's four example questions, run exactly as the README prints them (so the docs cannot
drift from the warehouse), against the session warehouse built from the seed corpus."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### The contract's four questions, one query each", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_readme_has_the_four_queries():
    assert len(readme_queries()) == 4


def test_q2_share_granted_by_province_and_year(warehouse):
    # Totals of （一）予以公开 and （七）总计 from the seeds' text and the real reports' gold files:
    # 江苏省 2024 = 淮安市 (1362 / 3050) + 洪泽区 (50 / 95).
    rows = warehouse.rows(readme_queries()[1])
    assert rows == [
        ("上海市", 2020, Decimal(2), Decimal(6), 0.3333),
        ("内蒙古自治区", 2024, Decimal(0), Decimal(0), None),
        ("四川省", 2020, Decimal(1), Decimal(8), 0.125),
        ("江苏省", 2023, Decimal(0), Decimal(21), 0.0),
        ("江苏省", 2024, Decimal(1412), Decimal(3145), 0.449),
        ("福建省", 2020, Decimal(0), Decimal(0), None),
    ]


def test_q4_reports_on_the_2019_template_for_2021_or_later(warehouse):
    # 2021+: seed 004 (v2021), huaian 2024 (v2021), hongze 2023 and 2024 (hybrid: the 2019 single （六） row).
    assert warehouse.rows(readme_queries()[3]) == [(0, 2, 4)]


def test_q3_carried_over_vs_last_years_carried_forward(warehouse):
    """洪泽区 2024 上年结转 against its own 2023 结转下年度继续办理, per column: all 0 in the gold files."""
    rows = warehouse.rows(readme_queries()[2])
    assert [r[:6] for r in rows] == [
        ("淮安市洪泽区人民政府", 2024, subject, "pass", Decimal(0), Decimal(0))
        for subject in sorted(["total", "natural_person", "commercial_enterprise", "research_institution",
                               "social_welfare_org", "legal_service_org", "other_org"])
    ]
    assert rows[-1][6] == "总计: 本年 二 = 上年 四（0 = 0）"


def test_q1_agencies_breaking_t3_1(warehouse):
    """No report of the session corpus breaks T3-1 (seeds and gold files add up per column)."""
    assert warehouse.rows(readme_queries()[0]) == []


def test_agency_year_summary(warehouse):
    rows = warehouse.rows(
        "select agency_name, report_year, applications_received, granted, processed, share_granted, carried_forward, "
        "hard_checks_failed, soft_checks_failed from marts.agency_year_summary where province = '江苏省' order by 1, 2")
    assert rows == [
        ("淮安市人民政府", 2024, Decimal(3119), Decimal(1362), Decimal(3050), 0.4466, Decimal(103), 0, 0),
        # hongze 2023: T4-1 and T4-3 fail as published; TPL-1 (hybrid template) is the soft finding.
        ("淮安市洪泽区人民政府", 2023, Decimal(21), Decimal(0), Decimal(21), 0.0, Decimal(0), 2, 1),
        # hongze 2024: prose says 受理…申请 17 件, table 三 says 95 (P-1), plus TPL-1.
        ("淮安市洪泽区人民政府", 2024, Decimal(95), Decimal(50), Decimal(95), 0.5263, Decimal(0), 0, 2),
    ]
