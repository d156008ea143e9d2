"""Locked runs, verifiers' findings and signatures, evidence files (docs/assurance.md), on DuckDB and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime

import pytest
from apiworld import World, bearer
from openpyxl import load_workbook

from dualcarbon.api.auth import Principal
from dualcarbon.api.routes.assurance import signature_state
from dualcarbon.store.assurance import Frozen

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _snapshot(world: World, run_id: str) -> dict:
    """What a locked run references, as the API and the store tell it: the run, its inputs (with their batches,
    withdrawn or not) and its outputs, with their hashes; the files locking and signing add left out."""
    store = world.client.app.state.store
    org = world.a["org"]["id"]
    detail = world.client.get(f"/api/runs/{run_id}", headers=world.a["headers"]).json()
    batches = [store.batch(org, i["batch_id"]) for i in detail["inputs"]]
    outputs = [o for o in detail["outputs"] if not o["name"].startswith(("report-locked", "report-verified"))]
    blobs = {i["sha256"]: store.blob_sha256(i["sha256"]) for i in detail["inputs"]}
    return {
        "run": {k: v for k, v in detail.items() if k not in ("outputs",)},
        "batches": batches,
        "outputs": outputs,
        "blobs": blobs,
        "lock": store.run_lock(org, run_id),
    }


def _upload(world: World, name: str, text: str, kind: str = "activities") -> dict:
    done = world.client.post(
        f"/api/projects/{world.project['id']}/batches",
        files={"file": (name, text.encode("utf-8"), "text/csv")},
        data={"kind": kind},
        headers=world.a["headers"],
    )
    assert done.status_code == 201, done.text
    return done.json()


def _user(world: World, role: str, name: str) -> tuple[dict, dict]:
    store = world.client.app.state.store
    user, token = store.create_user(world.a["org"]["id"], name, None, role)
    return user, bearer(token)


def _evidence(world: World, target_kind: str, target_id: str, data: bytes, row: int | None = None, name="a.pdf"):
    form = {"target_kind": target_kind, "target_id": target_id, "description": "invoice 2024-03"}
    if row is not None:
        form["row_number"] = str(row)
    return world.client.post(
        f"/api/projects/{world.project['id']}/evidence",
        files={"file": (name, data, "application/pdf")},
        data=form,
        headers=world.a["headers"],
    )


def test_lock_numbers_the_report_and_every_mutating_route_leaves_the_locked_run_alone(world: World):
    client, headers, run = world.client, world.a["headers"], world.run
    activities = next(i for i in run["inputs"] if i["kind"] == "activities")
    # evidence attached before the lock is listed in the numbered report
    pdf = b"%PDF-1.4 invoice of March\n"
    attached = _evidence(world, "row", activities["batch_id"], pdf, row=2, name="发票-3月.pdf")
    assert attached.status_code == 201, attached.text
    assert attached.json()["sha256"] == hashlib.sha256(pdf).hexdigest()

    locked = client.post(f"/api/runs/{run['id']}/lock", headers=headers)
    assert locked.status_code == 201, locked.text
    year = datetime.now(UTC).year
    assert locked.json()["report_number"] == f"DC-{year}-0001"
    assert locked.json()["outputs"] == ["report-locked.html"]
    report = client.get(f"/api/runs/{run['id']}/files/report-locked.html", headers=headers).text
    assert f"Report number DC-{year}-0001" in report
    quality = report[report.index('<section id="data-quality">') :]
    quality = quality[: quality.index("</section>")]
    assert "发票-3月.pdf" in quality and hashlib.sha256(pdf).hexdigest() in quality and "row 2" in quality
    original = client.get(f"/api/runs/{run['id']}/files/report.html", headers=headers).text
    assert "Report number" not in original  # the run's own report is never rewritten

    before = _snapshot(world, run["id"])
    ids = {
        "run_id": run["id"],
        "batch_id": activities["batch_id"],
        "evidence_id": attached.json()["id"],
        "project_id": world.project["id"],
    }
    expected = {  # the answers of the routes that name the locked run's things
        ("POST", "/api/runs/{run_id}/lock"): 409,
        ("DELETE", "/api/batches/{batch_id}"): 409,
        ("DELETE", "/api/evidence/{evidence_id}"): 409,
        ("POST", "/api/runs/{run_id}/reproduce"): 202,  # rerunning is a new run
    }
    tried = {}
    for path, operations in client.get("/openapi.json").json()["paths"].items():  # every route of the API
        methods = {m.upper() for m in operations} & UNSAFE
        params = set(re.findall(r"\{(\w+)\}", path))
        if not methods or not params or not params <= set(ids) or params == {"project_id"}:
            continue
        for method in sorted(methods):
            answer = client.request(method, path.format(**ids), json={}, headers=headers)
            tried[(method, path)] = answer.status_code
            if (method, path) in expected:
                assert answer.status_code == expected[(method, path)], (method, path, answer.text)
            else:  # anything else is refused or adds records of its own
                assert answer.status_code in (201, 403, 404, 409, 422), (method, path, answer.text)
            if answer.status_code == 409 and method == "DELETE":
                assert answer.json()["error"]["code"] == "locked"
                assert answer.json()["error"]["locked_runs"] == [run["id"]]
    assert set(expected) <= set(tried), tried
    # the project moves on (new settings, a new activities file): the locked run does not
    settings = client.get(f"/api/projects/{world.project['id']}/settings", headers=headers).json()["toml"]
    put = client.put(f"/api/projects/{world.project['id']}/settings", json={"toml": settings + "\n"}, headers=headers)
    assert put.status_code == 200, put.text
    renamed = client.patch(f"/api/projects/{world.project['id']}", json={"name": "dairy 2"}, headers=headers)
    assert renamed.status_code == 200
    assert _snapshot(world, run["id"]) == before
    # nor does the store let a batch it read be withdrawn by any other path
    store = client.app.state.store
    with pytest.raises(Frozen):
        store.withdraw_batch(world.a["org"]["id"], activities["batch_id"], world.a["user"]["id"])
    assert store.batch(world.a["org"]["id"], activities["batch_id"])["withdrawn_at"] is None

    # the reproduction (not locked) is numbered 0002 when locked; a failed or unfinished run cannot be
    reproduction = next(
        r
        for r in client.get(f"/api/projects/{world.project['id']}/runs", headers=headers).json()["items"]
        if r["reproduces"] == run["id"]
    )
    world.wait(reproduction["id"], headers)
    second = client.post(f"/api/runs/{reproduction['id']}/lock", headers=headers)
    assert second.status_code == 201 and second.json()["report_number"] == f"DC-{year}-0002"
    viewer_user, viewer = _user(world, "viewer", "Vic")
    assert client.post(f"/api/runs/{run['id']}/lock", headers=viewer).status_code == 403


def _hand_sha256(detail: dict) -> str:
    """The signature's SHA-256 rebuilt by hand from GET /api/runs/{id}, as docs/assurance.md describes it."""
    lines = ["dualcarbon.signature/1", f"run\t{detail['id']}"]
    lines += [f"input\t{i['path']}\t{i['sha256']}" for i in detail["inputs"]]
    lines += [f"factor_set\t{f['dataset']}\t{f['version']}\t{f['sha256']}" for f in detail["factor_sets"]]
    lines += [
        f"output\t{o['name']}\t{o['sha256']}"
        for o in detail["outputs"]
        if not o["name"].startswith(("report-locked", "report-verified"))
    ]
    return hashlib.sha256(("\n".join(lines) + "\n").encode()).hexdigest()


