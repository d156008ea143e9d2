"""The run page offers the four disclosure exports (docs/disclosure.md) of an inventory run; a click saves
the framework's workbook in the page's language, with the run's figures and its "not locked" state."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook
from webserver import log_in, person, serve, tab_ready

from dualcarbon.i18n import translator


def test_the_run_page_downloads_the_disclosure_exports(tmp_path, page):
    zh = translator("zh")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "黑土地乳业", "王芳", "wangfang")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=90
        ) as api:
            project = api.post("/projects", json={"name": "乳业 2024", "example": "dairy"}).json()
            started = api.post(f"/projects/{project['id']}/runs", json={})
            assert started.status_code == 202, started.text
            run = api.get(f"/runs/{started.json()['id']}", params={"wait": 60}).json()
            assert run["status"] == "succeeded", run
            summary = api.get(f"/runs/{run['id']}/summary").json()

        log_in(page, server.url, "wangfang")
        page.goto(f"{server.url}/app/#/runs/{run['id']}")
        tab_ready(page, "inventory", "zh")
        offered = page.eval_on_selector_all(
            "[data-testid=disclosures] button",
            "buttons => Object.fromEntries(buttons.map((b) => [b.dataset.framework, b.textContent]))",
        )
        assert offered == {f: zh(f"web.disclosure.{f}") for f in ("cdp", "esrs-e1", "ifrs-s2", "cn-exchange")}
        with page.expect_download() as download:
            page.click("[data-testid=disclosures] button[data-framework='esrs-e1']")
        assert download.value.suggested_filename == f"disclosure-esrs-e1-{run['id']}.xlsx"
        book = load_workbook(io.BytesIO(download.value.path().read_bytes()))  # the saved file has no suffix
        assert book.sheetnames == ["封面", "字段", "缺少"]
        cover = {row[0]: row[1] for row in book["封面"].iter_rows(min_row=2, values_only=True)}
        assert cover["锁定"] == zh("disclosure.state.not_locked")
        scope1 = next(row for row in book["字段"].iter_rows(min_row=2, values_only=True) if row[0] == "E1-6 §44(a)")
        assert scope1[2] == summary["totals"]["scope1"]
