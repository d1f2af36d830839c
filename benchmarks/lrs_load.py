"""The LRS ingest load generator: its own process, N keep-alive connections, fixed time.

Each request POSTs a batch of fresh statements (new ids every time, so the server does
real work, never the duplicate fast path). Bodies are pre-serialised templates whose ids
are swapped per request, so the generator spends its CPU on HTTP, not on building JSON;
it reports its own CPU use so the benchmark can tell whether it was the bottleneck.

Run: ``python -m benchmarks.lrs_load URL --auth 'Basic ...' --seconds 20 --out figures.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import orjson

from benchmarks.lrs_data import make_statement

PLACEHOLDER = "00000000-0000-4000-8000-00000000beef"
TEMPLATES = 4_000


def templates(seed: int) -> list[bytes]:
    """Serialised statements whose id is a placeholder swapped per request."""
    rng = random.Random(seed)
    out = []
    for _ in range(TEMPLATES):
        stmt = make_statement(rng)
        stmt["id"] = PLACEHOLDER
        out.append(orjson.dumps(stmt))
    return out


def body(rng: random.Random, pool: list[bytes], size: int) -> bytes:
    """A JSON array of ``size`` statements with fresh ids."""
    placeholder = PLACEHOLDER.encode()
    parts = [rng.choice(pool).replace(placeholder, str(uuid.uuid4()).encode()) for _ in range(size)]
    return b"[" + b",".join(parts) + b"]"


def percentile(ordered: list[float], q: float) -> float:
    """The ``q`` quantile of sorted samples, in milliseconds."""
    if not ordered:
        return 0.0
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)


async def drive(args: argparse.Namespace) -> dict[str, Any]:
    """Run the load and return the figures."""
    pool = templates(args.seed)
    headers = {
        "Authorization": args.auth,
        "Content-Type": "application/json",
        "X-Experience-API-Version": args.version,
    }
    limits = httpx.Limits(
        max_connections=args.connections, max_keepalive_connections=args.connections
    )
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors: list[str] = []
    stored = 0
    sent_ok = 0  # every acknowledged statement, warm-up included (for CPU per statement)
    began = time.perf_counter()
    warm_until = began + args.warmup
    until = warm_until + args.seconds

    async def worker(index: int, client: httpx.AsyncClient) -> None:
        nonlocal stored, sent_ok
        rng = random.Random(args.seed * 1000 + index)
        while True:
            payload = body(rng, pool, args.batch)
            start = time.perf_counter()
            if start >= until:
                return
            try:
                response = await client.post(args.path, content=payload, headers=headers)
                status = str(response.status_code)
                ok = response.status_code == 200
                if not ok and len(errors) < 5:
                    errors.append(f"{status}: {response.text[:200]}")
            except httpx.HTTPError as exc:
                status, ok = type(exc).__name__, False
            end = time.perf_counter()
            if ok:
                sent_ok += args.batch
            if start >= warm_until and end <= until:
                latencies.append(end - start)
                statuses[status] += 1
                if ok:
                    stored += args.batch

    timeout = httpx.Timeout(args.timeout)
    async with httpx.AsyncClient(base_url=args.url, limits=limits, timeout=timeout) as client:
        usage_before = resource.getrusage(resource.RUSAGE_SELF)
        await asyncio.gather(*(worker(i, client) for i in range(args.connections)))
        usage_after = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter() - began
    cpu = (usage_after.ru_utime - usage_before.ru_utime) + (
        usage_after.ru_stime - usage_before.ru_stime
    )
    ordered = sorted(latencies)
    return {
        "connections": args.connections,
        "batch_size": args.batch,
        "measured_seconds": args.seconds,
        "requests": len(latencies),
        "statements_acknowledged": stored,
        "statements_per_second": round(stored / args.seconds, 1),
        "statements_sent_total": sent_ok,
        "latency_p50_ms": percentile(ordered, 0.50),
        "latency_p95_ms": percentile(ordered, 0.95),
        "latency_p99_ms": percentile(ordered, 0.99),
        "latency_max_ms": percentile(ordered, 1.0),
        "statuses": dict(statuses),
        "errors": sum(n for s, n in statuses.items() if s != "200"),
        "error_samples": errors,
        # Share of one core the generator itself used: near 1.0 means it was the bottleneck.
        "client_cpu_cores": round(cpu / wall, 2),
    }


def main(argv: list[str]) -> None:
    """Parse the command line, run, write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--path", default="/xapi/statements")
    parser.add_argument("--auth", required=True)
    parser.add_argument("--version", default="1.0.3")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    figures = asyncio.run(drive(args))
    args.out.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main(sys.argv[1:])
