"""Write N synthetic reports with their ground truth: `make_corpus.py N OUT`.

Why not random numbers: a benchmark that scores the checks needs reports whose arithmetic holds
except where we broke it on purpose. So every report is a seed of raw/ whose hand-checked cells
(tests/golden/) are all multiplied by one factor k: sums and totals stay sums and totals, so every
within-report identity still holds. A known share then gets one table-三/四 cell raised by 1–3 (an
injected error: its row or column total no longer adds up).

What varies: the layout (the seeds' cell-per-line pipes, tab cells and row-per-line pipes, an HTML
rendering of the row-per-line layout, the prose-only pre-2019 report), the agency's district
(unique district and county names of cpca's division list) and bureau, the year within the template's years,
the numbers (k from 1 to 60), the encoding (UTF-8 or GB18030). (agency, year) pairs are drawn
without replacement, so no report supersedes another by accident: a layout whose agencies' years
run out (the 人民政府 seed has 2 years × 2,367 districts) is no longer drawn, which shifts the layout
shares of a large corpus (printed).

Writes OUT/raw/<shard>/<name>.{txt,html} and, beside raw/ (never inside it: ingest would read it),
OUT/ground_truth.jsonl (one line per file: seed, layout, agency, year, template, k, injected cell)
and OUT/gold_cells.json (each seed's expected cells at k = 1). Expected value of a cell in a report
= gold value × k, plus the injected delta for the injected cell. Cross-year identities are not
controlled (neighbouring years of an agency are drawn independently): score within-report checks.

Usage:  .venv/bin/python benchmarks/make_corpus.py 10000 /tmp/corpus [--seed 11] [--error-share 0.05]
"""

from __future__ import annotations

import argparse
import collections
import csv
import html
import json
import random
import re
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dagster_project.parsing.report import parse_text  # noqa: E402

SEED_DIR = ROOT / "raw"
GOLDEN_DIR = ROOT / "tests" / "golden"
# seed prefix: layout, district as written, report year, the years its template covers
SEEDS = {
    "000": ("pipe_cell_per_line", "晋安区", 2020, (2019, 2020)),
    "001": ("prose_only_pre2019", "台儿庄区", 2017, tuple(range(2010, 2019))),
    "002": ("tab_cells", "普陀区", 2020, (2019, 2020)),
    "003": ("pipe_cell_per_line", "安居区", 2020, (2019, 2020)),
    "004": ("pipe_row_per_line", "临河区", 2024, (2021, 2022, 2023, 2024)),
}
HTML_FROM = "004"  # the HTML layout renders this seed's rows as <tr>/<td>
# the layouts drawn, with their weights (the HTML one is seed 004 rendered)
LAYOUTS = {"000": 2, "001": 1, "002": 2, "003": 2, "004": 2, "004-html": 1}
_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
INJECT_PREFIXES = ("t3.", "t4.")  # every cell of tables 三 and 四 is a term of a hard sum identity
# A seed agency that is a bureau (…区民政局) becomes one of these, so (agency, year) pairs suffice
# for a national-size corpus: 2,367 districts × 12 bureaus × 15 years.
BUREAUS = ("民政局", "教育局", "财政局", "司法局", "商务局", "审计局", "统计局", "应急管理局", "交通运输局",
           "自然资源局", "市场监督管理局", "人力资源和社会保障局")


