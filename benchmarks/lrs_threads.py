"""Where the LRS's ingest CPU goes: each server thread's CPU a statement, under load.

``python -m benchmarks.lrs_threads [SECONDS] [--root DIR ...]`` starts ``lifelong serve``
(the LRS alone: scheduled transform off) from each code tree given (default: this one),
loads it with ``benchmarks.lrs_load`` (8 connections, 100-statement batches) and prints
the statements a second and the CPU of every thread of the server's process tree, read
from ``/proc``, in µs a statement. Several ``--root`` trees (``git worktree add``) are
measured in turn, round after round (``--rounds``), so that an A/B comparison shares
this machine's spell; its speed drifts by a quarter within one sitting.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.lrs_servers import ROOT, lifelong_credential, lifelong_server
from lifelong.config import Settings

TICKS = os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found, index = [pid], 0
    while index < len(found):
        current = found[index]
        index += 1
        try:
            found += [
                int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()
            ]
        except OSError:
            continue
    return found


def thread_cpu(pid: int) -> dict[tuple[int, int, str], float]:
    """CPU seconds of every thread of ``pid``'s process tree, by (process, thread, name)."""
    seconds: dict[tuple[int, int, str], float] = {}
    for process in _tree(pid):
        try:
            threads = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for thread in threads:
            try:
                stat = Path(f"/proc/{process}/task/{thread}/stat").read_text()
            except OSError:
                continue
            name = stat.split("(", 1)[1].rsplit(")", 1)[0]
            fields = stat.rsplit(")", 1)[1].split()
            seconds[(process, int(thread), name)] = (int(fields[11]) + int(fields[12])) / TICKS
    return seconds


def measure(root: Path, seconds: float) -> dict[str, object]:
    """One server from ``root`` under load: its rate and its threads' CPU a statement."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the load generator: this tree's
    with tempfile.TemporaryDirectory(prefix="lrs_threads_") as tmp:
        data = Path(tmp)
        auth = lifelong_credential(Settings(data_dir=data, secret_key="bench"))
        settings = {"LIFELONG_FOUNDATION__TRANSFORM_ENABLED": "false"}
        with lifelong_server(data, root=root, env=settings) as server:
            load = [sys.executable, "-m", "benchmarks.lrs_load", server.url, "--auth", auth]
            warm = [*load, "--seconds", "3", "--out", str(data / "warm.json")]
            subprocess.run(warm, cwd=ROOT, env=env, check=True)
            before = thread_cpu(server.pid)
            run = [*load, "--seconds", str(seconds), "--warmup", "0", "--out", str(data / "r.json")]
            subprocess.run(run, cwd=ROOT, env=env, check=True)
            after = thread_cpu(server.pid)
            server_pid = server.pid
            figures = json.loads((data / "r.json").read_text())
    statements = figures["statements_per_second"] * seconds
    threads = sorted(((after[key] - before.get(key, 0.0), key) for key in after), reverse=True)
    return {
        "root": str(root),
        "statements_per_second": figures["statements_per_second"],
        "latency_p99_ms": figures["latency_p99_ms"],
        "cpu_us_per_statement": round(sum(c for c, _ in threads) / statements * 1e6, 1),
        "threads": [
            {
                "process": "web" if key[0] == server_pid else f"child {key[0]}",
                "thread": key[1],
                "us_per_statement": round(cpu / statements * 1e6, 1),
            }
            for cpu, key in threads
            if cpu / statements * 1e6 >= 0.5
        ],
    }


def main(argv: list[str]) -> None:
    """Measure each root in turn, ``--rounds`` times; print each measurement as it ends."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seconds", nargs="?", type=float, default=15.0)
    parser.add_argument("--root", type=Path, action="append", dest="roots")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    for _ in range(args.rounds):
        for root in args.roots or [ROOT]:
            result = measure(root.resolve(), args.seconds)
            print(
                f"{result['root']}: {result['statements_per_second']:,.0f} statements/s, "
                f"p99 {result['latency_p99_ms']} ms, "
                f"{result['cpu_us_per_statement']} µs of CPU a statement"
            )
            for thread in result["threads"]:  # type: ignore[attr-defined]
                print(
                    f"  {thread['us_per_statement']:6.1f} µs  "
                    f"{thread['process']}, thread {thread['thread']}"
                )


if __name__ == "__main__":
    main(sys.argv[1:])
