"""Every cell of every table of the table-bearing seeds against hand-checked golden files."""

from __future__ import annotations

from collections import Counter

import pytest
from parsing_helpers import SEEDS_DIR, TABLE_SEEDS, by_code, load_golden, seed_text, tables_from_text

from dagster_project.parsing.templates import expected_codes

EXPECTED_COUNTS = {
    # v2019: table 二 has 8 rows / 22 cells (6+6+6+2+2); docs/spec/templates.md §3.2 says "9 rows, 23 cells" but
    # lists 8 rows whose columns sum to 22, and every v2019 seed prints 22 values.
    "000_a401547b58a11ed1": {"t2": 22, "t3": 161, "t4": 15},
    "002_87d81dba6e927c9d": {"t2": 22, "t3": 161, "t4": 15},
    "003_8fda2105dcda898c": {"t2": 22, "t3": 161, "t4": 15},
    "004_70d6925fef033874": {"t2": 10, "t3": 175, "t4": 15},
}
VERSIONS = {"000_a401547b58a11ed1": "v2019", "002_87d81dba6e927c9d": "v2019", "003_8fda2105dcda898c": "v2019", "004_70d6925fef033874": "v2021"}


@pytest.mark.parametrize("stem", TABLE_SEEDS)
def test_every_cell_matches_golden(stem):
    golden = load_golden(stem)
    cells = by_code(tables_from_text(seed_text(stem)))
    assert set(cells) == set(golden)
    for code, want in golden.items():
        c = cells[code]
        got = {"raw_text": c.raw_text, "value": None if c.value is None else str(c.value), "value_state": c.value_state, "source_line": c.source_line}
        assert got == want, code


@pytest.mark.parametrize("stem", TABLE_SEEDS)
def test_cell_counts_versions_and_no_warnings(stem):
    result = tables_from_text(seed_text(stem))
    assert Counter(c.metric_code.split(".")[0] for c in result.cells) == EXPECTED_COUNTS[stem]
    version = VERSIONS[stem]
    assert result.t2_version == version and result.t3_version == version
    for table in ("t2", "t3", "t4"):
        assert [c.metric_code for c in result.cells if c.metric_code.startswith(table + ".")] == list(expected_codes(table, version))
    assert [m for m in result.messages if m.level != "info"] == []


@pytest.mark.parametrize("stem", TABLE_SEEDS)
def test_golden_raw_text_stands_on_its_line(stem):
    """Independent of the parser: each golden raw_text is on its source line of the raw file."""
    lines = seed_text(stem).replace("\r\n", "\n").split("\n")
    for code, want in load_golden(stem).items():
        assert want["raw_text"] in lines[want["source_line"] - 1], code


def test_prose_only_seed_has_no_table_cells():
    result = tables_from_text(seed_text("001_0610a0a9de2dcfc8"))
    assert result.cells == []
    assert [m.code for m in result.messages] == ["no_tables"]


def test_every_seed_file_is_covered():
    assert sorted(p.stem for p in SEEDS_DIR.glob("*.txt")) == sorted(TABLE_SEEDS + ["001_0610a0a9de2dcfc8"])
