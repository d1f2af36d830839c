"""``lifelong generate`` at each scale vs posting the same statements one at a time.

Each scale runs as a user would run it (``python -m lifelong.cli generate`` in a fresh
data directory, in a subprocess), with wall time, statements per second and the peak
memory of the generator's whole process tree (main process and its workers), sampled
from ``/proc`` every 0.2 s: the sum of resident sizes (the bound is checked on it) and,
every 2 s, the sum of proportional sizes (shared pages divided among the processes that
map them).
The baseline is the row-at-a-time path: the same generated statements POSTed one per
request to ``/xapi/statements`` of the real app, at a small size, so "events/s" has
something to be compared with. Last, the store's serial section alone
(``serial_write_bound``): the generator's records written by ``StatementRepository.write``
with nothing else running, the best case of the rate no number of cores can take a
SQLite store's load past, beside the rates the medium and large targets ask for.

Run: ``python -m benchmarks.bench_generate`` (small and medium; ``--quick``: tiny and
small; ``LIFELONG_BENCH_LARGE=1`` adds large; ``LIFELONG_BENCH_LARGE_WINDOW=SECONDS`` runs
large for that long only, interrupted as Ctrl-C would, and reports its rate and memory so
far; ``LIFELONG_BENCH_KEEP_DIR=DIR`` keeps the generated data directories there). Disk
use of each store is reported too; without KEEP_DIR each is deleted once measured.
"""

from __future__ import annotations

import base64
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

AS_OF = "2026-11-30"
BASELINE_STATEMENTS = 1_500
KILL_AFTER_SECONDS = 300  # a window's run still going this long after its interrupt


