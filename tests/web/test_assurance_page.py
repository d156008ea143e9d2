"""The run page's Assurance tab in Chromium (docs/assurance.md): an admin attaches evidence to a row, locks the
run (a report number) and engages a verifier; the verifier (a viewer) leaves a finding on a row and signs; a new
input makes the signature not cover the current inputs, and an altered stored input breaks it."""

from __future__ import annotations

import json

import httpx
from webserver import log_in_with_token, serve, tab_ready

from dualcarbon.api.routes.projects import example_files
from dualcarbon.i18n import translator
from dualcarbon.store.folder import layout

zh = translator("zh")


def stored_run(store, org_id: str, user_id: str, outputs: dict[str, bytes]) -> tuple[dict, dict]:
    """A project with the dairy example's files and a succeeded run of them whose outputs are the CLI's
    (the session's ``cli_dairy``), written to the store as the runner writes them: no second computation."""
    project = store.create_project(org_id, "乳业 2024", user_id)
    batches = [
        store.add_batch(org_id, project["id"], kind, name, data, None, user_id)
        for kind, name, data in example_files("dairy")
    ]
    run = store.create_run(org_id, project["id"], "inventory", {"lang": "en"}, layout(batches), user_id, 5)
    assert store.claim_run(run["id"])
    factor_sets = json.loads(outputs["summary.json"])["factor_sets"]
    store.finish_run(run["id"], outputs, factor_sets, None)
    return project, run


def test_lock_findings_sign_then_a_changed_input_shows(tmp_path, page, cli_dairy):
    with serve(str(tmp_path / "store.duckdb")) as server:
        org, admin, token = server.store.create_organisation(
            "黑土地乳业", "王芳"
        )  # token sign-in: no argon2 on a busy box
        verifier, verifier_token = server.store.create_user(org["id"], "李核查", None, "viewer")
        project, stored = stored_run(server.store, org["id"], admin["id"], cli_dairy)
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=90
        ) as api:
            run = api.get(f"/runs/{stored['id']}").json()
            assert run["status"] == "succeeded", run
            activities = next(i for i in run["inputs"] if i["kind"] == "activities")

            # the admin: evidence on row 3 of the activities, lock, engage the verifier
            log_in_with_token(page, server.url, token)
            page.goto(f"{server.url}/app/#/runs/{run['id']}/assurance")
            tab_ready(page, "assurance", "zh")
            form = page.locator("[data-testid=evidence-form]")
            form.locator("select[name=target_id]").select_option(activities["batch_id"])
            form.locator("input[name=row_number]").fill("3")
            form.locator("input[name=description]").fill("3月电费发票")
            form.locator("[data-testid=evidence-file]").set_input_files(
                {"name": "发票.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 invoice"}
            )
            form.locator("button[type=submit]").click()
            page.wait_for_selector("[data-testid=evidence] td[data-key=file] >> text=发票.pdf")
            page.click("[data-testid=lock]")
            number = page.wait_for_selector("[data-testid=report-number]").inner_text()
            assert number.startswith("DC-") and number.endswith("-0001")
            assert page.inner_text("[data-testid=signature-state]") == zh("web.assurance.state.unsigned")
            page.select_option("[data-testid=verifier-user]", verifier["id"])
            page.click("[data-testid=engage-form] button[type=submit]")
            page.wait_for_selector("[data-testid=verifiers] >> text=李核查")

            # the verifier: a finding on a row, then the signature
            log_in_with_token(page, server.url, verifier_token)
            page.goto(f"{server.url}/app/#/runs/{run['id']}/assurance")
            tab_ready(page, "assurance", "zh")
            assert page.query_selector("[data-testid=lock]") is None
            finding = page.locator("[data-testid=finding-form]")
            finding.locator("[data-testid=finding-target]").select_option("row")
            finding.locator("select[name=batch_id]").select_option(activities["batch_id"])
            finding.locator("input[name=row_number]").fill("3")
            finding.locator("[data-testid=finding-severity]").select_option("major")
            finding.locator("[data-testid=finding-body]").fill("电量与发票不符")
            finding.locator("button[type=submit]").click()
            row = page.wait_for_selector("[data-testid=findings] tr[data-state=open]")
            assert row.query_selector("td[data-key=severity]").inner_text() == zh("web.assurance.severity.major")
            assert page.inner_text("[data-testid=open-findings]") == zh("web.assurance.findings.open", n=1)
            sign = page.locator("[data-testid=sign-form]")
            sign.locator("input[name=signer_name]").fill("李核查")
            sign.locator("input[name=signer_organisation]").fill("某认证有限公司")
            sign.locator("input[name=signed_on]").fill("2026-03-31")
            sign.locator("textarea[name=statement]").fill("经核查，数据真实准确。")
            sign.locator("button[type=submit]").click()
            page.wait_for_selector("[data-testid=signature]")
            assert page.get_attribute("[data-testid=signature-state]", "data-status") == "valid"
            signed = api.get(f"/runs/{run['id']}/assurance").json()["signature"]
            assert page.inner_text("[data-testid=signature] dd[data-key=covered_sha256]") == signed["covered_sha256"]
            report = api.get(f"/runs/{run['id']}/files/report-verified.html").text
            assert "李核查" in report and "某认证有限公司" in report and "发票.pdf" in report

            # a new activities file: the signature no longer covers the current inputs, and the page says which
            late = api.post(
                f"/projects/{project['id']}/batches",
                files={"file": ("补录.csv", api.get(f"/batches/{activities['batch_id']}/content").content)},
                data={"kind": "activities"},
            )
            assert late.status_code == 201, late.text
            page.reload()
            tab_ready(page, "assurance", "zh")
            state = page.wait_for_selector("[data-testid=signature-state][data-status=stale]")
            assert zh("web.assurance.state.stale") in state.inner_text()
            assert page.inner_text("[data-testid=signature-changes]") == zh(
                "web.assurance.change.added", file="补录.csv"
            )

            # a stored input altered behind the API's back: signature broken, naming the file
            settings = next(i for i in run["inputs"] if i["kind"] == "settings")
            with server.store.db.transaction(write=True) as tx:
                tx.execute("UPDATE blobs SET data = ? WHERE sha256 = ?", [b"[organization]\n", settings["sha256"]])
            page.reload()
            tab_ready(page, "assurance", "zh")
            state = page.wait_for_selector("[data-testid=signature-state][data-status=broken]")
            assert zh("web.assurance.state.broken") in state.inner_text()
            problem = zh("web.assurance.problem.input_tampered", file=settings["path"])
            assert page.inner_text("[data-testid=signature-problems]") == problem
