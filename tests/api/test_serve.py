"""`dualcarbon serve` as a user starts it: a fresh machine, no configuration. The store goes to the
user's data folder, the one-time setup token is printed, and the dairy example runs over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx

DAIRY = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples" / "dairy"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_with_no_configuration_and_runs_the_dairy_example(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUALCARBON_")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME="", PYTHONUNBUFFERED="1")
    port = free_port()
    command = [str(Path(sys.executable).parent / "dualcarbon"), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in server.stdout:  # the banner comes before uvicorn's own lines
            lines.append(line)
            if "Application startup complete" in line or server.poll() is not None:
                break
        banner = "".join(lines)
        store = tmp_path / "home" / ".local" / "share" / "dualcarbon" / "store.duckdb"
        assert f"store: {store}" in banner and store.is_file(), banner
        setup = next(line.split(": ", 1)[1].strip() for line in lines if line.startswith("setup token: "))

        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=90) as http:
            signed = http.post(
                "/api/organisations",
                json={"name": "乳业", "admin_name": "me"},
                headers={"Authorization": f"Bearer {setup}"},
            )
            assert signed.status_code == 201, signed.text
            headers = {"Authorization": f"Bearer {signed.json()['token']}"}
            project = http.post("/api/projects", json={"name": "dairy"}, headers=headers).json()
            base = f"/api/projects/{project['id']}"
            http.put(f"{base}/settings", json={"toml": (DAIRY / "dualcarbon.toml").read_text("utf-8")}, headers=headers)
            for kind in ("activities", "credits"):
                sent = http.post(
                    f"{base}/batches",
                    data={"kind": kind},
                    headers=headers,
                    files={"file": (f"{kind}.csv", (DAIRY / f"{kind}.csv").read_bytes())},
                )
                assert sent.status_code == 201, sent.text
            run_id = http.post(f"{base}/runs", json={}, headers=headers).json()["id"]
            run = http.get(f"/api/runs/{run_id}", params={"wait": 60}, headers=headers).json()
            assert run["status"] == "succeeded", run
            assert run["totals"]["total_location"] > 0
            assert http.get("/docs").status_code == 200
    finally:
        server.terminate()
        rest, _ = server.communicate(timeout=30)
    assert "Application shutdown complete" in rest  # a graceful stop: runner stopped, store closed
