"""An API over a real store (DuckDB file or PostgreSQL schema), with its background runner, and two
organisations: A (with the dairy example's project and a succeeded run) and B.

A module of its own (not conftest.py), so test files import it by a name no other folder uses."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import stores

with warnings.catch_warnings():  # starlette's TestClient announces a move to httpx2
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from dualcarbon.api import ServerConfig, create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "dualcarbon" / "examples"
SETUP_TOKEN = "dcs_test-setup-token"
UPLOAD_LIMIT = 256 * 1024


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    client: TestClient
    backend: str
    a: dict  # org A: {"org", "token", "headers", "user"}
    b: dict
    project: dict
    run: dict

    def org(self, name: str = "extra", role_tokens: bool = False) -> dict:
        """A new organisation through the store (as `dualcarbon org create` makes one)."""
        store = self.client.app.state.store
        org, user, token = store.create_organisation(name, "admin")
        made = {"org": org, "user": user, "token": token, "headers": bearer(token)}
        if role_tokens:
            for role in ("viewer", "editor"):
                _, made[role] = store.create_user(org["id"], role, None, role)
        return made

    def wait(self, run_id: str, headers: dict) -> dict:
        run = self.client.get(f"/api/runs/{run_id}", params={"wait": 60}, headers=headers).json()
        assert run["status"] in ("succeeded", "failed"), run
        return run


@contextmanager
def api(backend: str, folder: Path, **config) -> Iterator[TestClient]:
    """A started app (runner included) over a fresh store of ``backend``."""
    with stores.location(backend, folder) as where:
        # one upload worker, not the server's two: each is a process that imports the readers (about 2 CPU s)
        options = {"setup_token": SETUP_TOKEN, "max_upload_bytes": UPLOAD_LIMIT, "upload_workers": 1, **config}
        app = create_app(ServerConfig(store=where, **options))
        with TestClient(app) as client:
            yield client


@contextmanager
def world_on(backend: str, folder: Path) -> Iterator[World]:
    with api(backend, folder) as client:
        signed = client.post(
            "/api/organisations", json={"name": "A 乳业", "admin_name": "Ann"}, headers=bearer(SETUP_TOKEN)
        )
        assert signed.status_code == 201, signed.text
        a = {
            "org": signed.json()["organisation"],
            "user": signed.json()["user"],
            "token": signed.json()["token"],
            "headers": bearer(signed.json()["token"]),
        }
        project = client.post("/api/projects", json={"name": "dairy", "example": "dairy"}, headers=a["headers"]).json()
        queued = client.post(f"/api/projects/{project['id']}/runs", json={"lang": "en"}, headers=a["headers"]).json()
        world = World(client, backend, a, {}, project, {})
        world.b = world.org("B", role_tokens=True)
        world.run = world.wait(queued["id"], a["headers"])
        assert world.run["status"] == "succeeded", world.run
        yield world
