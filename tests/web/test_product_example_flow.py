"""A bundled product example from the dashboard to its footprint (issue 17), in a real browser: the milk example
made a project on the projects page, its footprint computed with the project page's button (the API's
``POST /footprints``), and the run's product page showing the footprint in Chinese — the functional unit, the
stages and the background processes by their Chinese names — then in English."""

from __future__ import annotations

import httpx
from webserver import log_in, person, ready, serve, tab_ready

from dualcarbon.i18n import translator


def test_milk_example_to_its_footprint_in_chinese(tmp_path, page):
    zh, en = translator("zh"), translator("en")
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "乳业", "李娜", "lina")
        log_in(page, server.url, "lina")
        page.goto(f"{server.url}/app/#/projects")
        ready(page, "projects", "zh")
        page.fill("[data-testid=new-project] input[name=name]", "牛奶碳足迹")
        page.select_option("[data-testid=new-project] select[name=example]", "milk")
        page.click("[data-testid=new-project] button[type=submit]")
        ready(page, "project", "zh")
        # a product model: processes and exchanges are batches of their own kinds; no inventory run without
        # activities, the footprint instead
        page.wait_for_selector("[data-testid=batches] tr[data-kind=exchanges]")
        assert page.is_hidden("[data-testid=run]")
        assert page.inner_text("[data-testid=run-footprint]") == zh("product.web.run")
        page.click("[data-testid=run-footprint]")
        tab_ready(page, "product", "zh", timeout_ms=240_000)
        page.wait_for_selector("#chart-product-contribution[data-drawn=true]")
        page.wait_for_selector("#chart-product-histogram[data-drawn=true]")
        run_id = page.url.split("#/runs/")[1].split("/")[0]
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            record = api.get(f"/runs/{run_id}/files/footprint.json").json()
            assert api.get(f"/runs/{run_id}").json()["kind"] == "footprint"

        # only the product's tab: a footprint has no inventory
        tabs = page.eval_on_selector_all("nav.tabs a", "links => links.map((a) => a.dataset.tab)")
        assert tabs == ["product"]
        body = page.inner_text(".tab-body[data-tab=product]")
        footprint = str(float(f"{record['footprint_kg_co2e']:.4g}"))  # 4 significant digits, as the page shows
        assert page.inner_text("[data-testid=product-footprint]") == f"{footprint} " + zh(
            "product.web.per_fu", unit="1 L 零售包装鲜奶"
        )
        stages = page.eval_on_selector_all(
            "[data-testid=product-stages] tr[data-stage]",
            "rows => rows.map((r) => [r.dataset.stage, r.querySelector('[data-key=stage]').textContent])",
        )
        assert dict(stages) == {
            "farm": "牧场",
            "processing": "加工",
            "retail": "零售",
            "packaging": "包装",
            "distribution": "配送",
        }
        feed = "[data-testid=product-processes] tr[data-process='spend/naics/311119@CN-HL']"
        assert page.inner_text(f"{feed} [data-key=name]") == "其他动物饲料制造（精饲料）"
        assert page.inner_text(f"{feed} [data-key=stage]") == "牧场"
        assert page.inner_text("[data-testid=product-claim]") == record["neutrality"]["claim"]["zh"]
        assert page.get_attribute("[data-testid=product-status]", "data-status") == "achieved"
        assert "packaged milk" not in body and "Other Animal Food" not in body
        # the run's report, in the run's language, among the downloads
        assert page.is_visible("[data-testid=downloads] [data-file='report.html']")
        assert page.is_visible("[data-testid=downloads] [data-file='by_process.csv']")

        page.click("#langs button[data-lang=en]")
        tab_ready(page, "product", "en")
        assert page.inner_text("[data-testid=product-footprint]") == f"{footprint} " + en(
            "product.web.per_fu", unit="1 L packaged milk at retail"
        )
        assert page.inner_text(f"{feed} [data-key=name]") == "Other Animal Food Manufacturing"
        assert page.inner_text(f"{feed} [data-key=stage]") == "Farm"