def test_a_verifier_finds_signs_and_a_later_change_of_the_inputs_shows(world: World):
    client, headers = world.client, world.a["headers"]
    started = client.post(f"/api/projects/{world.project['id']}/runs", json={"lang": "zh"}, headers=headers).json()
    run = world.wait(started["id"], headers)
    verifier_user, verifier = _user(world, "viewer", "Vera 核查员")
    editor_user, editor = _user(world, "editor", "Ed")
    engage = {"user_id": verifier_user["id"]}
    # not before the run is locked; only an admin engages
    assert client.post(f"/api/runs/{run['id']}/verifiers", json=engage, headers=headers).status_code == 409
    assert client.post(f"/api/runs/{run['id']}/lock", headers=editor).status_code == 201
    assert client.post(f"/api/runs/{run['id']}/verifiers", json=engage, headers=editor).status_code == 403
    other_user, other_viewer = _user(world, "viewer", "Olga")
    finding = {"target": "run", "severity": "minor", "body": "边界说明不完整"}
    assert client.post(f"/api/runs/{run['id']}/findings", json=finding, headers=verifier).status_code == 403
    assert client.post(f"/api/runs/{run['id']}/verifiers", json=engage, headers=headers).status_code == 201

    # the verifier (a viewer) reads everything of the run: inputs, outputs, factors
    assert client.get(f"/api/runs/{run['id']}/inputs", headers=verifier).status_code == 200
    assert client.get(f"/api/runs/{run['id']}/emissions", headers=verifier).status_code == 200
    activities = next(i for i in run["inputs"] if i["kind"] == "activities")
    version = run["factor_sets"][0]["version"]
    made = [
        client.post(f"/api/runs/{run['id']}/findings", json=finding, headers=verifier),
        client.post(
            f"/api/runs/{run['id']}/findings",
            json={
                "target": "row",
                "batch_id": activities["batch_id"],
                "row_number": 2,
                "severity": "major",
                "body": "发票缺失",
            },
            headers=verifier,
        ),
        client.post(
            f"/api/runs/{run['id']}/findings",
            json={
                "target": "factor",
                "factor_id": "cn_mee_grid/electricity",
                "factor_version": version,
                "severity": "observation",
                "body": "年份",
            },
            headers=verifier,
        ),
    ]
    assert [m.status_code for m in made] == [201, 201, 201], [m.text for m in made]
    bad = client.post(
        f"/api/runs/{run['id']}/findings",
        json={
            "target": "row",
            "batch_id": activities["batch_id"],
            "row_number": 10**9,
            "severity": "major",
            "body": "x",
        },
        headers=verifier,
    )
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["column"] == "row_number"
    bad = client.post(
        f"/api/runs/{run['id']}/findings",
        json={"target": "check", "check_id": "no-such-check", "severity": "minor", "body": "x"},
        headers=verifier,
    )
    assert bad.status_code == 422 and bad.json()["error"]["problems"][0]["column"] == "check_id"
    assert client.post(f"/api/runs/{run['id']}/findings", json=finding, headers=other_viewer).status_code == 403

    # the editors answer and close; only the verifier reopens; a viewer not engaged does neither
    first, second, third = (m.json()["id"] for m in made)
    assert client.post(f"/api/findings/{first}/replies", json={"body": "已补充"}, headers=editor).status_code == 201
    closed = client.post(
        f"/api/findings/{first}/replies", json={"action": "close", "body": "补充了边界"}, headers=editor
    )
    assert closed.status_code == 201 and closed.json()["state"] == "closed"
    assert (
        client.post(
            f"/api/findings/{first}/replies", json={"action": "reopen", "body": "x"}, headers=editor
        ).status_code
        == 403
    )
    assert client.post(f"/api/findings/{second}/replies", json={"body": "x"}, headers=other_viewer).status_code == 403
    reopened = client.post(f"/api/findings/{third}/replies", json={"action": "close", "body": "ok"}, headers=verifier)
    assert reopened.json()["state"] == "closed"
    reopened = client.post(
        f"/api/findings/{third}/replies", json={"action": "reopen", "body": "再看"}, headers=verifier
    )
    assert reopened.json()["state"] == "open"

    # the signature: its hash rebuilt by hand from the run's hashes; the verified report prints it
    sign = {
        "signer_name": "Vera 核查员",
        "signer_organisation": "某认证有限公司",
        "signed_on": "2026-03-31",
        "statement": "经核查，排放量数据真实、准确。",
    }
    assert client.post(f"/api/runs/{run['id']}/signature", json=sign, headers=other_viewer).status_code == 403
    signed = client.post(f"/api/runs/{run['id']}/signature", json=sign, headers=verifier)
    assert signed.status_code == 201, signed.text
    detail = client.get(f"/api/runs/{run['id']}", headers=verifier).json()
    assert signed.json()["covered_sha256"] == _hand_sha256(detail)
    assert signed.json()["open_findings"] == 2
    assert client.post(f"/api/runs/{run['id']}/signature", json=sign, headers=verifier).status_code == 409
    report = client.get(f"/api/runs/{run['id']}/files/report-verified.html", headers=verifier).text
    block = report[report.index('<section id="verification">') :]
    for text in (
        "Vera 核查员",
        "某认证有限公司",
        "2026-03-31",
        "经核查，排放量数据真实、准确。",
        signed.json()["covered_sha256"],
    ):
        assert text in block
    assert re.search(r"未关闭的发现</th><td>2</td>", block)
    state = client.get(f"/api/runs/{run['id']}/assurance", headers=verifier).json()
    assert state["state"] == {"status": "valid", "problems": [], "changes": []}
    assert state["lock"]["report_number"].startswith("DC-") and state["open_findings"] == 2

    # the disclosure export reads the lock and the signature from the store (summary.json never changes)
    got = client.get(f"/api/runs/{run['id']}/disclosures/cdp.xlsx", params={"lang": "en"}, headers=verifier)
    assert got.status_code == 200, got.text
    book = load_workbook(io.BytesIO(got.content))
    cover = {row[0]: row[1] for row in book["Cover"].iter_rows(min_row=2, values_only=True)}
    assert state["lock"]["report_number"] in cover["Locked"] and "Vera 核查员" in cover["Verification"]
    assert "某认证有限公司" in cover["Verification"]

    # a new activities file: the signature holds but no longer covers the project's current inputs
    added = _upload(
        world, "activities-late.csv", client.get(f"/api/batches/{activities['batch_id']}/content", headers=headers).text
    )
    state = client.get(f"/api/runs/{run['id']}/assurance", headers=verifier).json()["state"]
    assert state["status"] == "stale"
    assert [(c["change"], c["batch_id"]) for c in state["changes"]] == [("added", added["id"])]
    client.delete(f"/api/batches/{added['id']}", headers=headers)
    assert client.get(f"/api/runs/{run['id']}/assurance", headers=verifier).json()["state"]["status"] == "valid"

    # a stored input altered behind the API's back: the signature is broken, and says which file
    store = client.app.state.store
    settings = next(i for i in detail["inputs"] if i["kind"] == "settings")
    kept = store.blob(settings["sha256"])
    with store.db.transaction(write=True) as tx:
        tx.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", [kept.replace(b"2024", b"2023"), settings["sha256"]])
    try:
        state = client.get(f"/api/runs/{run['id']}/assurance", headers=verifier).json()["state"]
        assert state["status"] == "broken"
        assert [(p["code"], p["file"]) for p in state["problems"]] == [("input_tampered", settings["path"])]
        assert state["problems"][0]["found_sha256"] == hashlib.sha256(kept.replace(b"2024", b"2023")).hexdigest()
    finally:
        with store.db.transaction(write=True) as tx:
            tx.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", [kept, settings["sha256"]])
    assert client.get(f"/api/runs/{run['id']}/assurance", headers=verifier).json()["state"]["status"] == "valid"

    # a bundled factor set of another version than the signed one (the server's library updated): stale too
    org = world.a["org"]["id"]
    who = Principal(org, world.a["user"]["id"], "Ann", "admin")
    row, signature = store.run(org, run["id"]), store.signature(org, run["id"])
    library = [{"dataset": f["dataset"], "version": f["version"], "sha256": f["sha256"]} for f in run["factor_sets"]]
    assert signature_state(store, who, row, signature, library)["status"] == "valid"
    library[0] = {"dataset": library[0]["dataset"], "version": "2099.1", "sha256": "f" * 64}
    state = signature_state(store, who, row, signature, library)
    assert state["status"] == "stale"
    assert [(c["change"], c["path"], c["signed_version"], c["version"]) for c in state["changes"]] == [
        ("factor_set", run["factor_sets"][0]["dataset"], run["factor_sets"][0]["version"], "2099.1")
    ]


