"""The neutrality and pathway pages in a real browser.

1. A run of the bundled cement-plant example started from the page: its neutrality and pathway tabs
   show what the API has for the run (the assessment and its waterfall, or a clear "none").
2. A run stored with the outputs the neutrality and pathway jobs write (tests/web/data): the
   waterfall is the balance, each check is shown with its status and reason, the trajectory and the
   MACC are drawn from the run's tables; in Chinese and in English.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx
import pytest
from webserver import ROUNDING_T, cells, log_in, person, ready, serve, tab_ready, tonnes

from dualcarbon import figures
from dualcarbon.i18n import translator

ASSESSED = Path(__file__).parent / "data" / "cement-assessed"
OUTPUTS = [
    "summary.json",
    "inventory.csv",
    "neutrality.csv",
    "pathway.json",
    "pathway.csv",
    "measures_plan.csv",
    "abatement.csv",
]


def organisation(server) -> tuple[dict, dict, str]:
    """An organisation made as `dualcarbon org create --login liming` makes one: (organisation, admin, token)."""
    return person(server, "冀东水泥", "李明", "liming")


def stored_run(server, org: dict, user: dict) -> str:
    """A succeeded run whose outputs are the files of tests/web/data/cement-assessed."""
    store = server.store
    project = store.create_project(org["id"], "水泥 2024（已评价）", user["id"])
    run = store.create_run(org["id"], project["id"], "inventory", {"lang": "en"}, [], user["id"], 5)
    assert store.claim_run(run["id"])
    outputs = {name: (ASSESSED / name).read_bytes() for name in OUTPUTS}
    store.finish_run(run["id"], outputs, json.loads(outputs["summary.json"])["factor_sets"], None)
    return run["id"]


def chart_data(page, chart_id: str) -> list[dict]:
    """The traces plotly drew in a chart (plotly keeps them on the div)."""
    return page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('{chart_id}').data))")


def chart_axis(page, chart_id: str, axis: str = "yaxis") -> dict:
    """An axis of the layout plotly drew a chart with."""
    return page.evaluate(f"JSON.parse(JSON.stringify(document.getElementById('{chart_id}').layout.{axis}))")


def test_the_cement_example_run_from_the_page_shows_its_neutrality_and_pathway_tabs(tmp_path, page):
    with serve(str(tmp_path / "store.duckdb")) as server:
        _, _, token = organisation(server)
        log_in(page, server.url, "liming")
        page.fill("[data-testid=new-project] input[name=name]", "水泥 2024")
        page.select_option("[data-testid=new-project] select[name=example]", "cement-plant")
        page.click("[data-testid=new-project] button[type=submit]")
        ready(page, "project")
        assert page.eval_on_selector_all("[data-testid=batches] tbody tr", "rows => rows.map(r => r.dataset.kind)") == [
            "settings",
            "measures",  # before activities: an example's instruments are checked against its measures
            "activities",
            "credits",
            "sinks",
            "documents",
        ]
        assert page.is_checked("[data-testid=run-pathway]")  # the example has measures: a pathway by default
        page.click("[data-testid=run]")
        ready(page, "run", timeout_ms=180_000)
        tab_ready(page, "inventory")
        run_id = page.evaluate("location.hash").split("/")[2]
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            summary = api.get(f"/runs/{run_id}/summary").json()
            totals = summary["totals"]
            neutrality = api.get(f"/runs/{run_id}/neutrality")
            pathway = api.get(f"/runs/{run_id}/pathway")
        shown = cells(page, "[data-testid=totals] tr[data-total]", "data-total", "value")
        assert {k: tonnes(v) for k, v in shown.items()} == pytest.approx(totals, abs=ROUNDING_T)
        # intensity per unit of product ([output]): t CO2e per t clinker and per t cement, 2024 and base year 2020
        products = {p["id"]: p for p in summary["intensity"]["products"]}
        for key, field in (("intensity", "intensity_t"), ("base", None)):
            shown = cells(page, "[data-testid=plant-intensity] tr[data-product]", "data-product", key)
            assert set(shown) == {"clinker", "cement"}
            for product, text in shown.items():
                value = products[product][field] if field else products[product]["base"]["intensity_t"]
                assert text == f"{value:.4f} t CO2e/t", (key, text)
        assert "熟料" in page.inner_text("[data-testid=plant-intensity]")

        page.click("a[data-tab=neutrality]")
        tab_ready(page, "neutrality")
        assert neutrality.status_code == 200  # the example assesses a claim
        assessment = neutrality.json()["assessment"]
        page.wait_for_selector("#chart-waterfall[data-drawn=true]")
        assert chart_data(page, "chart-waterfall")[0]["type"] == "waterfall"
        statuses = page.eval_on_selector_all("[data-testid=checks] tbody tr", "rows => rows.map(r => r.dataset.status)")
        assert statuses == [c["status"] for c in assessment["checks"]]

        page.click("a[data-tab=pathway]")
        tab_ready(page, "pathway")
        assert pathway.status_code == 200 and pathway.json()["pathway"]["status"] == "optimal"  # asked for by default
        page.wait_for_selector("#chart-trajectory[data-drawn=true]")
        page.wait_for_selector("#chart-macc[data-drawn=true]")
        header = page.inner_text("[data-testid=pathway-header]")  # the pathway's peak counts the base year 2020
        assert pathway.json()["pathway"]["pathway_peak"]["year"] == 2020 and "2020" in header


def test_a_stored_assessment_is_drawn_as_waterfall_checks_trajectory_and_macc(tmp_path, page):
    zh, en = translator("zh"), translator("en")
    summary = json.loads((ASSESSED / "summary.json").read_text("utf-8"))
    assessment, balance = summary["neutrality"], summary["neutrality"]["balance"]
    with serve(str(tmp_path / "store.duckdb")) as server:
        org, user, token = organisation(server)
        run_id = stored_run(server, org, user)
        log_in(page, server.url, "liming")

        # inventory: the stored summary's figures
        page.goto(f"{server.url}/app/#/runs/{run_id}")
        tab_ready(page, "inventory")
        shown = cells(page, "[data-testid=totals] tr[data-total]", "data-total", "value")
        assert {k: tonnes(v) for k, v in shown.items()} == pytest.approx(summary["totals"], abs=ROUNDING_T)
        # gases on a linear axis with each value printed (before: a log axis that said nothing of it)
        page.wait_for_selector("#chart-gases[data-drawn=true]")
        assert chart_axis(page, "chart-gases")["type"] == "linear"
        (gases,) = chart_data(page, "chart-gases")
        co2 = next(g for g in summary["by_gas"] if g["gas"] == "CO2")
        assert gases["x"][0] == "CO2" and gases["text"][0] == f"{round(co2['co2e_t']):,}"
        # the breakdown names its categories (固定燃烧), never their codes (1.stationary)
        page.wait_for_selector("#chart-breakdown[data-drawn=true]")
        names = [trace["name"] for trace in chart_data(page, "chart-breakdown")]
        assert "固定燃烧" in names and not any(name.startswith(("1.", "2.", "3.")) for name in names)
        # the downloads are the files stored (no report, no emission rows here), then the inputs
        offered = page.eval_on_selector_all("[data-testid=downloads] button", "bs => bs.map((b) => b.dataset.file)")
        assert offered == [*(n for n in OUTPUTS if n != "pathway.json"), "inputs.zip"]
        with page.expect_download() as download:
            page.click("[data-testid=downloads] button[data-file='neutrality.csv']")
        assert download.value.path().read_bytes() == (ASSESSED / "neutrality.csv").read_bytes()

        # neutrality
        page.click("a[data-tab=neutrality]")
        tab_ready(page, "neutrality", "zh")
        page.wait_for_selector("#chart-waterfall[data-drawn=true]")
        status = page.query_selector("[data-testid=neutrality-status]")
        assert status.get_attribute("data-status") == assessment["status"] == "not achieved"
        assert status.inner_text() == zh("neutrality.status.not_achieved")
        assert page.inner_text("[data-testid=no-claim]") == zh("web.neutrality.no_claim")
        (waterfall,) = chart_data(page, "chart-waterfall")
        assert waterfall["type"] == "waterfall"
        assert waterfall["measure"] == ["absolute", "relative", "absolute", "relative", "relative", "absolute"]
        assert waterfall["y"] == [
            balance["base_year_emissions"],
            -balance["reductions"],
            balance["emissions"],
            -balance["removals"],
            -balance["credits"],
            balance["net"],
        ]
        assert waterfall["x"][0] == zh("web.neutrality.base_year", year=balance["base_year"])
        # each bar carries its value (before: only on hover)
        assert waterfall["text"][0] == f"{round(balance['base_year_emissions']):,}"
        assert waterfall["text"][1] == f"−{round(balance['reductions']):,}"
        assert waterfall["text"][-1] == f"{round(balance['net']):,}"
        table = cells(page, "[data-testid=balance] tr[data-balance]", "data-balance", "value")
        assert list(table) == ["base_year_emissions", "reductions", "emissions", "removals", "credits", "net"]
        assert {k: tonnes(v) for k, v in table.items()} == pytest.approx({k: balance[k] for k in table}, abs=ROUNDING_T)

        rows = page.eval_on_selector_all(
            "[data-testid=checks] tbody tr",
            "rows => rows.map(r => [r.dataset.check, r.dataset.status, r.querySelector('[data-key=reason]').textContent])",
        )
        assert rows == [[c["id"], c["status"], c["reason_zh"]] for c in assessment["checks"]]
        assert len(rows) == sum(assessment["counts"].values()) == 25
        failed = [c for c in assessment["checks"] if c["status"] == "failed"]
        assert failed and page.eval_on_selector_all(
            "[data-testid=checks] tr[data-status=failed] [data-key=status]", "cells => cells.map(c => c.textContent)"
        ) == [zh("check.status.failed")] * len(failed)
        missing = page.eval_on_selector_all("[data-testid=missing] li", "items => items.map(i => i.textContent)")
        assert len(missing) == len(assessment["missing"])
        assert all(m["reason_zh"] in text for m, text in zip(assessment["missing"], missing, strict=True))

        page.click("[data-lang=en]")
        tab_ready(page, "neutrality", "en")
        page.wait_for_selector("#chart-waterfall[data-drawn=true]")
        reasons = page.eval_on_selector_all(
            "[data-testid=checks] [data-key=reason]", "cells => cells.map(c => c.textContent)"
        )
        assert reasons == [c["reason_en"] for c in assessment["checks"]]
        assert chart_data(page, "chart-waterfall")[0]["x"][-1] == en("neutrality.balance.net")
        assert page.inner_text("[data-testid=neutrality-status]") == en("neutrality.status.not_achieved")

        # pathway
        years = list(csv.DictReader((ASSESSED / "pathway.csv").open(encoding="utf-8")))
        measures = list(csv.DictReader((ASSESSED / "measures_plan.csv").open(encoding="utf-8")))
        pathway = json.loads((ASSESSED / "pathway.json").read_text("utf-8"))
        page.click("a[data-tab=pathway]")
        tab_ready(page, "pathway", "en")
        page.wait_for_selector("#chart-trajectory[data-drawn=true]")
        page.wait_for_selector("#chart-macc[data-drawn=true]")
        trajectory = {trace["name"]: trace for trace in chart_data(page, "chart-trajectory")}
        assert set(trajectory) == {
            en("web.pathway.bau"),
            en("web.pathway.emissions"),
            en("web.pathway.net"),
            en("web.pathway.target"),
        }
        net = trajectory[en("web.pathway.net")]
        assert net["x"] == [int(r["year"]) for r in years]
        assert net["y"] == pytest.approx([float(r["net_t"]) for r in years], rel=1e-12)
        targets = trajectory[en("web.pathway.target")]
        assert targets["x"] == [int(r["year"]) for r in years if r["target_t"]]
        assert targets["x"], "the cement example's pathway has targets"
        # the MACC: chosen and not chosen measures are two traces told apart by colour and legend, each bar
        # named (not coded); a cost of about zero is a mark on the axis (the lower clinker ratio, -0.22 CNY/t)
        macc = {trace["name"]: trace for trace in chart_data(page, "chart-macc")}
        assert set(macc) == {en("chart.macc.chosen"), en("chart.macc.rejected"), en("chart.macc.zero_cost")}
        with_potential = [m for m in measures if m["macc_potential_t"] and float(m["macc_potential_t"]) > 0]
        by_cost = sorted(with_potential, key=lambda m: float(m["macc_cost_per_t"]))
        for name, chosen_flag in ((en("chart.macc.chosen"), "true"), (en("chart.macc.rejected"), "false")):
            part = [m for m in by_cost if m["chosen"] == chosen_flag]
            assert part, name
            assert macc[name]["text"] == [m["name_en"] for m in part]
            assert macc[name]["width"] == pytest.approx([float(m["macc_potential_t"]) for m in part])
            assert macc[name]["y"] == pytest.approx([float(m["macc_cost_per_t"]) for m in part])
        assert macc[en("chart.macc.chosen")]["marker"]["color"] != macc[en("chart.macc.rejected")]["marker"]["color"]
        clinker = next(m for m in measures if m["id"] == "CLK")
        assert abs(float(clinker["macc_cost_per_t"])) < 1
        left = sum(float(m["macc_potential_t"]) for m in by_cost[: by_cost.index(clinker)])
        assert macc[en("chart.macc.zero_cost")]["x"][:2] == pytest.approx(
            [left, left + float(clinker["macc_potential_t"])]
        )
        chosen = cells(page, "[data-testid=measures] tr[data-measure]", "data-measure", "chosen")
        assert chosen == {m["id"]: en("web.yes") if m["chosen"] == "true" else en("web.no") for m in measures}
        assert {m["id"] for m in measures if m["chosen"] == "true"} == {c["id"] for c in pathway["chosen"]}
        header = page.inner_text("[data-testid=pathway-header]")
        assert pathway["targets"]["name_en"] in header
        peak = pathway["pathway_peak"]
        assert f"{peak['year']}: {figures.co2e(peak['emissions_t'], 'en')}" in header  # "2025: 1,386,100 t CO2e"
        # the stored pathway's discounted cost is negative (CNY -172,254,983): it is said to be a net saving
        saving = page.inner_text("[data-testid=net-saving]")
        assert saving == en("plan.net_saving", value="172,254,983", currency="CNY", start=2025, end=2060)

        page.click("[data-lang=zh]")
        tab_ready(page, "pathway", "zh")
        header = page.inner_text("[data-testid=pathway-header]")
        assert pathway["targets"]["name_zh"] in header
        assert f"{peak['year']}：{figures.co2e(peak['emissions_t'], 'zh')}" in header  # "2025：138.61 万吨 CO2e"
        assert figures.money(pathway["cost_discounted"], "zh", pathway["currency"]) in header  # "-1.72 亿元"
        assert page.inner_text("[data-testid=net-saving]").startswith("净节省 1.72 亿元")
        page.wait_for_selector("#chart-macc[data-drawn=true]")
        zh_macc = {trace["name"]: trace for trace in chart_data(page, "chart-macc")}
        assert zh_macc[zh("chart.macc.chosen")]["text"] == [m["name_zh"] for m in by_cost if m["chosen"] == "true"]
