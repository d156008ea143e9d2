"""The background runner across a restart: runs queued while no server ran are computed at the
next start; a run left 'running' by a server that was killed is marked failed, with the reason."""

from __future__ import annotations

from apiworld import EXAMPLES, api, bearer

from dualcarbon.store import Store
from dualcarbon.store import folder as layout


def test_queued_runs_resume_and_cut_runs_fail_at_the_next_start(tmp_path):
    location = tmp_path / "store.duckdb"
    store = Store.open(location)
    org, user, token = store.create_organisation("A", "a")
    project = store.create_project(org["id"], "dairy", user["id"])
    files = {"dualcarbon.toml": "settings", "activities.csv": "activities", "credits.csv": "credits"}
    batches = [
        store.add_batch(
            org["id"], project["id"], kind, name, (EXAMPLES / "dairy" / name).read_bytes(), None, user["id"]
        )
        for name, kind in files.items()
    ]
    queued = store.create_run(
        org["id"], project["id"], "inventory", {"lang": "en"}, layout.layout(batches), user["id"], 5
    )
    cut = store.create_run(org["id"], project["id"], "inventory", {}, layout.layout(batches), user["id"], 5)
    assert store.claim_run(cut["id"])  # as if a server had started it, then died
    store.close()

    with api("duckdb", tmp_path) as client:
        headers = bearer(token)
        done = client.get(f"/api/runs/{queued['id']}", params={"wait": 60}, headers=headers).json()
        assert done["status"] == "succeeded" and done["totals"]["total_location"] > 0
        failed = client.get(f"/api/runs/{cut['id']}", headers=headers).json()
        assert failed["status"] == "failed" and failed["error"]["code"] == "interrupted"
