"""A run's financed-emissions tab in a real browser: the carbon-neutral-etf example created and run through
the API, its PCAF figures, asset classes, benchmark comparison by sector (chart drawn) and the change from
the comparison year, in Chinese and in English, every label from the catalogues."""

from __future__ import annotations

import httpx
import pytest
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
            # the data-quality mix: each asset class's outstanding by score 1-5, % of the class (by hand from
            # summary.json's by_holding); the names from the catalogues
            page.wait_for_selector("#chart-financed-quality[data-drawn=true]")
            assert t("financed.report.chart.quality") in page.inner_text(".tab-body[data-tab=financed]")
            drawn = page.evaluate(
                "Array.from(document.querySelector('#chart-financed-quality').data, (d) => [d.name, d.y, d.x])"
            )
            classes = sorted({x["asset_class"] for x in financed["by_holding"]})
            labels = [t(f"financed.asset_class.{c}") for c in classes]
            assert [d[0] for d in drawn] == [t("financed.report.score", score=s) for s in range(1, 6)]
            for score, (_, y, x) in enumerate(drawn, start=1):
                assert y == labels
                for c, value in zip(classes, x, strict=True):
                    held = [x for x in financed["by_holding"] if x["asset_class"] == c]
                    expected = 100 * sum(x["outstanding"] for x in held if x["score"] == score)
                    assert value == pytest.approx(expected / sum(x["outstanding"] for x in held), abs=1e-9)
            assert sum(x[0] for _, _, x in drawn) == pytest.approx(100)  # the first class's shares add up
            assert any(v > 0 for _, _, x in drawn[1:] for v in x)  # not every holding scores 1
            assert "financed." not in page.inner_text(".tab-body[data-tab=financed]")