def _tree_memory(pid: int, proportional: bool = True) -> tuple[int, int]:
    """Resident bytes (RSS) and proportional bytes (PSS, 0 unless ``proportional``) of a
    process and all its descendants (Linux /proc). The RSS sum counts a page shared by
    several processes (the interpreter's and libraries' code, the store's mapped pages)
    once per process; PSS divides it among them, so its sum is what the tree holds.
    Reading PSS walks each process's page tables (~5 ms a process at ``medium``), so
    it is sampled less often than RSS."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
                        break
            if proportional:
                with open(f"/proc/{current}/smaps_rollup") as handle:
                    for line in handle:
                        if line.startswith("Pss:"):
                            pss += int(line.split()[1]) * 1024
                            break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(c) for c in handle.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, pss


def _stages(printed: str) -> dict[str, float]:
    """The stage times ``lifelong generate`` prints ("Stages: reference 0.3 s, ...")."""
    for line in printed.splitlines():
        if line.startswith("Stages: "):
            found = re.findall(r"([a-z]+) ([0-9.]+) s", line)
            return {name: float(seconds) for name, seconds in found}
    return {}


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def generate_scale(scale: str, root: Path, window: float | None = None) -> dict[str, Any]:
    """Run ``lifelong generate`` for one scale and measure it. With ``window`` (seconds),
    interrupt it then (as Ctrl-C would; a rerun resumes) and measure what it stored."""
    data = root / scale
    env = {**os.environ, "LIFELONG_DATA_DIR": str(data), "LIFELONG_DATABASE_URL": ""}
    command = [
        sys.executable,
        "-m",
        "lifelong.cli",
        "generate",
        "--scale",
        scale,
        "--seed",
        "1",
        "--as-of",
        AS_OF,
    ]
    began = time.perf_counter()
    cpu_before = _children_cpu()
    errors = root / f"{scale}.stderr"
    root.mkdir(parents=True, exist_ok=True)
    peak = peak_pss = 0
    interrupted = False
    output = root / f"{scale}.stdout"
    with open(errors, "w") as sink, open(output, "w") as out:
        # SIGINT as the terminal's Ctrl-C sends it: a shell that runs the benchmark in
        # the background hands its children SIGINT ignored, so restore the default
        # (the generator then installs its own handler and stops as a user's would).
        process = subprocess.Popen(
            command,
            env=env,
            stdout=out,
            stderr=sink,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        samples = 0
        while process.poll() is None:
            rss, pss = _tree_memory(process.pid, proportional=samples % 10 == 0)
            samples += 1
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            if window is not None and time.perf_counter() - began > window:
                if not interrupted:
                    process.send_signal(signal.SIGINT)
                    interrupted = True
                elif time.perf_counter() - began > window + KILL_AFTER_SECONDS:
                    process.kill()  # the interrupt did not stop it: a crash is resumable too
            time.sleep(0.2)
    err = errors.read_text()
    wall = time.perf_counter() - began
    # The whole tree's CPU (the workers are waited for by the generator, it by us).
    cpu = round(_children_cpu() - cpu_before, 1)
    if process.returncode != 0 and not interrupted:
        return {"scale": scale, "error": err.strip().splitlines()[-1:]}
    import sqlite3

    with sqlite3.connect(data / "lrs.db") as connection:
        statements = connection.execute("SELECT count(*) FROM lrs_statements").fetchone()[0]
    with sqlite3.connect(data / "lifelong.db") as connection:
        learners = connection.execute("SELECT count(*) FROM learner_profiles").fetchone()[0]
        enrolments = connection.execute("SELECT count(*) FROM enrolments").fetchone()[0]
    if interrupted:
        return {
            "scale": scale,
            "window_s": round(wall, 1),
            "statements_stored": statements,
            "learners_committed": learners,
            "statements_per_s": round(statements / wall),
            "cpu_s": cpu,
            "peak_rss_mb": round(peak / 1e6),
            "peak_pss_mb": round(peak_pss / 1e6),
            "lrs_db_mb": round((data / "lrs.db").stat().st_size / 1e6),
            "load_average_1m": round(os.getloadavg()[0], 1),
        }
    return {
        "scale": scale,
        "wall_s": round(wall, 1),
        "statements": statements,
        "learners": learners,
        "enrolments": enrolments,
        "statements_per_s": round(statements / wall),
        "stages_s": _stages(output.read_text()),
        "cpu_s": cpu,
        "cpu_us_per_statement": round(cpu / max(statements, 1) * 1e6, 1),
        "peak_rss_mb": round(peak / 1e6),
        "peak_pss_mb": round(peak_pss / 1e6),
        "lrs_db_mb": round((data / "lrs.db").stat().st_size / 1e6),
        "data_dir_mb": round(_dir_bytes(data) / 1e6),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def _children_cpu() -> float:
    """CPU seconds of this process's ended (and waited-for) descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def row_at_a_time_baseline(root: Path) -> dict[str, Any]:
    """The same kind of statements POSTed one per request through the real xAPI API."""
    from fastapi.testclient import TestClient

    from lifelong.app import create_app
    from lifelong.config import Settings
    from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
    from lifelong.db.migrate import upgrade
    from lifelong.records.bulk import branch_extension, bulk_client
    from lifelong.records.credentials import create_credential
    from lifelong.synth.pipeline import ChunkJob, iter_chunks, prepare
    from lifelong.synth.scales import SCALES

    # The scheduled transform stays off: it is other work on the same cores, and its
    # audits rightly fail a store holding statements about branches it has never seen.
    settings = Settings(
        data_dir=root / "baseline", secret_key="bench", foundation={"transform_enabled": False}
    )
    engine = engine_from_settings(settings)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        _c, key, secret = create_credential(session, name="baseline", scopes="all")
    engine.dispose()
    job = ChunkJob(
        "small",
        1,
        AS_OF,
        settings.iri_base,
        "x",
        bulk_client(settings, "baseline"),
        branch_extension(settings),
    )
    chunk, first, _count = next(iter(iter_chunks(SCALES["small"])))
    records = prepare(job, chunk, first, 60).validated.records[:BASELINE_STATEMENTS]
    statements = [orjson.loads(record.body) for record in records]
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    with TestClient(create_app(settings)) as client:
        began = time.perf_counter()
        for stmt in statements:
            response = client.post("/xapi/statements", json=stmt, headers=headers)
            response.raise_for_status()
        wall = time.perf_counter() - began
    return {
        "path": "POST /xapi/statements, one statement per request",
        "statements": len(statements),
        "wall_s": round(wall, 1),
        "statements_per_s": round(len(statements) / wall),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def _finished(runs: list[dict[str, Any]], scale: str) -> dict[str, Any] | None:
    """The figures of ``scale``'s run among ``runs`` if it ran to the end."""
    return next((r for r in runs if r.get("scale") == scale and "statements" in r), None)


def _large_window(
    root: Path, window: float, runs: list[dict[str, Any]], target: tuple[int, int]
) -> dict[str, Any]:
    """``large`` for ``window`` seconds: its rate and memory so far, the whole run's time
    at that rate and the disk the whole run would take (``large`` has ten times
    ``medium``'s learners, so about ten times its statements and its data directory)."""
    figures = generate_scale("large", root, window=window)
    figures["partial"] = True
    medium = _finished(runs, "medium")
    if medium is not None and figures.get("statements_per_s"):
        expected = medium["statements"] * 10
        figures["expected_statements"] = expected
        figures["projected_wall_s"] = round(expected / figures["statements_per_s"])
        figures["projected_data_dir_gb"] = round(medium["data_dir_mb"] * 10 / 1e3)
    figures["target_wall_s"], figures["target_peak_rss_mb"] = target
    return figures


def serial_write_bound(root: Path, chunks: int = 3) -> dict[str, Any]:
    """How fast the statement store's serial section goes on its own: the generator's
    records of ``chunks`` medium chunks, built in this process beforehand (untimed), then
    written by ``StatementRepository.write`` as the generator's two writers write them
    (SLICE statements a transaction, the two writers' connections in turn, each merging
    ids after its write), and nothing else running. Every generated statement passes
    through this section one transaction at a time, whatever the number of cores, so its
    rate bounds the generator's on a SQLite store; on a store this small (a few hundred
    thousand rows) it is the best case."""
    from lifelong.config import Settings
    from lifelong.records.bulk import branch_extension, bulk_client
    from lifelong.records.records import ifi_key
    from lifelong.records.repository import Batch, StatementRepository
    from lifelong.records.store import open_store
    from lifelong.records.versions import V1
    from lifelong.synth.pipeline import SLICE, ChunkJob, _parts, iter_chunks
    from lifelong.synth.records import validated_parts
    from lifelong.synth.scales import SCALES

    settings = Settings(data_dir=root / "serial-write", secret_key="bench")
    client = bulk_client(settings, "lifelong-generator")
    job = ChunkJob("medium", 1, AS_OF, settings.iri_base, "x", client, branch_extension(settings))
    engines = [open_store(settings), open_store(settings)]
    writers = [StatementRepository(engine) for engine in engines]
    statements = turn = 0
    wall = cpu = 0.0
    try:
        for chunk, first, count in list(iter_chunks(SCALES["medium"]))[:chunks]:
            parts = _parts(job, chunk, first, count).parts
            records = validated_parts(parts, client, V1, job.branch_extension).records
            for start in range(0, len(records), SLICE):
                batch = Batch(
                    records=records[start : start + SLICE],
                    client=client.name,
                    authority_ifi=ifi_key(client.authority),
                    version=V1,
                    per_statement=True,
                )
                writer = writers[turn % 2]
                turn += 1
                began, cpu_began = time.perf_counter(), time.process_time()
                outcome = writer.write([batch])[0]
                writer.merge_ids()
                wall += time.perf_counter() - began
                cpu += time.process_time() - cpu_began
                statements += outcome.stored
    finally:
        for writer in writers:
            writer.close()
        for engine in engines:
            engine.dispose()
    return {
        "path": "StatementRepository.write alone, the generator's records, two writers in turn",
        "statements": statements,
        "wall_s": round(wall, 1),
        "statements_per_s": round(statements / wall),
        "cpu_us_per_statement": round(cpu / statements * 1e6, 1),
    }


def run(quick: bool) -> dict[str, Any]:
    """Generate each scale in turn, then the baseline, and report side by side."""
    scales = ["tiny", "small"] if quick else ["small", "medium"]
    if os.environ.get("LIFELONG_BENCH_LARGE") == "1":
        scales.append("large")
    targets = {
        "tiny": (10, 1000),
        "small": (30, 2000),
        "medium": (300, 2000),
        "large": (1200, 4000),
    }
    with tempfile.TemporaryDirectory(prefix="bench-generate-") as tmp:
        # LIFELONG_BENCH_KEEP_DIR keeps the generated universities (e.g. to time
        # `lifelong transform --full-refresh` on the medium one afterwards).
        keep = os.environ.get("LIFELONG_BENCH_KEEP_DIR")
        root = Path(keep or tmp)
        runs = []
        for scale in scales:
            figures = generate_scale(scale, root)
            wall, memory = targets[scale]
            figures["target_wall_s"], figures["target_peak_rss_mb"] = wall, memory
            if "wall_s" in figures:
                figures["meets_target"] = (
                    figures["wall_s"] <= wall and figures["peak_rss_mb"] <= memory
                )
            runs.append(figures)
            if not keep:
                shutil.rmtree(root / scale, ignore_errors=True)  # disk for the next
        window = os.environ.get("LIFELONG_BENCH_LARGE_WINDOW")
        if window:
            runs.append(_large_window(root, float(window), runs, targets["large"]))
            if not keep:
                shutil.rmtree(root / "large", ignore_errors=True)
        baseline = row_at_a_time_baseline(root)
        bound = serial_write_bound(root, chunks=1 if quick else 3)
        medium = _finished(runs, "medium")
        if medium is not None:
            # What each target asks of that section alone (large: ten times medium).
            bound["medium_target_needs_per_s"] = round(medium["statements"] / targets["medium"][0])
            bound["large_target_needs_per_s"] = round(
                medium["statements"] * 10 / targets["large"][0]
            )
    return {
        "generate": runs,
        "baseline_row_at_a_time": baseline,
        "serial_write_bound": bound,
        "disk_free_gb": round(os.statvfs("/work").f_bavail * os.statvfs("/work").f_frsize / 1e9),
        # Timings on a shared machine depend on what else runs: record how busy it was.
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


if __name__ == "__main__":
    figures = run(quick="--quick" in sys.argv)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
