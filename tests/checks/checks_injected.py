"""The 50-report corpus: seeds, seeds with one cell changed (expected failures listed by hand), blank
cells (incomplete, never fail), a cross-year pair, and a real report that breaks T4-1 / T4-3."""

from __future__ import annotations

import shutil
from pathlib import Path

from checks_corpus import REALWORLD_RAW, bump, edit_cell, seed_text

V2019 = ("000", "002", "003")


def _cases() -> list[tuple[str, str, set]]:
    """(file name, text, {(check_id, subject)} expected to FAIL)."""
    out: list[tuple[str, str, set]] = []
    for s in ("000", "001", "002", "003", "004"):
        out.append((f"seed_{s}.txt", seed_text(s), set()))
    for s in V2019:
        t = seed_text(s)
        out += [
            (f"{s}_a_new_received.txt", bump(t, "t3.new_received.commercial_enterprise"),
             {("T3-1", "commercial_enterprise"), ("T3-3", "new_received")}),
            (f"{s}_b_granted.txt", bump(t, "t3.granted.natural_person"),
             {("T3-2a", "natural_person"), ("T3-3", "granted")}),
            (f"{s}_c_review.txt", bump(t, "t4.review_upheld"), {("T4-1", "review")}),
            (f"{s}_d_lit_after.txt", bump(t, "t4.lit_after_review_pending"), {("T4-3", "lit_after_review")}),
            (f"{s}_e_carried_forward.txt", bump(t, "t3.carried_forward.other_org"),
             {("T3-1", "other_org"), ("T3-3", "carried_forward"), ("T3-6", "other_org")}),
            (f"{s}_f_negative_t2.txt", edit_cell(t, "t2.art20_5.admin_license.decisions", "-5"), {("T2-1", "t2")}),
            (f"{s}_g_items_delta.txt", edit_cell(t, "t2.art20_5.admin_license.items_delta", "-1000"),
             {("T2-2", "admin_license")}),
            (f"{s}_h_newly_published.txt", edit_cell(t, "t2.art20_1.regulations.newly_published", "100000"),
             {("T2-3", "regulations")}),
            (f"{s}_i_negative_t3.txt", edit_cell(t, "t3.denied_state_secret.social_welfare_org", "-1"),
             {("T3-5", "t3"), ("T3-2a", "social_welfare_org"), ("T3-3", "denied_state_secret")}),
        ]
    t = seed_text("004")
    out += [
        ("004_j_other_other.txt", bump(t, "t3.other_other.natural_person"),
         {("T3-2b", "natural_person"), ("T3-3", "other_other")}),
        ("004_k_fee.txt", edit_cell(t, "t2.art20_8.admin_fees.fee_amount", "2000000"), {("T2-5", "admin_fees")}),
        ("004_l_lit_direct.txt", bump(t, "t4.lit_direct_total"), {("T4-2", "lit_direct"), ("P-6", "litigation_cases")}),
        ("004_m_new_received_total.txt", bump(t, "t3.new_received.total"),
         {("T3-1", "total"), ("T3-3", "new_received"), ("P-1", "requests_received")}),
        ("004_n_negative_t4.txt", edit_cell(t, "t4.review_corrected", "-1"), {("T4-4", "t4"), ("T4-1", "review")}),
    ]
    t = seed_text("002")
    prose = t.replace("受理政府信息公开申请6件", "受理政府信息公开申请7件", 1)
    assert prose != t
    out += [
        ("002_o_prose.txt", prose, {("P-1", "requests_received")}),
        ("002_p_total_blank.txt", edit_cell(t, "t3.granted.total", ""), set()),
        ("002_q_part_blank.txt", edit_cell(t, "t3.granted.natural_person", ""), set()),
    ]
    # Cross-year: the same agency in 2020 and 2021 (seed 000 under another district's name).
    base = seed_text("000").replace("晋安区", "鼓楼区")
    later = base.replace("2020年", "2021年")
    out += [
        ("x_2020.txt", base, set()),
        # seed 000 changes 行政许可 (−10) and 其他对外管理服务事项 items: an unchanged copy breaks X-2 there
        ("x_2021_ok.txt", later, {("TPL-1", "template"), ("X-2", "admin_license"), ("X-2", "other_admin_services")}),
    ]
    base = seed_text("000").replace("晋安区", "仓山区")
    later = bump(base.replace("2020年", "2021年"), "t3.carried_over.total", 2)
    out += [
        ("y_2020.txt", base, set()),
        # the prose still says 上年结转 0: P-2 catches the changed table too
        ("y_2021_x1.txt", later, {("TPL-1", "template"), ("X-1", "total"), ("T3-1", "total"), ("T3-3", "carried_over"),
                                  ("P-2", "requests_carried_over"), ("X-2", "admin_license"),
                                  ("X-2", "other_admin_services")}),
    ]
    hongze = (REALWORLD_RAW / "18_hongze_2023.txt").read_text(encoding="utf-8")
    out.append(("hongze_2023.txt", hongze, {("T4-1", "review"), ("T4-3", "lit_after_review"), ("TPL-1", "template")}))
    # Clean copies (distinct bytes: trailing newlines) up to 50 reports.
    k = 0
    while len(out) < 50:
        s = ("000", "002", "003", "004")[k % 4]
        k += 1
        out.append((f"clean_{s}_{k}.txt", seed_text(s) + "\n" * k, set()))
    return out


def write_corpus(folder: Path) -> dict[str, set]:
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    for name, text, fails in _cases():
        (folder / name).write_text(text, encoding="utf-8")
        expected[name] = fails
    return expected


__all__ = ["write_corpus", "shutil"]
