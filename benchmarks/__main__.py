"""Run every benchmark (``make bench``) and write each one's figures to ``results/<topic>.json``.

Each ``benchmarks/bench_<topic>.py`` has ``run(quick: bool) -> dict``; peers and baselines
are measured inside that call, side by side. ``--quick`` runs the small sizes (a smoke run);
``--only topic[,topic]`` picks some. A benchmark that fails is reported and the others go on;
the exit status says whether any failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def topics() -> list[str]:
    """The benchmark topics present, in name order."""
    return sorted(
        name.removeprefix("bench_")
        for _, name, _ in pkgutil.iter_modules([str(HERE)])
        if name.startswith("bench_")
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks and write their JSON; non-zero exit if one failed."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument("--only", default="", help="comma-separated topics, e.g. search,lrs")
    args = parser.parse_args(argv)
    chosen = [t for t in args.only.split(",") if t] or topics()
    unknown = sorted(set(chosen) - set(topics()))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(topics())}")
    RESULTS.mkdir(exist_ok=True)
    failed: list[str] = []
    for topic in chosen:
        print(f"== {topic}{' (quick)' if args.quick else ''}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"benchmarks.bench_{topic}")
            figures = module.run(quick=args.quick)
        except Exception:
            traceback.print_exc()
            failed.append(topic)
            continue
        figures = {
            **figures,
            "quick": args.quick,
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": {
                "cpus": _cpus(),
                "python": platform.python_version(),
                "python_loop_ms": _python_loop_ms(),
            },
            "benchmark_seconds": round(time.perf_counter() - started, 1),
        }
        name = f"{topic}.quick.json" if args.quick else f"{topic}.json"
        (RESULTS / name).write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n")
        print(json.dumps(figures, ensure_ascii=False, indent=2), flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _python_loop_ms() -> float:
    """This machine's speed once the benchmark has run: the best of three runs of one
    fixed pure-Python loop, in milliseconds. One machine has measured up to 1.4 times
    slower from one run to the next, so figures of different runs compare only in
    proportion to it."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for value in range(3_000_000):
            total += value & 7
        best = min(best, time.perf_counter() - started)
    return round(best * 1e3, 1)


def _cpus() -> int:
    """CPUs this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


if __name__ == "__main__":
    sys.exit(main())
