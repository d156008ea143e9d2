"""A run through the API may print report.pdf (option ``pdf``), as ``dualcarbon run --pdf``; a server without
Chromium says so (``GET /api/health`` ``pdf``) and refuses the option with 409, before anything is queued."""

from __future__ import annotations

from apiworld import SETUP_TOKEN, api, bearer
from chromium import engine_or_skip

from dualcarbon.report import pdf


def _signed(client) -> dict[str, str]:
    signed = client.post("/api/organisations", json={"name": "某水泥", "admin_name": "王"}, headers=bearer(SETUP_TOKEN))
    assert signed.status_code == 201, signed.text
    return bearer(signed.json()["token"])


def test_a_run_with_pdf_stores_report_pdf(tmp_path):
    engine_or_skip()
    with api("duckdb", tmp_path) as client:
        assert client.get("/api/health").json()["pdf"] is True
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "c", "example": "cement-plant"}, headers=headers).json()
        started = client.post(f"/api/projects/{project['id']}/runs", json={"lang": "zh", "pdf": True}, headers=headers)
        assert started.status_code == 202, started.text
        run = started.json()
        for _ in range(10):  # printing takes a while on a busy machine
            run = client.get(f"/api/runs/{run['id']}", params={"wait": 60}, headers=headers).json()
            if run["status"] in ("succeeded", "failed"):
                break
        assert run["status"] == "succeeded", run
        assert "report.pdf" in {o["name"] for o in run["outputs"]}
        got = client.get(f"/api/runs/{run['id']}/files/report.pdf", headers=headers)
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        assert got.headers["content-type"] == "application/pdf"


def test_without_chromium_the_option_is_refused_and_health_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.ENGINE_ENV, str(tmp_path / "no-such-chromium"))
    with api("duckdb", tmp_path / "store") as client:
        assert client.get("/api/health").json()["pdf"] is False
        headers = _signed(client)
        project = client.post("/api/projects", json={"name": "c", "example": "cement-plant"}, headers=headers).json()
        refused = client.post(f"/api/projects/{project['id']}/runs", json={"pdf": True}, headers=headers)
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "pdf_unavailable"
        assert "no Chromium" in refused.json()["error"]["message"]
        assert client.get(f"/api/projects/{project['id']}/runs", headers=headers).json()["items"] == []
