"""`/health` under 32 clients mixing reads and writes; the budget (design.md, issue 16) is p95 under 250 ms.

Run: .venv/bin/python -m tests.benchmarks.mixed_load [--clients 32] [--seconds 30] [--engine sqlite|postgresql|both]

The real `boards-desktop serve` on a fresh data folder, as the drill tests/reliability/test_mixed_load.py
starts it, under the same load (tests/reliability/load.py): board pages, my boards, generations of a
fast generator queued, uploads, stars, tags and SSE listeners, over HTTP on loopback. `/health` is
polled every 50 ms from a thread of its own. Prints the latency of `/health` and of each operation
(count, p50, p95, max in ms), the operations per second and the errors.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
from pathlib import Path

from tests.postgres_server import ThrowawayPostgres, create_postgres_database, find_bin_dir
from tests.reliability.load import LoadResult, percentiles, run_mixed_load
from tests.reliability.serve_process import ServeProcess, installation_environment

BUDGET_P95_MS = 250


def _line(name: str, samples: list[float]) -> str:
    figures = percentiles(samples)
    if not figures:
        return f"  {name:<18} no samples"
    return f"  {name:<18} n={int(figures['count']):>5}  p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  max {figures['max']:7.1f}"


def _report(engine: str, result: LoadResult, clients: int) -> None:
    total = sum(result.operations.values())
    p95 = result.health_figures().get("p95", float("nan"))
    verdict = "within" if p95 < BUDGET_P95_MS else "OVER"
    print(
        f"{engine}: {clients} clients for {result.seconds:g} s, {total} operations ({total / result.seconds:.0f}/s), "
        f"{result.sse_events} SSE events, {len(result.errors)} errors, {len(result.health_failures)} failed /health"
    )
    print(_line("/health", result.health_ms) + f"   ({verdict} the budget: p95 < {BUDGET_P95_MS} ms)")
    for name in sorted(result.operation_ms):
        print(_line(name, result.operation_ms[name]))
    for error in result.errors[:5]:
        print(f"  error: {error}")


async def _run(engine: str, clients: int, seconds: float, folder: Path, postgres_admin: str | None) -> None:
    if engine == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / 'boards.db'}"
    else:
        assert postgres_admin is not None
        url = await create_postgres_database(postgres_admin)
    env = installation_environment(folder / "data", url)
    server = await asyncio.to_thread(ServeProcess, env, folder / "serve.stderr")
    try:
        cpu_before = _cpu_seconds(server.pid)
        result = await run_mixed_load(server.url, server.headers, clients=clients, seconds=seconds)
        cpu = _cpu_seconds(server.pid) - cpu_before
    finally:
        await asyncio.to_thread(server.stop)
    _report(engine, result, clients)
    if cpu >= 0:
        # On a shared machine the wall-clock figures are the machine's as much as the app's; the
        # server's own CPU time says what the app spent.
        operations = sum(result.operations.values()) + len(result.health_ms)
        print(
            f"  server CPU: {cpu:.1f} s in {result.seconds:g} s ({cpu / result.seconds:.2f} of a core), "
            f"{cpu * 1000 / max(1, operations):.1f} ms per request; load average {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores"
        )


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process (Linux's /proc); -1 where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    postgres = None
    if "postgresql" in engines:
        bin_dir = find_bin_dir()
        if bin_dir is None:
            raise SystemExit("PostgreSQL's server binaries are not installed; use --engine sqlite")
        postgres = ThrowawayPostgres(bin_dir)
        postgres.start()
    try:
        for engine in engines:
            folder = Path(tempfile.mkdtemp(prefix=f"mixed-load-{engine}-"))
            try:
                asyncio.run(_run(engine, args.clients, args.seconds, folder, postgres.admin_url if postgres else None))
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if postgres is not None:
            postgres.stop()


if __name__ == "__main__":
    main()
