"""The LRS ingest load generator: its own process, N keep-alive connections, fixed time.

Each request POSTs a batch of fresh statements (new random version 4 ids every time, so
the server does real work, never the duplicate fast path). Bodies are pre-serialised
templates with a fresh id spliced into each, so the generator spends its CPU on HTTP, not
on building JSON; it reports its own CPU use so the benchmark can tell whether it was the
bottleneck.

The generator shares the machine's cores with the server it measures, so it speaks
HTTP/1.1 itself over asyncio streams (keep-alive, ``Content-Length`` or chunked replies,
a new connection when the server closes one) rather than through ``httpx``: at 100
statements a request ``httpx`` cost about 18 µs of CPU a statement, a quarter of a core
at 13 k statements/s, taken from the server under test. ``--client httpx`` keeps it as a
cross-check.

Run: ``python -m benchmarks.lrs_load URL --auth 'Basic ...' --seconds 20 --out figures.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson

from benchmarks.lrs_data import make_statement

PLACEHOLDER = "00000000-0000-4000-8000-00000000beef"
TEMPLATES = 4_000


def templates(seed: int) -> list[tuple[bytes, bytes]]:
    """Serialised statements split around their id: (text before it, text after it)."""
    rng = random.Random(seed)
    out = []
    for _ in range(TEMPLATES):
        stmt = make_statement(rng)
        stmt["id"] = PLACEHOLDER
        before, after = orjson.dumps(stmt).split(PLACEHOLDER.encode())
        out.append((before, after))
    return out


def fresh_ids(count: int) -> list[bytes]:
    """``count`` random version 4 UUIDs (RFC 9562 section 5.4) as text."""
    digits = os.urandom(16 * count).hex()
    ids = []
    for start in range(0, 32 * count, 32):
        h = digits[start : start + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}".encode())
    return ids


def body(rng: random.Random, pool: list[tuple[bytes, bytes]], size: int) -> bytes:
    """A JSON array of ``size`` statements with fresh ids."""
    parts = [b"["]
    for index, statement_id in enumerate(fresh_ids(size)):
        before, after = rng.choice(pool)
        parts += (b"," if index else b"", before, statement_id, after)
    parts.append(b"]")
    return b"".join(parts)


class Reply:
    """What the generator keeps of a response: its status and its body."""

    def __init__(self, status_code: int, content: bytes) -> None:
        """Hold the status and body."""
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode(errors="replace")


class RawConnection:
    """One keep-alive HTTP/1.1 connection, opened on first use and after the server closes."""

    def __init__(self, url: str, timeout: float) -> None:
        """Remember where to connect."""
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.timeout = timeout
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, payload: bytes, headers: dict[str, str]) -> Reply:
        """POST ``payload`` and read the whole reply (Content-Length or chunked)."""
        return await asyncio.wait_for(self._post(path, payload, headers), self.timeout)

    async def _post(self, path: str, payload: bytes, headers: dict[str, str]) -> Reply:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(payload)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            fields = {}
            for line in header_lines:
                if ":" in line:
                    name, value = line.split(":", 1)
                    fields[name.strip().lower()] = value.strip()
            if fields.get("transfer-encoding", "").lower() == "chunked":
                content = await self._chunks(reader)
            else:
                content = await reader.readexactly(int(fields.get("content-length", "0")))
        except BaseException:
            self.close()
            raise
        if fields.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, content)

    @staticmethod
    async def _chunks(reader: asyncio.StreamReader) -> bytes:
        """A chunked body (RFC 9112 section 7.1), trailers skipped."""
        content = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                return bytes(content)
            content += await reader.readexactly(size)
            await reader.readexactly(2)

    def close(self) -> None:
        """Drop the connection (the next request opens another)."""
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


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
        raw = RawConnection(args.url, args.timeout)
        while True:
            payload = body(rng, pool, args.batch)
            start = time.perf_counter()
            if start >= until:
                raw.close()
                return
            try:
                if args.client == "raw":
                    response: Reply | httpx.Response = await raw.post(args.path, payload, headers)
                else:
                    response = await client.post(args.path, content=payload, headers=headers)
                status = str(response.status_code)
                ok = response.status_code == 200
                if not ok and len(errors) < 5:
                    errors.append(f"{status}: {response.text[:200]}")
            except (httpx.HTTPError, OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
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
        "client": args.client,
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
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop comes with uvicorn[standard]
        figures = asyncio.run(drive(args))
    else:
        figures = uvloop.run(drive(args))
    args.out.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main(sys.argv[1:])
