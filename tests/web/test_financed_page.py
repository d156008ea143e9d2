"""A run's financed-emissions tab in a real browser: the carbon-neutral-etf example created and run through
the API, its PCAF figures, asset classes, benchmark comparison by sector (chart drawn) and the change from
the comparison year, in Chinese and in English, every label from the catalogues."""

from __future__ import annotations

import httpx
from webserver import log_in, person, serve, tab_ready

from dualcarbon.i18n import translator


def test_financed_tab_in_chinese_and_english(tmp_path, page):
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "基金公司", "王芳", "wangfang")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
            project = api.post("/projects", json={"name": "ETF", "example": "carbon-neutral-etf"}).json()
            queued = api.post(f"/projects/{project['id']}/runs", json={"lang": "zh"}).json()
            run = {"status": "queued"}
            for _ in range(5):
                run = api.get(f"/runs/{queued['id']}", params={"wait": 60}).json()
                if run["status"] in ("succeeded", "failed"):
                    break
            assert run["status"] == "succeeded", run
            financed = api.get(f"/runs/{run['id']}/summary").json()["financed"]
        log_in(page, server.url, "wangfang")
        page.goto(f"{server.url}/app/#/runs/{run['id']}/financed")
        for lang in ("zh", "en"):
            t = translator(lang)
            if lang == "en":  # the same page, switched
                page.click("#langs button[data-lang=en]")
            tab_ready(page, "financed", lang)
            page.wait_for_selector("#chart-financed-waci[data-drawn=true]")
            assert page.inner_text("nav.tabs a[data-tab=financed]") == t("financed.web.tab")
            waci = page.inner_text("[data-testid=financed-facts] dd[data-key=financed-waci]")
            assert waci == f"{financed['waci_t_per_million_revenue']:,.1f} " + t("financed.report.waci_unit")
            classes = page.eval_on_selector_all(
                "[data-testid=financed-classes] tr[data-class]", "rows => rows.map((r) => r.dataset.class)"
            )
            assert classes == ["corporate_bond", "listed_equity", "sovereign_debt"]
            assert t("financed.asset_class.sovereign_debt") in page.inner_text("[data-testid=financed-classes]")
            sectors = page.inner_text("[data-testid=financed-sectors]")
            assert ("可再生能源设备与发电" if lang == "zh" else "Renewable energy") in sectors
            assert page.locator("[data-testid=financed-change] tbody tr").count() == 6
            assert "financed." not in page.inner_text(".tab-body[data-tab=financed]")
