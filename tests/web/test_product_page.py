"""A run's product page in a real browser (issue 17): the footprint per functional unit, the contribution
chart and table by process and stage, the Monte Carlo histogram with its 95 % interval, and the product's
carbon-neutrality verdict, checks and claim, in Chinese and in English.

The run is a real one (the depots project through the API); its footprint.json is tests/product_claims.py's
product with its assessment (1.25 kg CO2e per litre; 2,000,000 L → 2,500 t offset), stored as the run's
output the way the runner stores every file of out/.
"""

from __future__ import annotations

import json

import httpx
from product_claims import assessed
from projects import depot_activities, depots_toml
from webserver import log_in, person, serve, tab_ready

from dualcarbon.i18n import translator


def test_product_page_in_chinese_and_english(tmp_path, page):
    zh, en = translator("zh"), translator("en")
    record = assessed()
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = person(server, "乳业", "李娜", "lina")
        with httpx.Client(
            base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as api:
            project = api.post("/projects", json={"name": "牛奶"}).json()
            base = f"/projects/{project['id']}"
            assert api.put(f"{base}/settings", json={"toml": depots_toml("乳业公司")}).status_code == 200
            files = {"file": ("activities.csv", depot_activities(["乳品厂"], ["2024-06-30"]), "text/csv")}
            assert api.post(f"{base}/batches", data={"kind": "activities"}, files=files).status_code == 201
            queued = api.post(f"{base}/runs", json={"lang": "zh"}).json()
            run = api.get(f"/runs/{queued['id']}", params={"wait": 60}).json()
            assert run["status"] == "succeeded", run
            summary = api.get(f"/runs/{run['id']}/summary").json()
            data = json.dumps(record, ensure_ascii=False).encode()
            server.store.finish_run(run["id"], {"footprint.json": data}, summary.get("factor_sets"), None)

            log_in(page, server.url, "lina")
            page.goto(f"{server.url}/app/#/runs/{run['id']}")
            tab_ready(page, "inventory", "zh")
            page.click("nav.tabs a[data-tab=product]")
            tab_ready(page, "product", "zh")
            page.wait_for_selector("#chart-product-contribution[data-drawn=true]")
            page.wait_for_selector("#chart-product-histogram[data-drawn=true]")
            body = ".tab-body[data-tab=product]"
            assert page.inner_text("nav.tabs a[data-tab=product]") == zh("product.web.tab")
            # 1.25 kg CO2e per 1 L packaged milk, interval 1.05 to 1.49 (footprint.json)
            assert page.inner_text("[data-testid=product-footprint]") == "1.25 " + zh(
                "product.web.per_fu", unit="1 L packaged milk"
            )
            assert page.inner_text("[data-testid=product-interval]").startswith("1.05 – 1.49")
            processes = page.eval_on_selector_all(
                "[data-testid=product-processes] tr[data-process]",
                "rows => rows.map((r) => [r.dataset.process, r.querySelector('[data-key=name]').textContent,"
                " r.querySelector('[data-key=kg]').textContent, r.querySelector('[data-key=share]').textContent])",
            )
            assert processes == [
                ["farm", "牧场", "1", "80.0 %"],
                ["dairy", "乳品厂", "0.15", "12.0 %"],
                ["milk-retail", "零售", "0.1", "8.0 %"],
            ]
            # the chart draws what the table lists: one bar per process, in kg per litre
            bars = page.evaluate(
                "() => document.getElementById('chart-product-contribution').data"
                ".flatMap((t) => t.y.map((y, i) => [y, t.x[i]]))"
            )
            assert sorted(bars) == sorted([["牧场", 1.0], ["乳品厂", 0.15], ["零售", 0.1]])
            counts = page.evaluate("() => document.getElementById('chart-product-histogram').data[0].y")
            assert counts == record["uncertainty"]["histogram"]["counts"] and sum(counts) == 1000
            # the verdict: 2,500 t emitted (1.25 × 2,000,000 / 1000), 300 t reduced, 2,500 t offset, achieved
            assert page.inner_text("[data-testid=product-balance] [data-key=units_sold]") == "2,000,000"
            assert page.inner_text("[data-testid=product-balance] [data-key=emissions]") == "2,500"
            assert page.inner_text("[data-testid=product-balance] [data-key=reductions]") == "300"
            assert page.inner_text("[data-testid=product-balance] [data-key=credits]") == "2,500"
            assert page.get_attribute("[data-testid=product-status]", "data-status") == "achieved"
            assert page.inner_text("[data-testid=product-status]") == zh("neutrality.status.achieved")
            assert page.inner_text("[data-testid=product-claim]") == record["neutrality"]["claim"]["zh"]
            assert page.get_attribute(f"{body} [data-check=ISO-PRD-02]", "data-status") == "passed"
            assert zh("product.web.neutrality") in page.inner_text(body)

            # English, on the same page
            page.click("#langs button[data-lang=en]")
            tab_ready(page, "product", "en")
            page.wait_for_selector("#chart-product-contribution[data-drawn=true]")
            assert page.inner_text("nav.tabs a[data-tab=product]") == en("product.web.tab")
            assert page.inner_text("[data-testid=product-footprint]") == "1.25 kg CO2e per 1 L packaged milk"
            assert page.inner_text("[data-testid=product-claim]") == record["neutrality"]["claim"]["en"]
            assert page.inner_text("[data-testid=product-processes] tr[data-process=dairy] [data-key=name]") == "Dairy"
            assert page.inner_text("[data-testid=product-status]") == en("neutrality.status.achieved")
            reason = page.inner_text(f"{body} [data-check=ISO-FP-02] [data-key=reason]")
            assert "2,500.00 t CO2e for 2,000,000 × 1 L packaged milk" in reason