def _districts() -> list[str]:
    """District and county names that occur once in cpca's division list (so the region resolves)."""
    import cpca

    counts: collections.Counter[str] = collections.Counter()
    with (Path(cpca.__file__).parent / "resources" / "adcodes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["adcode"][:6].endswith("00") and row["name"][-1:] in ("区", "县"):
                counts[row["name"]] += 1
    return sorted(name for name, n in counts.items() if n == 1 and len(name) >= 2)


class SeedPlan:
    """Where each gold cell's number sits in the seed text, so a variant rewrites only those."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.layout, self.district, self.year, self.years = SEEDS[prefix]
        path = next(SEED_DIR.glob(f"{prefix}_*.txt"))
        self.text = path.read_text(encoding="utf-8")
        golden = next(GOLDEN_DIR.glob(f"{prefix}_*.json"), None)
        self.gold: dict[str, str] = {}
        by_line: dict[int, list[str]] = collections.defaultdict(list)
        if golden is not None:
            for code, cell in json.loads(golden.read_text(encoding="utf-8")).items():
                if cell["value_state"] == "number":
                    self.gold[code] = cell["value"]
                    by_line[cell["source_line"]].append(code)
        self.lines = self.text.split("\n")
        # per line: [(start, end, metric_code)] of the numbers that are cells, in line order
        self.spans: dict[int, list[tuple[int, int, str]]] = {}
        for line_no, codes in by_line.items():
            line = self.lines[line_no - 1]
            numbers = list(_NUMBER.finditer(line))
            if len(numbers) != len(codes):
                raise SystemExit(f"seed {prefix} line {line_no}: {len(numbers)} numbers for {len(codes)} cells: {line!r}")
            for m, code in zip(numbers, codes):
                if Decimal(m.group(0)) != abs(Decimal(self.gold[code])):
                    raise SystemExit(f"seed {prefix} line {line_no}: {m.group(0)} is not {code} = {self.gold[code]}")
            self.spans[line_no] = [(m.start(), m.end(), code) for m, code in zip(numbers, codes)]
        meta = parse_text(self.text).metadata
        self.agency = meta.agency_name
        office = self.agency.split(self.district)[-1] if self.agency else ""
        self.office = office if office in BUREAUS else None  # None: keep the agency's own office

    def agency_for(self, district: str, bureau: str) -> str | None:
        if self.agency is None:
            return None
        agency = self.agency.replace(self.district, district)
        return agency.replace(self.office, bureau) if self.office else agency

    def render(self, k: int, injected: tuple[str, int] | None, district: str, year: int, bureau: str) -> str:
        lines = list(self.lines)
        for line_no, spans in self.spans.items():
            line = lines[line_no - 1]
            for start, end, code in reversed(spans):
                value = Decimal(line[start:end]) * k
                if injected and injected[0] == code:
                    value += injected[1]
                line = line[:start] + _plain(value) + line[end:]
            lines[line_no - 1] = line
        text = "\n".join(lines)
        text = re.sub(f"{self.year + 1}|{self.year}", lambda m: str(year + (m.group(0) != str(self.year))), text)
        text = text.replace(self.district, district)
        return text.replace(self.office, bureau) if self.office else text


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def to_html(text: str) -> str:
    """The row-per-line layout as a portal would publish it: pipe rows as <tr>, other lines as <p>."""
    out = ["<html><head><meta charset=\"utf-8\"><title>报告</title></head><body>"]
    in_table = False
    for line in text.split("\n"):
        if "|" in line:
            if not in_table:
                out.append("<table>")
                in_table = True
            fields = line.strip().strip("|").split("|")
            out.append("<tr>" + "".join(f"<td>{html.escape(f.strip())}</td>" for f in fields) + "</tr>")
        else:
            if in_table:
                out.append("</table>")
                in_table = False
            out.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def expected_cells(gold: dict[str, str], k: int, injected: dict | None) -> dict[str, Decimal]:
    cells = {code: Decimal(v) * k for code, v in gold.items()}
    if injected:
        cells[injected["metric_code"]] += injected["delta"]
    return cells


def generate(count: int, out: Path, seed: int = 11, error_share: float = 0.05, start: int = 0,
             name_prefix: str = "r") -> dict[str, int]:
    """Write `count` reports under out/raw and append their ground truth; returns counts per layout."""
    rng = random.Random(seed)
    plans = {p: SeedPlan(p) for p in SEEDS}
    districts = _districts()
    layouts = [layout for layout, weight in LAYOUTS.items() for _ in range(weight)]
    used: set[tuple[str, str, int]] = set()
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    truth_path = out / "ground_truth.jsonl"
    (out / "gold_cells.json").write_text(
        json.dumps({p: plan.gold for p, plan in plans.items()}, ensure_ascii=False, indent=0), encoding="utf-8")
    per_layout: collections.Counter[str] = collections.Counter()
    exhausted: set[str] = set()
    with truth_path.open("a", encoding="utf-8") as truth:
        for i in range(start, start + count):
            while True:
                layout = rng.choice(layouts)
                prefix = layout.split("-")[0]
                plan = plans[prefix]
                for _ in range(50):  # an unused (agency, year) of this layout
                    district, year = rng.choice(districts), rng.choice(plan.years)
                    bureau = rng.choice(BUREAUS) if plan.office else ""
                    agency = plan.agency_for(district, bureau)
                    if (agency, year) not in used:
                        break
                if (agency, year) not in used or all(lo in exhausted for lo in layouts):
                    break
                exhausted.add(layout)  # its agencies' years are (nearly) all drawn: draw another layout
                layouts = [lo for lo in layouts if lo not in exhausted] or layouts
            duplicate = (agency, year) in used
            used.add((agency, year))
            k = rng.randint(1, 60)
            injected = None
            if plan.gold and rng.random() < error_share:
                code = rng.choice(sorted(c for c in plan.gold if c.startswith(INJECT_PREFIXES)))
                injected = {"metric_code": code, "delta": rng.randint(1, 3)}
            text = plan.render(k, (injected["metric_code"], injected["delta"]) if injected else None, district, year, bureau)
            suffix = "txt"
            if layout.endswith("-html"):
                text, suffix = to_html(text), "html"
            encoding = "gb18030" if rng.random() < 0.1 else "utf-8"
            name = f"{i // 1000:03d}/{name_prefix}{i:06d}.{suffix}"
            (raw / name).parent.mkdir(exist_ok=True)
            (raw / name).write_bytes(text.encode(encoding))
            truth.write(json.dumps({
                "source_file": name, "seed": prefix, "layout": layout, "encoding": encoding,
                "agency": agency,
                "report_year": year, "template": _template(year), "k": k, "injected": injected,
                "duplicate_agency_year": duplicate,
            }, ensure_ascii=False) + "\n")
            per_layout[layout] += 1
    return dict(per_layout)


def _template(year: int) -> str:
    from dagster_project.parsing.templates import expected_template

    return expected_template(year)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--error-share", type=float, default=0.05)
    args = parser.parse_args()
    if (args.out / "raw").exists():
        sys.exit(f"{args.out / 'raw'} exists: choose an empty folder")
    started = time.monotonic()
    per_layout = generate(args.count, args.out, args.seed, args.error_share)
    print(f"{args.count} reports written in {time.monotonic() - started:.1f} s under {args.out / 'raw'}; "
          f"ground truth {args.out / 'ground_truth.jsonl'}; layouts {per_layout}")


if __name__ == "__main__":
    main()