def test_evidence_is_kept_with_its_hash_listed_downloaded_and_limited(world: World):
    client, headers = world.client, world.a["headers"]
    batches = client.get(f"/api/projects/{world.project['id']}/batches", headers=headers).json()
    loose = _upload(world, "loose.csv", client.get(f"/api/batches/{batches[1]['id']}/content", headers=headers).text)
    photo = bytes(range(256)) * 40
    made = _evidence(world, "batch", loose["id"], photo, name="meter.jpg")
    assert made.status_code == 201, made.text
    request = _evidence(world, "request", "req_123", b"GEC certificate", name="gec.pdf")
    assert request.status_code == 201 and request.json()["target_id"] == "req_123"
    listed = client.get(
        f"/api/projects/{world.project['id']}/evidence", params={"target_id": loose["id"]}, headers=headers
    ).json()
    assert [(e["filename"], e["sha256"]) for e in listed] == [("meter.jpg", hashlib.sha256(photo).hexdigest())]
    _, viewer = _user(world, "viewer", "Vic")
    got = client.get(f"/api/evidence/{made.json()['id']}", headers=viewer)
    assert got.status_code == 200 and got.content == photo
    # size-limited like uploads; a row past the file's end, a batch of another organisation refused
    too_big = _evidence(world, "batch", loose["id"], b"x" * (256 * 1024 + 1))
    assert too_big.status_code == 413
    past = _evidence(world, "row", loose["id"], b"x", row=10**6)
    assert past.status_code == 422 and past.json()["error"]["problems"][0]["column"] == "row_number"
    assert _evidence(world, "batch", "bat_0000000000000000", b"x").status_code == 404
    assert client.get(f"/api/evidence/{made.json()['id']}", headers=world.b["headers"]).status_code == 404
    # evidence of a batch no locked run read may be withdrawn
    assert client.delete(f"/api/evidence/{made.json()['id']}", headers=headers).status_code == 200
    assert (
        client.get(
            f"/api/projects/{world.project['id']}/evidence", params={"target_id": loose["id"]}, headers=headers
        ).json()
        == []
    )
