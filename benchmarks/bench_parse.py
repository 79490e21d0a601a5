"""Throughput and memory of the whole parser (`report.parse_text`) on ≥10,000 synthetic reports.

Why synthetic variants of the seeds: the corpus will hold 100,000+ reports, and the seeds cover
the text layouts we know (cell-per-line pipes, tab cells, row-per-line pipes, prose-only). Each
variant swaps the agency's district for another real one, shifts the report year within its
template's range, and redraws every table value, so no two inputs are identical (no cache can
flatter the numbers) while every input stays a valid report.

Texts are generated lazily and results are reduced to counters, so memory measures the parser
and not a list of 10,000 strings. Only the parse calls are timed.

Usage:  .venv/bin/python benchmarks/bench_parse.py [--reports 10000] [--processes 1] [--profile]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import csv
import multiprocessing
import os
import pstats
import random
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dagster_project.parsing.report import parse_text  # noqa: E402

SEED_DIR = ROOT / "raw"
# seed prefix: (district as written in the seed, report year, years its template covers)
SEED_FACTS = {
    "000": ("晋安区", 2020, (2019, 2020)),
    "001": ("台儿庄区", 2017, tuple(range(2010, 2019))),
    "002": ("普陀区", 2020, (2019, 2020)),
    "003": ("安居区", 2020, (2019, 2020)),
    "004": ("临河区", 2024, (2021, 2022, 2023, 2024)),
}
SAMPLE_POINTS = (1_000, 5_000, 10_000, 20_000, 50_000)
_VALUE_LINE = re.compile(r"^[\s|]*[+\-]?\d[\d\s|.+\-]*$")  # a table line made of values only
_INTEGER = re.compile(r"(?<![\d.])\d{1,6}(?![\d.])")


def _unique_districts() -> list[str]:
    """Districts whose name is unique in the division list (so regions resolve without clues)."""
    import cpca

    counts: collections.Counter[str] = collections.Counter()
    with (Path(cpca.__file__).parent / "resources" / "adcodes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not row["adcode"][:6].endswith("00") and row["name"].endswith("区"):
                counts[row["name"]] += 1
    return sorted(name for name, n in counts.items() if n == 1)


def variants(count: int, seed: int):
    """Yield `count` report texts derived from the seeds."""
    rng = random.Random(seed)
    seeds = {prefix: next(SEED_DIR.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8") for prefix in SEED_FACTS}
    districts = _unique_districts()
    for _ in range(count):
        prefix = rng.choice(sorted(seeds))
        district, year, years = SEED_FACTS[prefix]
        new_year = rng.choice(years)
        text = seeds[prefix]
        text = re.sub(f"{year + 1}|{year}", lambda m: str(new_year + (m.group(0) != str(year))), text)
        text = text.replace(district, rng.choice(districts))
        lines = [
            _INTEGER.sub(lambda _m: str(rng.randint(0, 300)), line) if _VALUE_LINE.match(line) else line
            for line in text.split("\n")
        ]
        yield "\n".join(lines)


def rss_mb() -> float:
    """Current resident set size (Linux /proc), for the flat-memory samples."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run(count: int, seed: int, verbose: bool) -> dict:
    statuses: collections.Counter[str] = collections.Counter()
    parse_seconds = 0.0
    samples = []
    for number, text in enumerate(variants(count, seed), start=1):
        started = time.perf_counter()
        report = parse_text(text)
        parse_seconds += time.perf_counter() - started
        statuses[report.parse_status] += 1
        if number in SAMPLE_POINTS:
            samples.append((number, round(rss_mb(), 1)))
            if verbose:
                print(f"  {number:>6} reports: RSS {samples[-1][1]} MB, {number / parse_seconds:,.0f} reports/s so far", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"count": count, "seconds": parse_seconds, "statuses": statuses, "samples": samples, "peak_mb": peak_mb}


def _worker(args: tuple[int, int]) -> dict:
    return run(*args, verbose=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="cProfile 1,000 reports and print the top functions")
    options = parser.parse_args()

    if options.profile:
        texts = list(variants(1_000, 1))
        profiler = cProfile.Profile()
        profiler.enable()
        for text in texts:
            parse_text(text)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return

    print(f"one process, {options.reports:,} reports")
    result = run(options.reports, 1, verbose=True)
    print(
        f"  {result['count'] / result['seconds']:,.0f} reports/s on one core; "
        f"peak RSS (ru_maxrss) {result['peak_mb']:.1f} MB; statuses {dict(result['statuses'])}"
    )

    if options.processes > 1:
        share = options.reports // options.processes
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(options.processes) as pool:
            results = pool.map(_worker, [(share, 100 + i) for i in range(options.processes)])
        wall = time.perf_counter() - started
        total = sum(r["count"] for r in results)
        per_core = sum(r["count"] / r["seconds"] for r in results) / len(results)
        print(
            f"{options.processes} processes, {total:,} reports: {total / wall:,.0f} reports/s wall-clock "
            f"(incl. text generation), {per_core:,.0f} reports/s per core (parse only); "
            f"worker peak RSS max {max(r['peak_mb'] for r in results):.1f} MB"
        )


if __name__ == "__main__":
    main()
