"""Load on the HTTP API: N concurrent clients for a bounded time against a local `dualcarbon serve`.

Starts a server on a fresh store (DuckDB, or a PostgreSQL URL), creates an organisation with the
printed setup token, runs the dairy example once, then lets ``--clients`` clients send a mix of
reads (the requests a dashboard makes) for ``--seconds``, and reports requests/s, p50/p99 latency
and errors, overall and per request. Only loopback addresses are used; everything stops by itself.

    python bench/load.py --clients 8 --seconds 20
    python bench/load.py --clients 8 --seconds 20 --store postgresql://user:password@127.0.0.1/db

``--runs K`` also starts K runs during the load, to show reads are served while runs compute.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

DAIRY = Path(__file__).resolve().parents[1] / "src" / "dualcarbon" / "examples" / "dairy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: str, port: int, workers: int) -> tuple[subprocess.Popen, str]:
    """`dualcarbon serve` on ``store``; returns the process and the setup token it printed."""
    command = [
        str(Path(sys.executable).parent / "dualcarbon"),
        "serve",
        "--store",
        store,
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    server = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    token = None
    for line in server.stdout:
        if line.startswith("setup token: "):
            token = line.split(": ", 1)[1].strip()
        if "Application startup complete" in line:
            break
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {line}")
    if token is None:
        raise SystemExit("the store is not empty: give --store a fresh DuckDB path or an empty PostgreSQL schema")
    # keep reading the server's log (one line a request), or it blocks once the pipe is full
    threading.Thread(target=lambda: collections.deque(server.stdout, maxlen=50), daemon=True).start()
    return server, token


def prepare(base: str, setup_token: str) -> tuple[dict, dict]:
    """An organisation, the dairy project uploaded file by file, and one succeeded run."""
    with httpx.Client(base_url=base, timeout=120) as http:
        signed = http.post(
            "/api/organisations",
            json={"name": "bench", "admin_name": "bench"},
            headers={"Authorization": f"Bearer {setup_token}"},
        ).json()
        headers = {"Authorization": f"Bearer {signed['token']}"}
        project = http.post("/api/projects", json={"name": "dairy"}, headers=headers).json()
        path = f"/api/projects/{project['id']}"
        http.put(f"{path}/settings", json={"toml": (DAIRY / "dualcarbon.toml").read_text("utf-8")}, headers=headers)
        for kind in ("activities", "credits"):
            http.post(
                f"{path}/batches",
                data={"kind": kind},
                headers=headers,
                files={"file": (f"{kind}.csv", (DAIRY / f"{kind}.csv").read_bytes())},
            ).raise_for_status()
        run = http.post(f"{path}/runs", json={}, headers=headers).json()
        run = http.get(f"/api/runs/{run['id']}", params={"wait": 60}, headers=headers).json()
        if run["status"] != "succeeded":
            raise SystemExit(f"the setup run failed: {run['error']}")
    return headers, {"project": project["id"], "run": run["id"]}


def requests_mix(ids: dict) -> list[tuple[str, str]]:
    run, project = ids["run"], ids["project"]
    return [
        ("me", "/api/me"),
        ("projects", "/api/projects"),
        ("run", f"/api/runs/{run}"),
        ("summary", f"/api/runs/{run}/summary"),
        ("emissions page", f"/api/runs/{run}/emissions?limit=100&scope=1"),
        ("inventory", f"/api/runs/{run}/inventory"),
        ("runs list", f"/api/projects/{project}/runs?limit=20"),
        ("factor search", "/api/factors?q=diesel&limit=20"),
    ]


async def client(
    http: httpx.AsyncClient,
    headers: dict,
    mix: list,
    offset: int,
    deadline: float,
    max_requests: int,
    samples: dict[str, list[float]],
    errors: dict[str, int],
) -> None:
    i = offset
    while time.perf_counter() < deadline and sum(map(len, samples.values())) < max_requests:
        name, path = mix[i % len(mix)]
        i += 1
        started = time.perf_counter()
        try:
            response = await http.get(path, headers=headers)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        samples[name].append(time.perf_counter() - started)
        if not ok:
            errors[name] += 1


async def start_runs(http: httpx.AsyncClient, headers: dict, project: str, count: int) -> list[str]:
    return [
        (await http.post(f"/api/projects/{project}/runs", json={}, headers=headers)).json()["id"] for _ in range(count)
    ]


async def load(
    base: str, headers: dict, ids: dict, clients: int, seconds: float, max_requests: int, runs: int
) -> tuple[dict, dict, float, list[str]]:
    mix = requests_mix(ids)
    samples: dict[str, list[float]] = {name: [] for name, _ in mix}
    errors = {name: 0 for name, _ in mix}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as http:
        started = time.perf_counter()
        run_ids = await start_runs(http, headers, ids["project"], runs)
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(client(http, headers, mix, k, deadline, max_requests, samples, errors) for k in range(clients))
        )
        elapsed = time.perf_counter() - started
        statuses = [
            (await http.get(f"/api/runs/{r}", params={"wait": 60}, headers=headers)).json()["status"] for r in run_ids
        ]
    return samples, errors, elapsed, statuses


def percentile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(samples: dict, errors: dict, elapsed: float) -> str:
    every = [v for vs in samples.values() for v in vs]
    lines = [
        "| request | requests | requests/s | p50 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, values in [*samples.items(), ("all", every)]:
        errs = sum(errors.values()) if name == "all" else errors[name]
        lines.append(
            f"| {name} | {len(values)} | {len(values) / elapsed:.0f} | {percentile(values, 50) * 1000:.1f} | "
            f"{percentile(values, 99) * 1000:.1f} | {errs} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="stop earlier after this many")
    parser.add_argument("--store", help="DuckDB path or postgresql:// URL (default: a DuckDB file in a temp folder)")
    parser.add_argument("--runs", type=int, default=0, help="runs started as the load begins")
    parser.add_argument("--workers", type=int, default=1, help="the server's run workers")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dualcarbon-load-") as tmp:
        store = args.store or str(Path(tmp) / "store.duckdb")
        port = free_port()
        server, setup_token = start_server(store, port, args.workers)
        try:
            base = f"http://127.0.0.1:{port}"
            headers, ids = prepare(base, setup_token)
            samples, errors, elapsed, statuses = asyncio.run(
                load(base, headers, ids, args.clients, args.seconds, args.max_requests, args.runs)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    kind = "postgresql" if store.startswith("postgresql") else "duckdb"
    print(
        f"store {kind}, {args.clients} clients, {elapsed:.1f} s, {args.runs} runs started during the load"
        + (f" ({', '.join(statuses)})" if statuses else "")
    )
    print(report(samples, errors, elapsed))


if __name__ == "__main__":
    main()
