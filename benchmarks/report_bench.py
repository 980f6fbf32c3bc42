"""Report benchmark: ``make report`` end to end, on the sample portfolio.

Times the command a user runs (set-up already done, so it measures the
report itself: five notebooks executed by papermill, HTML and PDF), best
of N runs, and compares it with the target of 90 seconds on a 2-core
machine. Writes ``benchmarks/results/report-<date>.json``.

Usage (``make bench`` runs it after the scan benchmark)::

    python benchmarks/report_bench.py            # 2 runs
    python benchmarks/report_bench.py --runs 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
TARGET_SECONDS = 90.0


def time_make_report() -> dict:
    """One run of ``make report``: wall seconds and exit status."""
    start = time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "report"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
    return {"wall_s": seconds, "exit_code": done.returncode, "pdf": done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2, help="timed runs; the best counts (default 2)")
    parser.add_argument("--no-write", action="store_true", help="do not write benchmarks/results/report-<date>.json")
    args = parser.parse_args(argv)
    runs = [time_make_report() for _ in range(max(1, args.runs))]
    failed = [r for r in runs if r["exit_code"] != 0]
    best = min(r["wall_s"] for r in runs)
    result = {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "command": "make report",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "runs": runs,
        "best_wall_s": best,
        "target_s": TARGET_SECONDS,
        "met": best <= TARGET_SECONDS and not failed,
    }
    print(f"make report: best of {len(runs)} run(s) {best:.1f} s (target under {TARGET_SECONDS:.0f} s: {'met' if result['met'] else 'MISSED'})")
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"report-{dt.date.today().isoformat()}.json"
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"written {path.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
