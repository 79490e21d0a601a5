"""Throughput and memory of PDF input end to end (`report.parse_bytes` on PDF bytes), one core.

What is read: the three real published PDFs (tests/fixtures/realworld/pdf/) and PDFs printed by
headless Chromium from the seeds' tables and from the crawled HTML pages (the shapes of
tests/parsing/test_pdf.py; skipped when /usr/bin/chromium is missing). Each PDF is parsed
repeatedly until `--seconds` of CPU time have been spent on it, so the figure is stable on a shared
machine: pages/s per core = pages parsed / CPU seconds of this process (one process, one core).
Peak memory is the process's peak RSS (resource.getrusage ru_maxrss).

With the OCR extra installed (rapidocr_onnxruntime), the same is measured separately for scanned
PDFs: each page of a real PDF rendered to an image (no text layer) and read by OCR.

`--profile` prints the top of a cProfile of the text-layer run (where pdf.py spends its time).

Usage:  .venv/bin/python benchmarks/bench_pdf.py [--seconds 5] [--no-printed] [--no-ocr] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "parsing"))

from dagster_project.parsing import ocr as ocr_module  # noqa: E402
from dagster_project.parsing import pdf as pdf_module  # noqa: E402
from dagster_project.parsing.report import parse_bytes, parse_pdf  # noqa: E402

REAL = sorted((ROOT / "tests" / "fixtures" / "realworld" / "pdf").glob("*.pdf"))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def printed_pdfs() -> dict[str, bytes]:
    """The test suite's Chromium-printed PDFs (seed shapes + crawled pages), printed once here."""
    import test_pdf  # tests/parsing/test_pdf.py: seed_html, print_to_pdf, SHAPES, CRAWLED, SEED

    if not test_pdf.CHROMIUM.exists():
        print("chromium not installed: printed PDFs skipped")
        return {}
    out = Path(tempfile.mkdtemp(prefix="bench_pdf_"))
    made = {}
    for shape, (css, blank) in test_pdf.SHAPES.items():
        page, _ = test_pdf.seed_html(test_pdf.SEED, css, blank)
        src = out / f"{shape}.html"
        src.write_text(page, encoding="utf-8")
        made[f"printed/{shape}"] = test_pdf.print_to_pdf(src, out / f"{shape}.pdf")
    for name in test_pdf.CRAWLED:
        src = ROOT / "tests" / "fixtures" / "realworld" / "crawled" / name
        made[f"printed/{name}"] = test_pdf.print_to_pdf(src, out / f"{Path(name).stem}.pdf")
    return made


def measure(pdfs: dict[str, bytes], seconds: float, parse, min_runs: int = 2) -> tuple[int, float, dict]:
    """Parse each PDF until `seconds` CPU seconds were spent on it; (pages, cpu seconds, per file)."""
    total_pages, total_cpu, per_file = 0, 0.0, {}
    for name, data in pdfs.items():
        pages = pdf_module.page_count(data)
        runs, cpu = 0, 0.0
        while cpu < seconds or runs < min_runs:
            t0 = time.process_time()
            result = parse(data, name)
            cpu += time.process_time() - t0
            runs += 1
        per_file[name] = (pages, runs, runs * pages / cpu, len(result.cells), result.parse_status)
        total_pages += runs * pages
        total_cpu += cpu
    return total_pages, total_cpu, per_file


def report(title: str, pages: int, cpu: float, per_file: dict) -> None:
    print(f"\n{title}")
    for name, (n, runs, rate, cells, status) in per_file.items():
        print(f"  {name:36s} {n:3d} pages × {runs:4d} runs  {rate:7.1f} pages/s  {cells:4d} cells  {status}")
    print(f"  {'all':36s} {pages:5d} pages in {cpu:6.2f} CPU s = {pages / cpu:.1f} pages/s per core; "
          f"peak RSS so far {peak_rss_mb():.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=5.0, help="CPU seconds per PDF (default 5)")
    ap.add_argument("--no-printed", action="store_true", help="only the three real PDFs")
    ap.add_argument("--no-ocr", action="store_true", help="skip the OCR measurement")
    ap.add_argument("--profile", action="store_true", help="cProfile the text-layer run")
    args = ap.parse_args()

    pdfs = {f"real/{p.name}": p.read_bytes() for p in REAL}
    if not args.no_printed:
        pdfs.update(printed_pdfs())
    print(f"start: peak RSS {peak_rss_mb():.0f} MB (interpreter + imports)")

    text_parse = lambda data, name: parse_pdf(data, name, ocr=False)  # noqa: E731 - text layer only
    assert all(parse_bytes(d, n).parse_status == text_parse(d, n).parse_status for n, d in pdfs.items())
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    pages, cpu, per_file = measure(pdfs, args.seconds, lambda data, name: parse_bytes(data, name))
    if profiler:
        profiler.disable()
    report("text-layer PDFs through report.parse_bytes (one core)", pages, cpu, per_file)
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)

    if args.no_ocr:
        return
    if not ocr_module.available():
        print("\nOCR: the ocr extra is not installed (pip install -r requirements-ocr.lock): skipped")
        return
    from test_pdf import image_only_pdf

    scans = {f"scan/{p.name}": image_only_pdf(p.read_bytes()) for p in REAL[1:2]}
    ocr_parse = lambda data, name: parse_pdf(data, name, ocr=True)  # noqa: E731
    ocr_module._engine()  # load the models before timing, as a long run would have them loaded
    pages, cpu, per_file = measure(scans, 0.0, ocr_parse, min_runs=1)
    report(f"scanned PDFs read by OCR at {ocr_module.OCR_DPI} dpi (one process; onnxruntime may use "
           "more than one thread, so this is per process, CPU time over all its threads)", pages, cpu, per_file)


if __name__ == "__main__":
    main()
